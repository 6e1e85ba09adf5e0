/**
 * `cli.ts demo`: the main job on an embedded default. Starts the mock APNs
 * on loopback with the embedded test PKI and sends a batch through a
 * `Session` over both protocols: the HTTP/2 provider API (token auth, the
 * server sending GOAWAY every 500 streams) and the legacy binary protocol
 * (client certificate), printing what was accepted, failed and retried and
 * the rate, then reads the feedback service.
 *
 * @module
 */

import { APNs } from "../apns.ts";
import { Message } from "../message.ts";
import { MockBinaryGateway } from "../server/binary_gateway.ts";
import * as pki from "../server/demo_pki.ts";
import { MockFeedbackService } from "../server/feedback_service.ts";
import { MockHttp2Gateway } from "../server/h2_gateway.ts";
import { Session } from "../session.ts";
import { printResult } from "./client_commands.ts";
import { intOption, parseOptions } from "./usage.ts";

const HELP = `Usage: cli.ts demo [--tokens N] [--batch N]

Runs the mock APNs on loopback and sends N tokens (default 20000) twice:

1. HTTP/2 provider API, token auth (ES256 JWT), one message streamed over
   up to two connections; the server allows one stream until the first
   accepted request and sends GOAWAY every 500 streams. Bad on purpose:
   three tokens are not hex (failed locally), one is unregistered (410) and
   one is rejected (400 BadDeviceToken).
2. Binary protocol, client certificate, messages of --batch tokens
   (default 1000) all in flight at once on one persistent connection. Bad
   on purpose: three tokens are not hex, two are rejected (status 8) and
   one meets a processing error (status 1) every time (retried, then handed
   to retry()). Then the feedback service is read.`;

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString("en-US");
}

/**
 * `cli.ts demo`.
 *
 * @param args the arguments after `demo`
 * @returns the exit code (0 when the outcome is as planned)
 */
export async function runDemo(args: string[]): Promise<number> {
  const { values } = parseOptions(args, {
    tokens: { type: "string" },
    batch: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const total = intOption(values.tokens, "tokens", 10, 10_000_000) ?? 20_000;
  const batch = intOption(values.batch, "batch", 1, 10_000_000) ?? 1000;
  const tokens = Array.from(
    { length: total },
    (_, i) => (i + 1).toString(16).padStart(64, "0"),
  );
  // Bad on purpose.
  const notHex = [3, Math.floor(total / 2), total - 2];
  for (const i of notHex) tokens[i] = `not-a-token-${i}`;
  const rejected = [tokens[7], tokens[total - 5]];
  const unlucky = tokens[Math.floor(total / 3)];
  const tls = { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca };
  await using session = new Session();

  // 1. HTTP/2 provider API.
  {
    const { keyId, teamId } = pki.tokenIds;
    const unregistered = tokens[11];
    const badToken = tokens[total - 7];
    await using h2 = new MockHttp2Gateway({
      ...tls,
      retain: false,
      auth: { keyId, teamId, publicKey: pki.tokenKey },
      faults: {
        tokenAuthStartsAtOne: true,
        goawayAfter: 500,
        reasons: new Map([
          [unregistered, {
            status: 410,
            reason: "Unregistered",
            timestamp: Date.now() - 86_400_000,
          }],
          [badToken, { status: 400, reason: "BadDeviceToken" }],
        ]),
      },
    });
    const at = await h2.listen();
    console.log(
      `== HTTP/2 provider API: mock on ${at.hostname}:${at.port}, token auth, GOAWAY every 500 streams`,
    );
    const apns = new APNs(
      session.getConnection(
        { hostname: at.hostname, port: at.port, protocol: "h2" },
        { token: { keyId, teamId, signingKey: pki.tokenKey }, caCerts: pki.ca },
      ),
    );
    const started = performance.now();
    const result = await apns.send(
      new Message(tokens, {
        alert: "Hello over HTTP/2",
        topic: "com.example.app",
        collapseId: "demo",
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    printResult(result, false, seconds);
    for (const [token, since] of result.unregistered) {
      console.log(`unregistered since ${since.toISOString()}: ${token}`);
    }
    console.log(
      `rate: ${rate(total, seconds)} notifications/s; the server accepted ` +
        `${h2.acceptedCount} over ${h2.connectionCount} connections\n`,
    );
    const ok = result.accepted === h2.acceptedCount &&
      result.accepted + result.failed.size + result.retryTokens.length ===
        total &&
      result.failed.size === notHex.length + 2 &&
      result.unregistered.has(unregistered);
    if (!ok) {
      console.log("UNEXPECTED: the HTTP/2 outcome is not as planned");
      return 1;
    }
  }

  // 2. Binary protocol and feedback.
  await using gateway = new MockBinaryGateway({
    ...tls,
    retain: false,
    faults: {
      failTokens: new Map([
        [rejected[0], 8],
        [rejected[1], 8],
        [unlucky, 1],
      ]),
    },
  });
  const now = Math.floor(Date.now() / 1000);
  await using feedback = new MockFeedbackService({
    ...tls,
    tuples: rejected.map((token, i) => ({ token, time: now - 3600 * (i + 1) })),
  });
  const gw = await gateway.listen();
  const fb = await feedback.listen();
  console.log(
    `== binary protocol: mock gateway on ${gw.hostname}:${gw.port}, feedback on port ${fb.port}, client certificate`,
  );

  const credentials = {
    certString: pki.clientCert,
    keyString: pki.clientKey,
    caCerts: pki.ca,
  };
  const apns = new APNs(
    session.getConnection([gw.hostname, gw.port], credentials),
  );
  const messages: Message[] = [];
  for (let i = 0; i < total; i += batch) {
    messages.push(
      new Message(tokens.slice(i, i + batch), {
        alert: `Hello from the demo (${i / batch + 1})`,
        badge: 1,
        sound: "default",
      }),
    );
  }
  console.log(
    `sending ${total} tokens in ${messages.length} messages of up to ${batch}, all in flight at once`,
  );
  const started = performance.now();
  const results = await Promise.all(messages.map((m) => apns.send(m)));
  const seconds = (performance.now() - started) / 1000;

  let accepted = 0;
  const failed = new Map<string, [number, string]>();
  const errors: [number | null, string][] = [];
  const retry: string[] = [];
  for (const result of results) {
    accepted += result.accepted;
    for (const [token, reason] of result.failed) failed.set(token, reason);
    errors.push(...result.errors);
    retry.push(...(result.retry()?.tokens ?? []));
  }
  const merged = new Message(tokens, { alert: "summary" });
  const { Result } = await import("../result.ts");
  printResult(
    new Result(merged, { accepted, failed, errors, retryTokens: retry }),
    false,
    seconds,
  );
  console.log(
    `rate: ${rate(total, seconds)} notifications/s; the gateway recorded ` +
      `${gateway.acceptedCount} over ${gateway.connectionCount} connections`,
  );

  console.log("\nfeedback service:");
  const fbApns = new APNs(
    session.newConnection([fb.hostname, fb.port], credentials),
  );
  for await (const [token, when] of fbApns.feedback()) {
    console.log(`  ${token} invalid since ${when.toISOString()}`);
  }

  const accounted = accepted + failed.size + retry.length;
  const ok = accounted === total && accepted === gateway.acceptedCount &&
    failed.size === notHex.length + rejected.length && retry.length === 1;
  console.log(
    ok
      ? "\nevery token is accounted for exactly once: accepted, failed or to retry."
      : `\nUNEXPECTED: ${accounted} of ${total} tokens accounted for`,
  );
  return ok ? 0 : 1;
}
