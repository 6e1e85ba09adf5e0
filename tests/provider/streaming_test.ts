// Tokens from an async iterable: a source that fails part-way.
import assert from "node:assert/strict";
import { APNs, Message, Session } from "../../mod.ts";
import { MockHttp2Gateway } from "../../src/server/mod.ts";

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

Deno.test("streaming: a token source that fails part-way keeps what was sent", async () => {
  await using gateway = new MockHttp2Gateway({ ...tls, auth: "certificate" });
  const { port } = await gateway.listen();
  await using session = new Session();
  const apns = new APNs(
    session.getConnection(
      { hostname: "127.0.0.1", port, protocol: "h2" },
      credentials,
    ),
  );
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
