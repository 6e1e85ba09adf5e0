// Many sends in flight on one cached connection: each result is complete
// and attributed to its own message.

import assert from "node:assert/strict";
import { APNs, Message, Session, statusText } from "../../mod.ts";
import {
  alertOf,
  checkInvariant,
  credentials,
  makeTokens,
  startGateway,
  within,
} from "./_helpers.ts";

Deno.test("pipelined sends: 20 concurrent sends of 500 tokens, with failing tokens, each result correct and attributed to its message", async () => {
  const messages = Array.from({ length: 20 }, (_, i) => ({
    alert: `message ${i}`,
    tokens: makeTokens(500, i),
  }));
  // Failures in three different messages, one of them at its first token.
  const failing = new Map<string, number>([
    [messages[3].tokens[100], 8],
    [messages[11].tokens[499], 8],
    [messages[17].tokens[0], 5],
  ]);
  await using gw = await startGateway({ faults: { failTokens: failing } });
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));

  const results = await within(
    15_000,
    Promise.all(
      messages.map(({ alert, tokens }) =>
        apns.send(new Message(tokens, { alert }))
      ),
    ),
    "20 sends",
  );

  // Which message each token belongs to.
  const owner = new Map<string, string>();
  for (const { alert, tokens } of messages) {
    for (const token of tokens) owner.set(token, alert);
  }
  results.forEach((result, i) => {
    const { alert, tokens } = messages[i];
    assert.equal(result.message.alert, alert);
    checkInvariant(result, tokens, gw.tokens((p) => alertOf(p) === alert));
    const expected = tokens
      .filter((t) => failing.has(t))
      .map((t) => [t, [failing.get(t)!, statusText(failing.get(t)!)]]);
    assert.deepEqual([...result.failed], expected, alert);
    assert.equal(result.accepted, 500 - expected.length, alert);
    assert.deepEqual(result.errors, [], alert);
    assert.equal(result.retry(), null, alert);
  });
  // Every notification at the gateway carries its own message's payload.
  for (const n of gw.gateway.accepted) {
    assert.equal(alertOf(n.payload), owner.get(n.token), n.token);
  }
  assert.equal(gw.gateway.acceptedCount, 20 * 500 - failing.size);
  // One connection, plus one reconnect per failure at most.
  assert.ok(
    gw.gateway.connectionCount <= 1 + failing.size,
    `${gw.gateway.connectionCount} connections`,
  );
  assert.equal(session.size, 1);
});

Deno.test("pipelined sends through separate APNs objects and handles of one pool entry share the connection", async () => {
  await using gw = await startGateway();
  await using session = new Session({ readTailTimeout: 10_000 });
  const results = await within(
    10_000,
    Promise.all(
      Array.from(
        { length: 5 },
        (_, i) =>
          new APNs(session.getConnection(gw.address, credentials())).send(
            new Message(makeTokens(200, i), { alert: `m${i}` }),
          ),
      ),
    ),
  );
  results.forEach((result, i) =>
    checkInvariant(
      result,
      makeTokens(200, i),
      gw.tokens((p) => alertOf(p) === `m${i}`),
    )
  );
  assert.equal(gw.gateway.connectionCount, 1);
  assert.equal(session.size, 1);
});
