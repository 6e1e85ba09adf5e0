// A scripted binary gateway on in-memory connections: decodes what the
// client writes and answers as a policy says. Test-only.
import { encodeErrorResponse } from "../../src/binary/error_response.ts";
import {
  type DecodedNotification,
  NotificationDecoder,
} from "../../src/binary/notification_decoder.ts";
import { encodeHex } from "../../src/bytes/hex.ts";
import { memoryTransport } from "../../src/transport/memory.ts";
import type { Transport } from "../../src/transport/types.ts";

/** What the gateway does with one notification. */
export type Verdict =
  | "accept"
  | "ignore" // accept silently, even an empty token (a gateway without probe answers)
  | { status: number; id?: number } // error response (default id: the notification's)
  | "drop"; // reset without an error response

/** Decides per notification: `n` is its index on its connection. */
export type Policy = (
  notification: DecodedNotification,
  n: number,
  connection: number,
) => Verdict;

/** A scripted gateway and the transport that reaches it. */
export interface ScriptGateway {
  readonly transport: Transport;
  /** Accepted notifications, in order: token hex and payload text. */
  readonly accepted: { token: string; payload: string; connection: number }[];
  /** Number of connections opened. */
  connections: number;
}

/** The default verdict: accept, and answer the empty-token probe with 2. */
export function standard(n: DecodedNotification): Verdict {
  return n.token.length === 0 ? { status: 2 } : "accept";
}

/**
 * Makes a scripted gateway.
 *
 * @param policy decides what happens to each notification
 */
export function scriptGateway(policy: Policy = standard): ScriptGateway {
  const text = new TextDecoder();
  const state: ScriptGateway = {
    accepted: [],
    connections: 0,
    transport: memoryTransport((server, pair) => {
      const connection = ++state.connections;
      const decoder = new NotificationDecoder();
      let count = 0;
      let done = false;
      (async () => {
        const reader = server.readable.getReader();
        const writer = server.writable.getWriter();
        try {
          for (;;) {
            const { value, done: eof } = await reader.read();
            if (eof) break;
            if (done) continue; // discard after an error, like APNs
            decoder.push(value);
            let step;
            while (!done && (step = decoder.next())) {
              if (step.kind !== "notification") {
                await writer.write(encodeErrorResponse(step.status, step.id));
                done = true;
                break;
              }
              const n = step.notification;
              const verdict = policy(n, count++, connection);
              if (verdict === "accept" || verdict === "ignore") {
                if (n.token.length > 0) {
                  state.accepted.push({
                    token: encodeHex(n.token),
                    payload: text.decode(n.payload),
                    connection,
                  });
                }
              } else if (verdict === "drop") {
                pair.reset(new Error("connection reset by peer"));
                done = true;
              } else {
                await writer.write(
                  encodeErrorResponse(verdict.status, verdict.id ?? n.id),
                );
                done = true;
                // APNs closes after an error response.
                await writer.close().catch(() => {});
              }
            }
          }
        } catch {
          // the client went away
        }
      })();
    }),
  };
  return state;
}
