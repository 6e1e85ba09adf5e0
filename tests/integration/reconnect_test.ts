// Connections that end under load: status 10 (shutdown) and a silent drop.
// Nothing may be lost or counted twice.

import assert from "node:assert/strict";
import { APNs, type BinaryCommand, Message, Session } from "../../mod.ts";
import {
  checkInvariant,
  credentials,
  makeTokens,
  startGateway,
  within,
} from "./_helpers.ts";

for (const command of [2, 1] as BinaryCommand[]) {
  Deno.test(`status 10 after every 700 notifications (command ${command}): 5,000 tokens delivered exactly once across reconnects`, async () => {
    await using gw = await startGateway({ faults: { shutdownAfter: 700 } });
    await using session = new Session({ command, readTailTimeout: 10_000 });
    const apns = new APNs(session.getConnection(gw.address, credentials()));
    const tokens = makeTokens(5000);
    const result = await within(
      9000,
      apns.send(new Message(tokens, { alert: "shutdown" })),
      "send",
    );
    checkInvariant(result, tokens, gw.tokens());
    assert.equal(result.accepted, 5000);
    assert.equal(result.failed.size, 0);
    // Status 10 is neither a failed token nor an error.
    assert.deepEqual(result.errors, []);
    assert.equal(result.retry(), null);
    // 7 connections end with status 10 after 700 each; the 8th takes the
    // last 100 and answers the probe.
    assert.equal(gw.gateway.connectionCount, 8);
    assert.deepEqual(
      gw.gateway.errors.map((e) => e.status),
      [10, 10, 10, 10, 10, 10, 10, 2],
    );
    // Delivered in order.
    assert.deepEqual(gw.tokens(), tokens);
  });
}

// A gateway that answers every connection with status 10 at once (going
// down for maintenance). Status 10 is neither a failed token nor a handshake
// failure: the send should resolve with the tokens in retry(), not reject.
Deno.test("status 10 right after the handshake (shutdownAfter 0): the send resolves with every token in retry(), not a TlsError", async () => {
  await using gw = await startGateway({ faults: { shutdownAfter: 0 } });
  await using session = new Session({ readTailTimeout: 10_000, retryLimit: 2 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const tokens = makeTokens(50);
  const result = await within(
    9000,
    apns.send(new Message(tokens, { alert: "x" })),
    "send",
  );
  checkInvariant(result, tokens, gw.tokens());
  assert.equal(result.accepted, 0);
  assert.deepEqual(result.retryTokens, tokens);
  assert.ok(result.needsRetry());
  assert.ok(gw.gateway.connectionCount <= 5);
});

Deno.test("drop without an error response: proven tokens counted, unproven ones in retry(), errors [null, ...]; resending retry() delivers the rest", async () => {
  const tokens = makeTokens(100);
  const bad = tokens[10];
  // Connection 1: t0-t9 accepted, t10 fails (status 8, which proves
  // t0-t9); connection 2 gets t11-t99 and drops after accepting 50.
  await using gw = await startGateway({
    faults: { failTokens: new Map([[bad, 8]]), dropAfter: 50 },
  });
  await using other = await startGateway();
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const result = await within(
    9000,
    apns.send(new Message(tokens, { alert: "drop" })),
    "send",
  );
  checkInvariant(result, tokens, gw.tokens(), { unproven: true });
  assert.equal(result.accepted, 10);
  assert.deepEqual(result.failed.get(bad)?.[0], 8);
  assert.deepEqual(result.retryTokens, tokens.slice(11));
  assert.ok(result.needsRetry());
  assert.ok(result.errors.length >= 1);
  assert.ok(
    result.errors.some(([code, why]) => code === null && why.length > 0),
    `errors: ${JSON.stringify(result.errors)}`,
  );
  for (const [code] of result.errors) assert.equal(code, null);
  // The gateway holds t0-t9 and 50 of the unproven ones.
  assert.equal(gw.gateway.acceptedCount, 60);

  // The retry message, sent where it is not dropped, delivers the rest.
  const again = result.retry()!;
  const apns2 = new APNs(session.getConnection(other.address, credentials()));
  const second = await within(9000, apns2.send(again), "resend");
  checkInvariant(second, again.tokens, other.tokens());
  assert.equal(second.accepted, 89);
  assert.equal(again.payloadJson, result.message.payloadJson);
  const everywhere = new Set([...gw.tokens(), ...other.tokens()]);
  for (const token of tokens) {
    if (token !== bad) assert.ok(everywhere.has(token), `${token} lost`);
  }
});
