// The feedback service over real TLS: tuples in order, connection failures
// thrown, and an interrupted stream ending the iteration quietly.

import assert from "node:assert/strict";
import { APNs, ConnectError, type FeedbackEntry, Session } from "../../mod.ts";
import { MockFeedbackService } from "../../src/server/mod.ts";
import {
  credentials,
  fixture,
  makeTokens,
  refusedPort,
  SERVER_TLS,
  within,
} from "./_helpers.ts";

async function collect(
  iterable: AsyncIterable<FeedbackEntry>,
): Promise<FeedbackEntry[]> {
  const out: FeedbackEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

/** A feedback tuple by hand (PROTOCOL.md): u32 time | u16 32 | token. */
function tuple(tokenHex: string, time: number): Uint8Array {
  const out = new Uint8Array(38);
  const view = new DataView(out.buffer);
  view.setUint32(0, time);
  view.setUint16(4, 32);
  out.set(Uint8Array.fromHex(tokenHex), 6);
  return out;
}

/**
 * A bare TLS server (no client certificate required) that writes `bytes`
 * to its first client and then closes, or holds the connection open until
 * disposed when `hold` is set.
 */
function startRawFeedback(bytes: Uint8Array, hold = false) {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: fixture("server.crt"),
    key: fixture("server.key"),
  });
  const conns: Deno.Conn[] = [];
  const served = (async () => {
    const conn = await listener.accept();
    conns.push(conn);
    await conn.write(bytes);
    if (!hold) conn.close();
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await served.catch(() => {});
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed already
        }
      }
    },
  };
}

Deno.test("feedback: 1,000 tuples arrive as [hex, Date] in order", async () => {
  const tokens = makeTokens(1000, 7);
  tokens[3] = tokens[3].toUpperCase();
  const tuples = tokens.map((token, i) => ({
    token,
    time: 1_600_000_000 + i * 37,
  }));
  await using service = new MockFeedbackService({ ...SERVER_TLS, tuples });
  const { hostname, port } = await service.listen();
  await using session = new Session();
  const apns = new APNs(
    session.newConnection([hostname, port], credentials()),
  );
  const entries = await within(5000, collect(apns.feedback()), "feedback");
  assert.deepEqual(
    entries,
    tuples.map(({ token, time }) => [
      token.toLowerCase(),
      new Date(time * 1000),
    ]),
  );
  assert.equal(service.connectionCount, 1);
  assert.equal(session.size, 0, "newConnection is not pooled");
});

Deno.test("feedback: a cached connection reads the service too, once per call", async () => {
  const tuples = makeTokens(3).map((token, i) => ({ token, time: i }));
  await using service = new MockFeedbackService({ ...SERVER_TLS, tuples });
  const { hostname, port } = await service.listen();
  await using session = new Session();
  const apns = new APNs(
    session.getConnection([hostname, port], credentials()),
  );
  const first = await within(5000, collect(apns.feedback()));
  const second = await within(5000, collect(apns.feedback()));
  assert.equal(first.length, 3);
  assert.deepEqual(second, first);
  assert.equal(service.connectionCount, 2);
});

Deno.test("feedback: an empty service ends the iteration at once", async () => {
  await using service = new MockFeedbackService({ ...SERVER_TLS, tuples: [] });
  const { hostname, port } = await service.listen();
  await using session = new Session();
  const apns = new APNs(
    session.newConnection([hostname, port], credentials()),
  );
  assert.deepEqual(await within(5000, collect(apns.feedback())), []);
});

Deno.test("feedback: a refused port throws ConnectError", async () => {
  await using session = new Session();
  const apns = new APNs(
    session.newConnection(["127.0.0.1", refusedPort()], credentials()),
  );
  await assert.rejects(
    within(5000, collect(apns.feedback())),
    (error) => error instanceof ConnectError,
  );
});

Deno.test("feedback: a server that stops mid-tuple ends the iteration quietly after the whole tuples", async () => {
  const tokens = makeTokens(11, 9);
  const whole = tokens.slice(0, 10).map((t, i) => tuple(t, 1000 + i));
  const partial = tuple(tokens[10], 2000).subarray(0, 20);
  const bytes = new Uint8Array(10 * 38 + 20);
  whole.forEach((t, i) => bytes.set(t, i * 38));
  bytes.set(partial, 380);
  await using server = startRawFeedback(bytes);
  await using session = new Session();
  const apns = new APNs(
    session.newConnection(["127.0.0.1", server.port], credentials()),
  );
  const entries = await within(5000, collect(apns.feedback()));
  assert.deepEqual(
    entries,
    tokens.slice(0, 10).map((t, i) => [t, new Date((1000 + i) * 1000)]),
  );
});

Deno.test("feedback: a server that goes silent ends the iteration quietly after readTimeout", async () => {
  const tokens = makeTokens(5, 10);
  const bytes = new Uint8Array(5 * 38);
  tokens.forEach((t, i) => bytes.set(tuple(t, i + 1), i * 38));
  await using server = startRawFeedback(bytes, true);
  await using session = new Session({ readTimeout: 300 });
  const apns = new APNs(
    session.newConnection(["127.0.0.1", server.port], credentials()),
  );
  const started = performance.now();
  const entries = await within(5000, collect(apns.feedback()));
  const elapsed = performance.now() - started;
  assert.equal(entries.length, 5);
  assert.ok(elapsed >= 290, `ended after ${elapsed} ms`);
  assert.ok(elapsed < 3000, `ended after ${elapsed} ms`);
});

Deno.test("feedback: breaking out of the loop early closes the connection", async () => {
  const tuples = makeTokens(1000, 11).map((token, i) => ({ token, time: i }));
  await using service = new MockFeedbackService({ ...SERVER_TLS, tuples });
  const { hostname, port } = await service.listen();
  await using session = new Session();
  const apns = new APNs(
    session.getConnection([hostname, port], credentials()),
  );
  let n = 0;
  for await (const _ of apns.feedback()) {
    if (++n === 10) break;
  }
  assert.equal(n, 10);
  // Sanitizers check that nothing stays open.
});
