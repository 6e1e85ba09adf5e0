// Combinations that stress the engine's bookkeeping: pipelining across
// shutdowns and failures, staggered sends meeting a probing link, tiny
// write buffers, notifications larger than the buffer, duplicate tokens.

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

Deno.test("pipelined sends across status-10 shutdowns and failing tokens: each result exact", async () => {
  const messages = Array.from({ length: 20 }, (_, i) => ({
    alert: `m${i}`,
    tokens: makeTokens(500, i),
  }));
  const failing = new Map<string, number>([
    [messages[0].tokens[499], 8],
    [messages[9].tokens[250], 2],
    [messages[19].tokens[0], 8],
  ]);
  await using gw = await startGateway({
    faults: { failTokens: failing, shutdownAfter: 1500 },
  });
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const results = await within(
    15_000,
    Promise.all(
      messages.map(({ alert, tokens }) =>
        apns.send(new Message(tokens, { alert }))
      ),
    ),
  );
  results.forEach((result, i) => {
    const { alert, tokens } = messages[i];
    checkInvariant(result, tokens, gw.tokens((p) => alertOf(p) === alert));
    assert.deepEqual(
      [...result.failed.keys()],
      tokens.filter((t) => failing.has(t)),
      alert,
    );
    assert.equal(result.retry(), null, alert);
    assert.deepEqual(result.errors, [], alert);
  });
  assert.equal(gw.gateway.acceptedCount, 10_000 - failing.size);
});

Deno.test("staggered sends (some arrive while a link awaits its probe answer): every result exact", async () => {
  await using gw = await startGateway({
    faults: { failTokens: new Map([[makeTokens(300, 4)[150], 8]]) },
  });
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const sends: Promise<unknown>[] = [];
  const messages: { alert: string; tokens: string[] }[] = [];
  for (let i = 0; i < 12; i++) {
    const tokens = makeTokens(300, i);
    const alert = `s${i}`;
    messages.push({ alert, tokens });
    sends.push(apns.send(new Message(tokens, { alert })));
    await new Promise((r) => setTimeout(r, 3));
  }
  const results = await within(15_000, Promise.all(sends));
  results.forEach((result, i) => {
    const { alert, tokens } = messages[i];
    const r = checkInvariant(
      result as Parameters<typeof checkInvariant>[0],
      tokens,
      gw.tokens((p) => alertOf(p) === alert),
    );
    assert.equal(r.length, i === 4 ? 299 : 300, alert);
  });
});

for (const command of [2, 1, 0] as BinaryCommand[]) {
  Deno.test(`tiny write buffer (256 B) and payloads larger than it, command ${command}: delivered intact`, async () => {
    await using gw = await startGateway();
    await using session = new Session({
      command,
      writeBufferSize: 256,
      readTailTimeout: 10_000,
    });
    const apns = new APNs(session.getConnection(gw.address, credentials()));
    const small = makeTokens(1000, 1);
    const big = makeTokens(200, 2);
    const bigAlert = "é".repeat(700); // 1,400 bytes of UTF-8
    const [r1, r2] = await within(
      10_000,
      Promise.all([
        apns.send(new Message(small, { alert: "small" })),
        apns.send(new Message(big, { alert: bigAlert })),
      ]),
    );
    checkInvariant(r1, small, gw.tokens((p) => alertOf(p) === "small"));
    checkInvariant(r2, big, gw.tokens((p) => alertOf(p) === bigAlert));
    assert.equal(r1.accepted + r2.accepted, 1200);
    assert.equal(gw.gateway.acceptedCount, 1200);
  });
}

Deno.test("tiny write buffer with failures: every token accounted for", async () => {
  const tokens = makeTokens(2000);
  await using gw = await startGateway({
    faults: {
      failTokens: new Map([[tokens[10], 8], [tokens[1990], 8]]),
      failAtIndex: new Map([[700, 1]]),
    },
  });
  await using session = new Session({
    writeBufferSize: 256,
    readTailTimeout: 10_000,
  });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const result = await within(
    10_000,
    apns.send(new Message(tokens, { alert: "t" })),
  );
  checkInvariant(result, tokens, gw.tokens());
  assert.deepEqual([...result.failed.keys()], [tokens[10], tokens[1990]]);
  assert.equal(result.accepted, 1998);
});

Deno.test("a token given twice in one message is sent twice and counted twice (the documented exception)", async () => {
  await using gw = await startGateway();
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const [a, b] = makeTokens(2);
  const result = await within(
    5000,
    apns.send(new Message([a, b, a], { alert: "dup" })),
  );
  assert.equal(result.accepted, 3);
  assert.equal(result.failed.size, 0);
  assert.equal(result.retry(), null);
  assert.deepEqual(gw.tokens(), [a, b, a]);
});

Deno.test("failTokens given in upper case by the caller: failed is keyed by the token as given", async () => {
  const tokens = makeTokens(50);
  const upper = tokens[20].toUpperCase();
  await using gw = await startGateway({
    faults: { failTokens: new Map([[tokens[20], 8]]) },
  });
  tokens[20] = upper;
  await using session = new Session({ readTailTimeout: 10_000 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const result = await within(
    5000,
    apns.send(new Message(tokens, { alert: "u" })),
  );
  checkInvariant(result, tokens, gw.tokens());
  assert.deepEqual([...result.failed.keys()], [upper]);
});
