// Happy paths over real TLS: every token delivered once, the notification
// fields intact, and the send resolving without the seed's tail wait
// (the end-of-burst probe proves acceptance) — or after it, with
// `probe: false`.

import assert from "node:assert/strict";
import { APNs, type BinaryCommand, Message, Session } from "../../mod.ts";
import {
  alertOf,
  checkInvariant,
  credentials,
  makeTokens,
  startGateway,
  within,
} from "./_helpers.ts";

const EXPIRY = 1_900_000_000;

for (const command of [2, 1, 0] as BinaryCommand[]) {
  Deno.test(`happy path, command ${command}: 5,000 tokens delivered once with their fields, no tail wait`, async () => {
    await using gw = await startGateway();
    const tail = 10_000;
    await using session = new Session({ command, readTailTimeout: tail });
    const apns = new APNs(session.getConnection(gw.address, credentials()));
    const tokens = makeTokens(5000);
    // Upper-case hex is accepted and arrives as the same bytes.
    tokens[7] = tokens[7].toUpperCase();
    const message = new Message(tokens, {
      alert: "Grüße ✓",
      badge: 3,
      sound: "chime.caf",
      extra: { custom: { n: 1 } },
      expiry: EXPIRY,
      priority: 5,
    });
    const started = performance.now();
    const result = await within(tail, apns.send(message), "send");
    const elapsed = performance.now() - started;
    assert.ok(
      elapsed < tail,
      `send took ${elapsed} ms: it waited for readTailTimeout`,
    );

    assert.equal(result.accepted, 5000);
    assert.equal(result.failed.size, 0);
    assert.deepEqual(result.errors, []);
    assert.equal(result.needsRetry(), false);
    assert.equal(result.retry(), null);
    assert.equal(result.message, message);
    checkInvariant(result, tokens, gw.tokens());

    const records = gw.gateway.accepted;
    assert.deepEqual(
      records.map((n) => n.token),
      tokens.map((t) => t.toLowerCase()),
      "in send order",
    );
    const payload = {
      custom: { n: 1 },
      aps: { alert: "Grüße ✓", badge: 3, sound: "chime.caf" },
    };
    records.forEach((n, i) => {
      assert.equal(n.command, command);
      assert.deepEqual(n.payload, payload);
      // Command 2 carries expiry and priority; command 1 expiry only
      // (priority 10 implied); command 0 neither.
      assert.equal(n.expiry, command === 0 ? 0 : EXPIRY);
      assert.equal(n.priority, command === 2 ? 5 : 10);
      // Identifiers are per connection, from 1 (command 0 has none).
      assert.equal(n.id, command === 0 ? 0 : i + 1);
      assert.equal(n.connection, 1);
    });
    // One connection; the only error response is the probe's status 2.
    assert.equal(gw.gateway.connectionCount, 1);
    assert.deepEqual(
      gw.gateway.errors.map((e) => [e.status, e.id, e.token]),
      [[2, 5001, ""]],
    );
  });
}

Deno.test("happy path: a second burst on the same cached connection handle also resolves without the tail wait", async () => {
  await using gw = await startGateway();
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const first = makeTokens(300, 1);
  const second = makeTokens(300, 2);
  const r1 = await within(5000, apns.send(new Message(first, { alert: "1" })));
  const started = performance.now();
  const r2 = await within(5000, apns.send(new Message(second, { alert: "2" })));
  assert.ok(performance.now() - started < 10_000);
  checkInvariant(r1, first, gw.tokens((p) => alertOf(p) === "1"));
  checkInvariant(r2, second, gw.tokens((p) => alertOf(p) === "2"));
  assert.equal(r1.accepted + r2.accepted, 600);
  // The probe closes the link: each burst has its own connection.
  assert.equal(gw.gateway.connectionCount, 2);
  assert.equal(session.size, 1);
});

Deno.test("probe: false: the send resolves after readTailTimeout (300 ms) with everything accepted", async () => {
  await using gw = await startGateway();
  const tail = 300;
  await using session = new Session({ probe: false, readTailTimeout: tail });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const tokens = makeTokens(1000);
  const started = performance.now();
  const result = await within(
    5000,
    apns.send(new Message(tokens, { alert: "t" })),
  );
  const elapsed = performance.now() - started;
  assert.ok(
    elapsed >= tail - 5,
    `resolved after ${elapsed} ms, before the tail`,
  );
  assert.ok(elapsed < 3000, `resolved after ${elapsed} ms`);
  assert.equal(result.accepted, 1000);
  assert.deepEqual(result.errors, []);
  checkInvariant(result, tokens, gw.tokens());
  // No probe was written: the gateway sent no error response at all.
  assert.deepEqual(gw.gateway.errors, []);
  assert.equal(gw.gateway.connectionCount, 1);
});

Deno.test("empty message: resolves at once with nothing accepted and no connection", async () => {
  await using gw = await startGateway();
  await using session = new Session();
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const result = await within(2000, apns.send(new Message([], { alert: "x" })));
  assert.equal(result.accepted, 0);
  assert.equal(result.retry(), null);
  checkInvariant(result, [], gw.tokens());
  assert.equal(gw.gateway.connectionCount, 0);
});

Deno.test("probe: false with a failing token: attributed, the rest delivered once, resolved after the tail", async () => {
  const tokens = makeTokens(500);
  await using gw = await startGateway({
    faults: { failTokens: new Map([[tokens[200], 8]]) },
  });
  await using session = new Session({ probe: false, readTailTimeout: 300 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const result = await within(
    5000,
    apns.send(new Message(tokens, { alert: "t" })),
  );
  checkInvariant(result, tokens, gw.tokens());
  assert.deepEqual([...result.failed.keys()], [tokens[200]]);
  assert.equal(result.accepted, 499);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(gw.gateway.errors.map((e) => e.status), [8]);
});
