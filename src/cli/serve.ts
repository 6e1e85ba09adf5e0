/**
 * `cli.ts serve`: the mock APNs on the given ports until SIGINT/SIGTERM.
 *
 * @module
 */

import { MockBinaryGateway } from "../server/binary_gateway.ts";
import * as demoPki from "../server/demo_pki.ts";
import { MockFeedbackService } from "../server/feedback_service.ts";
import { MockHttp2Gateway } from "../server/h2_gateway.ts";
import { intOption, parseOptions, UsageError } from "./usage.ts";

const HELP =
  `Usage: cli.ts serve [--binary-port N] [--feedback-port N] [options]

Runs the mock APNs binary gateway and feedback service on loopback, with
client certificates required and checked against --ca. Without a port
option both start on free ports. Prints one JSON line with the ports once
ready; stops on SIGINT or SIGTERM.

  --binary-port N        binary gateway port (0: any free port)
  --feedback-port N      feedback service port (0: any free port)
  --hostname HOST        address to bind (default 127.0.0.1)
  --cert FILE --key FILE --ca FILE
                         server certificate, key and client CA (default: the
                         embedded test PKI, see src/server/demo_pki.ts)
  --record FILE          append one JSON line per accepted notification
  --fail HEX=STATUS      answer this token with STATUS (repeatable)
  --fail-at INDEX=STATUS answer the INDEX-th notification of each
                         connection (0-based) with STATUS (repeatable)
  --shutdown-after N     status 10 after N accepted per connection
  --drop-after N         drop the connection silently after N accepted
  --read-delay MS        slow reader: pause after every read
  --max-payload BYTES    payload limit (default 2048)
  --feedback HEX@SECONDS feedback tuple to serve (repeatable)

HTTP/2 only:
  --token-key FILE --key-id K --team-id T
                         token auth: check JWTs against this .p8 (or public) key
  --no-auth              no client certificate, no token (for load tools)
  --reason HEX=STATUS:REASON[@MS]
                         answer this token so (repeatable), e.g.
                         --reason <hex>=410:Unregistered@1700000000000
  --max-streams N        SETTINGS_MAX_CONCURRENT_STREAMS (default 1000)
  --goaway-after N       GOAWAY after N streams per connection
  --delay MS             answer every request after MS
  --h2-drop-after N      drop the connection silently after N requests
  --idle-timeout MS      GOAWAY IdleTimeout after MS without requests
  --token-starts-at-one  one stream until the first accepted request`;

function pairs(
  list: unknown,
  name: string,
  separator: string,
): [string, string][] {
  return ((list as string[] | undefined) ?? []).map((item) => {
    const at = item.lastIndexOf(separator);
    if (at <= 0) {
      throw new UsageError(`--${name} takes A${separator}B, got "${item}"`);
    }
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/**
 * `cli.ts serve`.
 *
 * @param args the arguments after `serve`
 * @param signal stops the servers when aborted (besides SIGINT/SIGTERM)
 * @returns the exit code
 */
export async function runServe(
  args: string[],
  signal?: AbortSignal,
): Promise<number> {
  const { values } = parseOptions(args, {
    "binary-port": { type: "string" },
    "feedback-port": { type: "string" },
    hostname: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    ca: { type: "string" },
    record: { type: "string" },
    fail: { type: "string", multiple: true },
    "fail-at": { type: "string", multiple: true },
    "shutdown-after": { type: "string" },
    "drop-after": { type: "string" },
    "read-delay": { type: "string" },
    "max-payload": { type: "string" },
    feedback: { type: "string", multiple: true },
    "h2-port": { type: "string" },
    "token-key": { type: "string" },
    "key-id": { type: "string" },
    "team-id": { type: "string" },
    "no-auth": { type: "boolean" },
    reason: { type: "string", multiple: true },
    "max-streams": { type: "string" },
    "goaway-after": { type: "string" },
    delay: { type: "string" },
    "h2-drop-after": { type: "string" },
    "idle-timeout": { type: "string" },
    "token-starts-at-one": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const files = [values.cert, values.key, values.ca];
  if (
    files.some((f) => f !== undefined) && files.some((f) => f === undefined)
  ) {
    throw new UsageError(
      "give --cert, --key and --ca together (or none for the test PKI)",
    );
  }
  const tls = values.cert === undefined
    ? { cert: demoPki.serverCert, key: demoPki.serverKey, ca: demoPki.ca }
    : {
      cert: await Deno.readTextFile(values.cert as string),
      key: await Deno.readTextFile(values.key as string),
      ca: await Deno.readTextFile(values.ca as string),
    };
  const hostname = (values.hostname as string | undefined) ?? "127.0.0.1";
  let binaryPort = intOption(values["binary-port"], "binary-port", 0, 65535);
  let feedbackPort = intOption(
    values["feedback-port"],
    "feedback-port",
    0,
    65535,
  );
  let h2Port = intOption(values["h2-port"], "h2-port", 0, 65535);
  if (
    binaryPort === undefined && feedbackPort === undefined &&
    h2Port === undefined
  ) {
    binaryPort = feedbackPort = h2Port = 0;
  }
  const reasons = new Map(
    pairs(values.reason, "reason", "=").map(([hex, answer]) => {
      const match = /^(\d{3}):([A-Za-z]+)(?:@(\d+))?$/.exec(answer);
      if (!/^([0-9a-fA-F]{2})+$/.test(hex) || !match) {
        throw new UsageError(
          `--reason takes HEX=STATUS:REASON[@MS], got "${hex}=${answer}"`,
        );
      }
      return [hex.toLowerCase(), {
        status: Number(match[1]),
        reason: match[2],
        ...(match[3] ? { timestamp: Number(match[3]) } : {}),
      }];
    }),
  );
  let auth: "certificate" | "none" | {
    keyId: string;
    teamId: string;
    publicKey: string;
  } = "certificate";
  if (values["no-auth"]) auth = "none";
  else if (values["token-key"] !== undefined) {
    if (
      typeof values["key-id"] !== "string" ||
      typeof values["team-id"] !== "string"
    ) {
      throw new UsageError("--token-key needs --key-id and --team-id");
    }
    auth = {
      keyId: values["key-id"],
      teamId: values["team-id"],
      publicKey: await Deno.readTextFile(values["token-key"] as string),
    };
  }
  const failTokens = new Map(
    pairs(values.fail, "fail", "=").map(([hex, status]) => {
      if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
        throw new UsageError(`--fail: "${hex}" is not hex`);
      }
      return [hex.toLowerCase(), intOption(status, "fail status", 0, 255)!];
    }),
  );
  const failAtIndex = new Map(
    pairs(values["fail-at"], "fail-at", "=").map(([index, status]) => [
      intOption(index, "fail-at index")!,
      intOption(status, "fail-at status", 0, 255)!,
    ]),
  );
  const tuples = pairs(values.feedback, "feedback", "@").map(
    ([token, time]) => {
      if (!/^([0-9a-fA-F]{2})+$/.test(token)) {
        throw new UsageError(`--feedback: "${token}" is not hex`);
      }
      return { token, time: intOption(time, "feedback time", 0, 0xffff_ffff)! };
    },
  );

  const stops: (() => Promise<void>)[] = [];
  const ready: Record<string, unknown> = { hostname };
  /** What both gateways take: TLS, address, recording, payload limit. */
  const gatewayOptions = (port: number) => ({
    ...tls,
    hostname,
    port,
    retain: false,
    record: values.record as string | undefined,
    maxPayloadBytes: intOption(values["max-payload"], "max-payload", 0, 65535),
  });
  try {
    if (h2Port !== undefined) {
      const h2 = new MockHttp2Gateway({
        ...gatewayOptions(h2Port),
        auth,
        faults: {
          reasons,
          maxConcurrentStreams: intOption(
            values["max-streams"],
            "max-streams",
            1,
          ),
          goawayAfter: intOption(values["goaway-after"], "goaway-after", 1),
          delayMs: intOption(values.delay, "delay"),
          dropAfter: intOption(values["h2-drop-after"], "h2-drop-after"),
          idleTimeoutMs: intOption(values["idle-timeout"], "idle-timeout", 1),
          tokenAuthStartsAtOne: values["token-starts-at-one"] === true,
        },
      });
      stops.push(() => h2.close());
      ready.h2Port = (await h2.listen()).port;
    }
    if (binaryPort !== undefined) {
      const gateway = new MockBinaryGateway({
        ...gatewayOptions(binaryPort),
        faults: {
          failTokens,
          failAtIndex,
          shutdownAfter: intOption(values["shutdown-after"], "shutdown-after"),
          dropAfter: intOption(values["drop-after"], "drop-after"),
          readDelayMs: intOption(values["read-delay"], "read-delay"),
        },
      });
      stops.push(() => gateway.close());
      ready.binaryPort = (await gateway.listen()).port;
    }
    if (feedbackPort !== undefined) {
      const feedback = new MockFeedbackService({
        ...tls,
        hostname,
        port: feedbackPort,
        tuples,
      });
      stops.push(() => feedback.close());
      ready.feedbackPort = (await feedback.listen()).port;
    }
    console.log(JSON.stringify(ready));
    const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
    signal?.addEventListener("abort", () => stop(), { once: true });
    const onSignal = () => stop();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    try {
      await stopped;
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    }
  } finally {
    await Promise.all(stops.map((stop) => stop()));
  }
  return 0;
}
