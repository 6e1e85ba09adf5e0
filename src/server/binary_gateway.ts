/**
 * A mock of the legacy APNs binary gateway (gateway.push.apple.com:2195):
 * a `node:tls` server that requires client certificates, decodes commands
 * 0, 1 and 2, validates them like APNs and answers failures with the
 * six-byte error response before closing. Faults (failing tokens or
 * positions, shutdown, silent drops, a slow reader) are injectable.
 *
 * Validation, in this order, for each notification on a connection:
 *
 * 1. `faults.failAtIndex` names its 0-based position on the connection: that status.
 * 2. token absent or empty: 2 (missing device token).
 * 3. token not 32 bytes: 5 (invalid token size).
 * 4. payload absent or empty: 4 (missing payload).
 * 5. payload above `maxPayloadBytes` (default 2048): 7 (invalid payload size).
 * 6. payload not JSON: accepted and recorded as its raw string, unless
 *    `nonJsonStatus` is set (then that status). APNs documented no status
 *    for this; 1 (processing error) is a sensible choice when wanted.
 * 7. `faults.failTokens` has the token: that status.
 *
 * Bytes that cannot be framed get the decoder's status (1, or 7 for a frame
 * above 64 KiB; see `NotificationDecoder`). Priorities other than 5 and 10
 * are accepted. On a failure the gateway writes `8 | status | id` (id 0 for
 * command 0), ends the connection and discards everything after the failed
 * notification while draining input until the client closes or `lingerMs`
 * passes. The server logs nothing.
 *
 * @module
 */

import type * as tls from "node:tls";
import { encodeErrorResponse } from "../binary/error_response.ts";
import {
  type DecodedNotification,
  NotificationDecoder,
} from "../binary/notification_decoder.ts";
import { encodeHex } from "../bytes/hex.ts";
import {
  type ListenAddress,
  type MockTlsOptions,
  type Timer,
  TlsHost,
} from "./_tls_host.ts";
import { JsonLinesRecord } from "./_record.ts";
import { count } from "./_option_checks.ts";

/** Injected failures; every count is per connection. */
export interface GatewayFaults {
  /** Tokens (lower-case hex) that fail with the given status. */
  readonly failTokens?: ReadonlyMap<string, number>;
  /** 0-based notification positions on a connection that fail with the given status. */
  readonly failAtIndex?: ReadonlyMap<number, number>;
  /**
   * After this many accepted notifications on a connection, send status 10
   * naming the last accepted id (0 on connect when 0) and close.
   */
  readonly shutdownAfter?: number;
  /**
   * After this many accepted notifications on a connection, destroy it
   * without an error response (0: right after the handshake).
   */
  readonly dropAfter?: number;
  /** Slow reader: pause the socket for this long after every chunk read. */
  readonly readDelayMs?: number;
}

/** A notification the gateway accepted. */
export interface AcceptedNotification {
  /** Device token, lower-case hex. */
  readonly token: string;
  /** Identifier (0 for command 0). */
  readonly id: number;
  /** Expiry, UNIX seconds (0 when absent). */
  readonly expiry: number;
  /** Priority (10 when absent). */
  readonly priority: number;
  /** The payload parsed as JSON, or its raw text when it is not JSON. */
  readonly payload: unknown;
  /** Command it came with. */
  readonly command: 0 | 1 | 2;
  /** 1-based number of the connection it came on (in accept order). */
  readonly connection: number;
}

/** An error response the gateway sent. */
export interface SentErrorResponse {
  /** Status written. */
  readonly status: number;
  /** Identifier written. */
  readonly id: number;
  /** Token of the failed notification, lower-case hex (empty when none). */
  readonly token: string;
  /** Why, for test diagnostics. */
  readonly reason: string;
  /** 1-based number of the connection. */
  readonly connection: number;
}

/** Options of {@linkcode MockBinaryGateway}. */
export interface MockBinaryGatewayOptions extends MockTlsOptions {
  /** Injected failures. */
  readonly faults?: GatewayFaults;
  /** Largest accepted payload in bytes (default 2048). */
  readonly maxPayloadBytes?: number;
  /** Status for payloads that are not JSON; default: accept them. */
  readonly nonJsonStatus?: number;
  /** Keep accepted notifications in `accepted` (default true; off for load tests). */
  readonly retain?: boolean;
  /** Called for every accepted notification. */
  readonly onNotification?: (notification: AcceptedNotification) => void;
  /**
   * Writes one JSON line `{"token","id","expiry","priority","payload"}` per
   * accepted notification: to this file (appended; flushed by `close()`),
   * or to this callback (the line without its newline).
   */
  readonly record?: string | ((line: string) => void);
}

const utf8 = new TextDecoder();

function u8Status(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`${what} must be a status 0-255, got ${value}`);
  }
  return value;
}

/**
 * The mock gateway.
 *
 * @example
 * ```ts ignore
 * await using gw = new MockBinaryGateway({ cert, key, ca });
 * const { port } = await gw.listen();
 * // ... send notifications to 127.0.0.1:port ...
 * console.log(gw.accepted);
 * ```
 */
export class MockBinaryGateway {
  readonly #host: TlsHost;
  readonly #faults: GatewayFaults;
  readonly #maxPayload: number;
  readonly #nonJsonStatus: number | undefined;
  readonly #retain: boolean;
  readonly #onNotification:
    | ((notification: AcceptedNotification) => void)
    | undefined;
  readonly #record: JsonLinesRecord;
  readonly #accepted: AcceptedNotification[] = [];
  readonly #errors: SentErrorResponse[] = [];
  #acceptedCount = 0;
  #connectionCount = 0;

  /**
   * Creates the gateway (call `listen()` to start it).
   *
   * @param options TLS, address, faults, limits and recording
   * @throws {TypeError} on missing certificates or bad option types
   * @throws {RangeError} on out-of-range counts or statuses
   */
  constructor(options: MockBinaryGatewayOptions) {
    this.#host = new TlsHost(options, (socket) => this.#serve(socket));
    const faults = options.faults ?? {};
    for (const [token, status] of faults.failTokens ?? []) {
      if (!/^([0-9a-f]{2})*$/.test(token)) {
        throw new TypeError(`failTokens keys must be lower-case hex: ${token}`);
      }
      u8Status(status, "failTokens status");
    }
    for (const [index, status] of faults.failAtIndex ?? []) {
      count(index, "failAtIndex index");
      u8Status(status, "failAtIndex status");
    }
    count(faults.shutdownAfter, "shutdownAfter");
    count(faults.dropAfter, "dropAfter");
    count(faults.readDelayMs, "readDelayMs");
    this.#faults = faults;
    this.#maxPayload = count(options.maxPayloadBytes, "maxPayloadBytes") ??
      2048;
    this.#nonJsonStatus = options.nonJsonStatus === undefined
      ? undefined
      : u8Status(options.nonJsonStatus, "nonJsonStatus");
    this.#retain = options.retain ?? true;
    this.#onNotification = options.onNotification;
    this.#record = new JsonLinesRecord(options.record);
  }

  /**
   * Starts listening (and opens the record file, if any).
   *
   * @returns the bound address
   */
  async listen(): Promise<ListenAddress> {
    await this.#record.open();
    return await this.#host.listen();
  }

  /** The bound address, once listening. */
  get address(): ListenAddress | undefined {
    return this.#host.address;
  }

  /** Accepted notifications, in order (empty when `retain` is false). */
  get accepted(): readonly AcceptedNotification[] {
    return this.#accepted;
  }

  /** Number of accepted notifications (counted even when not retained). */
  get acceptedCount(): number {
    return this.#acceptedCount;
  }

  /** Error responses sent (including status 10 shutdowns), in order. */
  get errors(): readonly SentErrorResponse[] {
    return this.#errors;
  }

  /** TLS connections accepted so far. */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** Handshakes that failed (e.g. a client certificate not from `ca`). */
  get tlsErrors(): number {
    return this.#host.tlsErrors;
  }

  /**
   * Stops listening, ends every connection (destroying stragglers) and
   * flushes the record file.
   *
   * @returns settles when everything is closed
   * @throws {Error} the record file's write error, if one happened
   */
  async close(): Promise<void> {
    await this.#host.close();
    await this.#record.close();
  }

  /**
   * Same as `close()`, for `await using`.
   *
   * @returns settles when everything is closed
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #serve(socket: tls.TLSSocket): void {
    const connection = ++this.#connectionCount;
    const faults = this.#faults;
    const decoder = new NotificationDecoder();
    const host = this.#host;
    let index = 0;
    let acceptedHere = 0;
    let lastId = 0;
    let done = false;
    let pause: Timer | undefined;
    socket.on("close", () => {
      if (pause !== undefined) clearTimeout(pause);
      pause = undefined;
    });

    const fail = (
      status: number,
      id: number,
      token: string,
      reason: string,
    ) => {
      done = true;
      this.#errors.push({ status, id, token, reason, connection });
      if (pause !== undefined) clearTimeout(pause);
      pause = undefined;
      host.endAndDrain(socket, encodeErrorResponse(status, id));
    };
    const afterAccept = (): boolean => {
      if (faults.shutdownAfter === acceptedHere) {
        fail(10, lastId, "", `shutdown after ${acceptedHere}`);
        return false;
      }
      if (faults.dropAfter === acceptedHere) {
        done = true;
        socket.destroy();
        return false;
      }
      return true;
    };
    if (!afterAccept()) return;

    socket.on("data", (chunk: Uint8Array) => {
      if (done) return;
      decoder.push(chunk);
      for (;;) {
        const step = decoder.next();
        if (step === null) break;
        if (step.kind === "malformed") {
          fail(step.status, step.id, "", step.reason);
          return;
        }
        const n = step.notification;
        const token = encodeHex(n.token);
        const position = index++;
        const verdict = this.#judge(n, token, position);
        if ("status" in verdict) {
          fail(verdict.status, n.id, token, verdict.reason);
          return;
        }
        const accepted: AcceptedNotification = {
          token,
          id: n.id,
          expiry: n.expiry,
          priority: n.priority,
          payload: verdict.payload,
          command: n.command,
          connection,
        };
        acceptedHere++;
        lastId = n.id;
        this.#accept(accepted);
        if (!afterAccept()) return;
      }
      if (faults.readDelayMs !== undefined && faults.readDelayMs > 0) {
        socket.pause();
        pause = setTimeout(() => {
          pause = undefined;
          if (!done && !socket.destroyed) socket.resume();
        }, faults.readDelayMs);
      }
    });
  }

  #judge(
    n: DecodedNotification,
    token: string,
    position: number,
  ): { status: number; reason: string } | { payload: unknown } {
    const forced = this.#faults.failAtIndex?.get(position);
    if (forced !== undefined) {
      return { status: forced, reason: `failAtIndex ${position}` };
    }
    if (!n.hasToken || n.token.length === 0) {
      return { status: 2, reason: "missing device token" };
    }
    if (n.token.length !== 32) {
      return { status: 5, reason: `token is ${n.token.length} bytes` };
    }
    if (!n.hasPayload || n.payload.length === 0) {
      return { status: 4, reason: "missing payload" };
    }
    if (n.payload.length > this.#maxPayload) {
      return {
        status: 7,
        reason:
          `payload is ${n.payload.length} bytes, limit ${this.#maxPayload}`,
      };
    }
    const text = utf8.decode(n.payload);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      if (this.#nonJsonStatus !== undefined) {
        return { status: this.#nonJsonStatus, reason: "payload is not JSON" };
      }
      payload = text;
    }
    const failing = this.#faults.failTokens?.get(token);
    if (failing !== undefined) {
      return { status: failing, reason: "failTokens" };
    }
    return { payload };
  }

  #accept(n: AcceptedNotification): void {
    this.#acceptedCount++;
    if (this.#retain) this.#accepted.push(n);
    if (this.#record.active) {
      this.#record.write({
        token: n.token,
        id: n.id,
        expiry: n.expiry,
        priority: n.priority,
        payload: n.payload,
      });
    }
    this.#onNotification?.(n);
  }
}
