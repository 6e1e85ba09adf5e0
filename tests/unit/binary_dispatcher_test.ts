// The binary engine's accounting on in-memory connections (no sockets, no
// permissions): every token ends up exactly once as accepted, failed or
// to retry, whatever the gateway does.
import assert from "node:assert/strict";
import {
  APNs,
  Message,
  type Result,
  Session,
  type SessionOptions,
} from "../../mod.ts";
import { type Policy, scriptGateway, standard } from "./_script_gateway.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const credentials = {
  certString: fixture("client.crt"),
  keyString: fixture("client.key"),
};
const T = (n: number) => n.toString(16).padStart(64, "0");
const tokens = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => T(from + i));

async function run(
  policy: Policy,
  messages: Message[],
  options: SessionOptions = {},
) {
  const gateway = scriptGateway(policy);
  await using session = new Session({
    transport: gateway.transport,
    handshakeGrace: 0,
    ...options,
  });
  const apns = new APNs(
    session.getConnection(["gateway.test", 2195], credentials),
  );
  const results = await Promise.all(messages.map((m) => apns.send(m)));
  return { gateway, results };
}

/** Every token is in exactly one place, and "accepted" matches the gateway. */
function assertAccounted(results: Result[], accepted: string[]) {
  let total = 0;
  const acceptedByResults = new Set<string>();
  for (const r of results) {
    const retry = r.retry()?.tokens ?? [];
    assert.equal(
      r.accepted + r.failed.size + retry.length,
      r.message.tokens.length,
      "every token accounted for once",
    );
    const elsewhere = new Set([...r.failed.keys(), ...retry]);
    for (const t of r.message.tokens) {
      if (!elsewhere.has(t)) acceptedByResults.add(t);
    }
    total += r.accepted;
  }
  assert.equal(accepted.length, total, "gateway saw each accepted token once");
  assert.deepEqual(new Set(accepted), acceptedByResults);
}

Deno.test({
  name: "probe: a burst is proven accepted by the probe's status 2",
  permissions: "none",
  async fn() {
    const { gateway, results } = await run(standard, [
      new Message(tokens(300), { alert: "a" }),
    ], { readTailTimeout: 60_000 });
    assert.equal(results[0].accepted, 300);
    assert.equal(results[0].retry(), null);
    assert.deepEqual(results[0].errors, []);
    assert.equal(gateway.connections, 1);
    assertAccounted(results, gateway.accepted.map((a) => a.token));
  },
});

Deno.test({
  name: "failed token mid-batch: the rest is resent on a new connection",
  permissions: "none",
  async fn() {
    const bad = T(57);
    const policy: Policy = (n) =>
      n.token.length === 0
        ? { status: 2 }
        : T(57) === toHex(n.token)
        ? { status: 8 }
        : "accept";
    const { gateway, results } = await run(policy, [
      new Message(tokens(100), { alert: "a" }),
    ]);
    assert.deepEqual(results[0].failed, new Map([[bad, [8, "Invalid token"]]]));
    assert.equal(results[0].accepted, 99);
    assert.equal(gateway.connections, 2);
    assertAccounted(results, gateway.accepted.map((a) => a.token));
  },
});

Deno.test({
  name: "pipelined messages: each failure is pinned to its message and token",
  permissions: "none",
  async fn() {
    const failing = new Set([T(5), T(1203), T(1999)]);
    const policy: Policy = (n) =>
      n.token.length === 0
        ? { status: 2 }
        : failing.has(toHex(n.token))
        ? { status: 8 }
        : "accept";
    const messages = Array.from(
      { length: 20 },
      (_, k) => new Message(tokens(100, k * 100), { alert: `m${k}` }),
    );
    const { gateway, results } = await run(policy, messages);
    for (const [k, r] of results.entries()) {
      const expected = [...failing].filter((t) => r.message.tokens.includes(t));
      assert.deepEqual([...r.failed.keys()], expected, `message ${k}`);
    }
    assertAccounted(results, gateway.accepted.map((a) => a.token));
    // Payloads stayed with their messages.
    for (const a of gateway.accepted) {
      const k = Math.floor(parseInt(a.token, 16) / 100);
      assert.equal(JSON.parse(a.payload).aps.alert, `m${k}`);
    }
  },
});

Deno.test({
  name: "status 10 names the last accepted notification; the rest is resent",
  permissions: "none",
  async fn() {
    const policy: Policy = (n, i, connection) =>
      n.token.length === 0
        ? { status: 2 }
        : connection === 1 && i === 40
        ? { status: 10, id: n.id - 1 }
        : "accept";
    const { gateway, results } = await run(policy, [new Message(tokens(100))]);
    assert.equal(results[0].accepted, 100);
    assert.deepEqual(results[0].errors, []);
    assert.equal(gateway.connections, 2);
    assertAccounted(results, gateway.accepted.map((a) => a.token));
  },
});

Deno.test({
  name: "status 1 and 255: errors, the culprit is resent and delivered",
  permissions: "none",
  async fn() {
    for (const status of [1, 255]) {
      const policy: Policy = (n, i, connection) =>
        n.token.length === 0
          ? { status: 2 }
          : connection === 1 && i === 10
          ? { status }
          : "accept";
      const { gateway, results } = await run(policy, [new Message(tokens(50))]);
      assert.equal(results[0].accepted, 50);
      assert.equal(results[0].errors[0][0], status);
      assert.equal(results[0].needsRetry(), false);
      assertAccounted(results, gateway.accepted.map((a) => a.token));
    }
  },
});

Deno.test({
  name:
    "a token that always meets status 1 ends in retry() after retryLimit rounds",
  permissions: "none",
  async fn() {
    const policy: Policy = (n) =>
      n.token.length === 0
        ? { status: 2 }
        : toHex(n.token) === T(7)
        ? { status: 1 }
        : "accept";
    const { gateway, results } = await run(policy, [new Message(tokens(30))], {
      retryLimit: 2,
    });
    assert.deepEqual(results[0].retry()!.tokens, [T(7)]);
    assert.equal(results[0].accepted, 29);
    assert.equal(results[0].needsRetry(), true);
    assert.ok(gateway.connections <= 5, `${gateway.connections} connections`);
    assertAccounted(results, gateway.accepted.map((a) => a.token));
  },
});

Deno.test({
  name:
    "status 7 (payload): errors, no automatic resend, needsRetry false, nothing lost",
  permissions: "none",
  async fn() {
    const policy: Policy = (n, i) =>
      n.token.length === 0 ? { status: 2 } : i === 3 ? { status: 7 } : "accept";
    const { gateway, results } = await run(policy, [new Message(tokens(20))]);
    const r = results[0];
    assert.equal(r.accepted, 3);
    assert.deepEqual(r.errors, [[7, "Invalid payload size"]]);
    assert.equal(r.needsRetry(), false);
    assert.deepEqual(r.retry()!.tokens, tokens(17, 3));
    assertAccounted(results, gateway.accepted.map((a) => a.token));
  },
});

Deno.test({
  name:
    "drop without an error response: unproven tokens go to retry(), none twice",
  permissions: "none",
  async fn() {
    const policy: Policy = (n, i, connection) =>
      n.token.length === 0
        ? { status: 2 }
        : connection === 1 && i === 60
        ? "drop"
        : "accept";
    const { gateway, results } = await run(policy, [new Message(tokens(200))]);
    const r = results[0];
    assert.equal(r.errors[0][0], null);
    assert.ok(r.needsRetry());
    // Nothing was proven on the dropped connection; the gateway did take 60.
    assert.equal(gateway.accepted.filter((a) => a.connection === 1).length, 60);
    assert.equal(r.accepted + r.retry()!.tokens.length, 200);
    // Whatever was not handed to the socket before the drop went out again.
    const retried = new Set(r.retry()!.tokens);
    for (const a of gateway.accepted.filter((a) => a.connection > 1)) {
      assert.ok(!retried.has(a.token));
    }
  },
});

Deno.test({
  name: "a gateway that ignores the probe: tail wait, then probing stops",
  permissions: "none",
  async fn() {
    const gateway = scriptGateway(() => "ignore");
    await using session = new Session({
      transport: gateway.transport,
      handshakeGrace: 0,
      readTailTimeout: 50,
    });
    const apns = new APNs(
      session.getConnection(["gateway.test", 2195], credentials),
    );
    const first = await apns.send(new Message(tokens(10)));
    assert.equal(first.accepted, 10);
    const second = await apns.send(new Message(tokens(10, 10)));
    assert.equal(second.accepted, 10);
    // The second burst carried no probe: 20 real notifications only.
    assert.equal(gateway.accepted.length, 20);
  },
});

Deno.test({
  name:
    "command 0: an error cannot be attributed; everything unproven is retried",
  permissions: "none",
  async fn() {
    const policy: Policy = (n, i) =>
      n.token.length === 0 ? { status: 2 } : i === 5 ? { status: 8 } : "accept";
    const { results } = await run(policy, [new Message(tokens(10))], {
      command: 0,
    });
    const r = results[0];
    assert.equal(r.failed.size, 0);
    assert.equal(r.errors[0][0], 8);
    assert.match(r.errors[0][1], /not attributable/);
    assert.equal(r.accepted + r.retry()!.tokens.length, 10);
  },
});

Deno.test({
  name:
    "local failures: non-hex tokens fail without being sent; an oversize payload is an error",
  permissions: "none",
  async fn() {
    const { gateway, results } = await run(standard, [
      new Message([T(1), "xyz", "abc", T(2)]),
      new Message([T(3)], { extra: { big: "x".repeat(70_000) } }),
      new Message([]),
    ]);
    const [mixed, big, empty] = results;
    assert.equal(mixed.accepted, 2);
    assert.deepEqual([...mixed.failed.keys()], ["xyz", "abc"]);
    assert.equal(big.errors[0][0], 7);
    assert.equal(big.needsRetry(), false);
    assert.deepEqual(big.retry()!.tokens, [T(3)]);
    assert.equal(empty.accepted, 0);
    assert.equal(empty.retry(), null);
    assert.deepEqual(gateway.accepted.map((a) => a.token), [T(1), T(2)]);
  },
});

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
