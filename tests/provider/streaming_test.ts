// Tokens from an async iterable: a source that fails part-way.
import assert from "node:assert/strict";
import { APNs, Message, Session } from "../../mod.ts";
import {
  MockHttp2Gateway,
  type MockHttp2GatewayOptions,
} from "../../src/server/mod.ts";
import { DenoTlsTransport } from "../../src/transport/deno_tls.ts";
import type {
  Connection,
  ConnectOptions,
  Transport,
} from "../../src/transport/types.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const tls = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};
const credentials = {
  certString: fixture("client.crt"),
  keyString: fixture("client.key"),
  caCerts: fixture("ca.crt"),
};

/** A certificate-auth HTTP/2 mock and an `APNs` on a session of its own. */
async function h2Setup(
  transport?: Transport,
  gatewayOptions: Partial<MockHttp2GatewayOptions> = {},
) {
  const gateway = new MockHttp2Gateway({
    ...tls,
    auth: "certificate",
    ...gatewayOptions,
  });
  const { port } = await gateway.listen();
  const session = new Session(transport ? { transport } : {});
  const apns = new APNs(
    session.getConnection(
      { hostname: "127.0.0.1", port, protocol: "h2" },
      credentials,
    ),
  );
  return {
    gateway,
    apns,
    async [Symbol.asyncDispose]() {
      await session.shutdown();
      await gateway.close();
    },
  };
}

Deno.test("streaming: a token source that fails part-way keeps what was sent", async () => {
  await using h2 = await h2Setup();
  const { gateway, apns } = h2;
  async function* source() {
    for (let i = 0; i < 50; i++) yield i.toString(16).padStart(64, "0");
    throw new Error("database went away");
  }
  const result = await apns.send(new Message([], { alert: "x" }), {
    tokens: source(),
  });
  assert.equal(result.accepted, 50);
  assert.equal(gateway.acceptedCount, 50);
  assert.deepEqual(result.errors, [[
    null,
    "sending stopped: database went away",
  ]]);
  // Failing before anything went out is the caller's exception.
  const broken: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(new Error("no tokens today")),
    }),
  };
  await assert.rejects(
    apns.send(new Message([], { alert: "x" }), { tokens: broken }),
    /no tokens today/,
  );
});

Deno.test("streaming over the binary protocol: batches, and a source failing part-way", async () => {
  const { MockBinaryGateway } = await import("../../src/server/mod.ts");
  await using gateway = new MockBinaryGateway({ ...tls, retain: false });
  const { port } = await gateway.listen();
  await using session = new Session();
  const apns = new APNs(
    session.getConnection(["127.0.0.1", port], credentials),
  );
  async function* source(n: number, fail: boolean) {
    for (let i = 0; i < n; i++) yield i.toString(16).padStart(64, "0");
    if (fail) throw new Error("source broke");
  }
  const all = await apns.send(new Message([], { alert: "x" }), {
    tokens: source(25_000, false),
  });
  assert.equal(all.accepted, 25_000);
  assert.equal(all.retry(), null);
  const part = await apns.send(new Message([], { alert: "y" }), {
    tokens: source(12_345, true),
  });
  assert.equal(part.accepted, 12_345);
  assert.deepEqual(part.errors, [[null, "sending stopped: source broke"]]);
  assert.equal(gateway.acceptedCount, 25_000 + 12_345);
});

Deno.test("streaming over the binary protocol to a closed port throws a ConnectError", async () => {
  const { ConnectError } = await import("../../mod.ts");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using session = new Session();
  const apns = new APNs(
    session.getConnection(["127.0.0.1", port], credentials),
  );
  async function* source() {
    for (let i = 0; i < 25_000; i++) yield i.toString(16).padStart(64, "0");
  }
  await assert.rejects(
    apns.send(new Message([], { alert: "x" }), { tokens: source() }),
    ConnectError,
  );
});

/** The default Deno transport, counting socket writes. */
class WriteCountingTransport implements Transport {
  readonly name = "write-counting";
  readonly #inner = new DenoTlsTransport();
  writes = 0;

  async connect(options: ConnectOptions): Promise<Connection> {
    const conn = await this.#inner.connect(options);
    const writer = conn.writable.getWriter();
    const writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        this.writes++;
        return writer.write(chunk);
      },
      close: () => writer.close(),
      abort: (reason) => writer.abort(reason),
    });
    return {
      readable: conn.readable,
      writable,
      alpnProtocol: conn.alpnProtocol,
      closed: conn.closed,
      closeWrite: () => conn.closeWrite(),
      close: () => conn.close(),
    };
  }
}

Deno.test("streaming over HTTP/2: tokens pulled one per turn leave in batched socket writes", async () => {
  const transport = new WriteCountingTransport();
  await using h2 = await h2Setup(transport);
  const { gateway, apns } = h2;
  const N = 5_000;
  async function* source() {
    for (let i = 0; i < N; i++) yield i.toString(16).padStart(64, "0");
  }
  const result = await apns.send(new Message([], { alert: "x" }), {
    tokens: source(),
  });
  assert.equal(result.accepted, N);
  assert.equal(gateway.acceptedCount, N);
  // One write per token without batching; the held requests go out
  // together (128 at most per write, plus the connection preface).
  assert.ok(
    transport.writes < N / 20,
    `${transport.writes} socket writes for ${N} tokens`,
  );
});

Deno.test("streaming over HTTP/2: a token source that waits does not hold requests back", async () => {
  await using h2 = await h2Setup();
  const { gateway, apns } = h2;
  const answeredWhenPulled: number[] = [];
  async function* source() {
    for (let i = 0; i < 5; i++) {
      if (i > 0) {
        // A source reading its next page: the request already started must
        // be on the wire and answered meanwhile.
        for (let t = 0; t < 100 && gateway.acceptedCount < i; t++) {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      answeredWhenPulled.push(gateway.acceptedCount);
      yield i.toString(16).padStart(64, "0");
    }
  }
  const result = await apns.send(new Message([], { alert: "x" }), {
    tokens: source(),
  });
  assert.equal(result.accepted, 5);
  assert.deepEqual(answeredWhenPulled, [0, 1, 2, 3, 4]);
});

Deno.test("streaming over the binary protocol: tokens come back in results exactly as given", async () => {
  const { MockBinaryGateway } = await import("../../src/server/mod.ts");
  const hexOf = (i: number) => i.toString(16).padStart(64, "0");
  // Every 1000th token fails (status 8); some are given in upper case.
  const failTokens = new Map<string, number>();
  for (let i = 0; i < 25_000; i += 1000) failTokens.set(hexOf(i + 7), 8);
  await using gateway = new MockBinaryGateway({
    ...tls,
    retain: false,
    faults: { failTokens },
  });
  const { port } = await gateway.listen();
  await using session = new Session();
  const apns = new APNs(
    session.getConnection(["127.0.0.1", port], credentials),
  );
  const given = (i: number) =>
    i % 2000 === 7 ? hexOf(i).toUpperCase() : hexOf(i);
  async function* source() {
    for (let i = 0; i < 25_000; i++) yield given(i);
    yield "not-a-token";
  }
  const result = await apns.send(new Message([], { alert: "x" }), {
    tokens: source(),
  });
  const expectedFailed = new Map<string, [number, string]>();
  for (let i = 0; i < 25_000; i += 1000) {
    expectedFailed.set(given(i + 7), [8, "Invalid token"]);
  }
  expectedFailed.set("not-a-token", [
    8,
    "Invalid token (not a hex string; not sent)",
  ]);
  assert.deepEqual(
    new Map([...result.failed].sort()),
    new Map([...expectedFailed].sort()),
  );
  assert.ok([...result.failed.keys()].some((t) => /[A-F]/.test(t)));
  // Tokens after each failure were resent; every token is accounted once.
  assert.equal(result.accepted + result.failed.size, 25_001);
  assert.deepEqual(result.retryTokens, []);
});

Deno.test("HTTP/2: tokens come back in results exactly as given, streamed or not", async () => {
  const hexOf = (i: number) => i.toString(16).padStart(64, "0");
  const given = (i: number) =>
    i % 3 === 0
      ? hexOf(i).toUpperCase()
      : i % 3 === 1
      ? hexOf(i)
      : "ab" + hexOf(i).slice(2).toUpperCase();
  const reasons = new Map<string, { status: number; reason: string }>();
  for (let i = 0; i < 3000; i += 100) {
    reasons.set(given(i).toLowerCase(), {
      status: 400,
      reason: "BadDeviceToken",
    });
  }
  await using h2 = await h2Setup(undefined, {
    retain: false,
    faults: { reasons },
  });
  const { apns } = h2;
  const tokens = Array.from({ length: 3000 }, (_, i) => given(i));
  const source = async function* () {
    yield* tokens;
  };
  const expected = new Map(
    [...reasons.keys()].map((t) => [
      tokens.find((g) => g.toLowerCase() === t)!,
      [400, "BadDeviceToken"],
    ]),
  );
  for (const send of [() => tokens, source]) {
    const result = await apns.send(new Message([], { alert: "x" }), {
      tokens: send(),
      apnsIds: true,
    });
    assert.equal(result.accepted, 3000 - reasons.size);
    assert.deepEqual(
      new Map([...result.failed].sort()),
      new Map([...expected].sort()),
    );
    // Accepted tokens key their apns-ids as given.
    assert.equal(result.apnsIds.size, result.accepted);
    for (let i = 1; i < 3000; i += 100) {
      assert.ok(result.apnsIds.has(given(i)));
    }
    for (let i = 0; i < 3000; i += 300) {
      assert.ok(result.apnsIds.has(given(i + 3)));
    }
  }
});
