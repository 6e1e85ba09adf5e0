// Error responses from the gateway, injected per token (`failTokens`) or per
// position on a connection (`failAtIndex`), and the statuses the gateway
// finds by itself: each token ends accepted, failed or in retry(), once.

import assert from "node:assert/strict";
import { APNs, Message, Session, statusText } from "../../mod.ts";
import {
  checkInvariant,
  credentials,
  type GatewayOptions,
  makeTokens,
  startGateway,
  within,
} from "./_helpers.ts";

const N = 300;
const AT = 120;

/**
 * Token indices a per-connection `failAtIndex` fault at `at` hits when the
 * failed token is not resent (statuses 2, 5, 8): each resend starts a fresh
 * connection with the first token not yet resolved.
 */
function failAtIndexHits(n: number, at: number): number[] {
  const hits: number[] = [];
  let start = 0;
  while (n - start > at) {
    hits.push(start + at);
    start += at + 1;
  }
  return hits;
}

async function sendWith(
  faults: GatewayOptions,
  tokens: string[],
  sessionOptions: ConstructorParameters<typeof Session>[0] = {},
) {
  const gw = await startGateway(faults);
  const session = new Session({ readTailTimeout: 10_000, ...sessionOptions });
  try {
    const apns = new APNs(session.getConnection(gw.address, credentials()));
    const result = await within(
      9000,
      apns.send(new Message(tokens, { alert: "faults" })),
      "send",
    );
    return {
      result,
      atGateway: gw.tokens(),
      errors: gw.gateway.errors,
      connections: gw.gateway.connectionCount,
    };
  } finally {
    await session.shutdown();
    await gw.gateway.close();
  }
}

Deno.test("invalid hex tokens: failed as [8, ...] without being sent; the rest delivered on one connection", async () => {
  const tokens = makeTokens(200);
  const notHex = "zz".repeat(32);
  const oddLength = "abc";
  tokens.splice(50, 0, notHex);
  tokens.splice(150, 0, oddLength);
  const { result, atGateway, errors, connections } = await sendWith(
    {},
    tokens,
  );
  checkInvariant(result, tokens, atGateway);
  assert.equal(result.accepted, 200);
  assert.deepEqual(
    [...result.failed.keys()].sort(),
    [notHex, oddLength].sort(),
  );
  for (const token of [notHex, oddLength]) {
    const [code, why] = result.failed.get(token)!;
    assert.equal(code, 8);
    assert.match(why, /\S/);
  }
  assert.deepEqual(result.errors, []);
  // Not sent: the gateway saw no bad notification, only the probe.
  assert.deepEqual(errors.map((e) => e.status), [2]);
  assert.equal(connections, 1);
});

Deno.test("statuses the gateway finds itself: empty token -> failed [2], 16-byte token -> failed [5]; the rest delivered", async () => {
  const tokens = makeTokens(200);
  const short = "ab".repeat(16);
  tokens[50] = "";
  tokens[120] = short;
  const { result, atGateway, connections } = await sendWith({}, tokens);
  checkInvariant(result, tokens, atGateway);
  assert.equal(result.accepted, 198);
  assert.deepEqual(result.failed.get(""), [2, statusText(2)]);
  assert.deepEqual(result.failed.get(short), [5, statusText(5)]);
  assert.deepEqual(result.errors, []);
  assert.equal(connections, 3);
});

for (const status of [8, 5, 2]) {
  Deno.test(`failTokens status ${status}: the token is failed [${status}, text], every other token delivered once`, async () => {
    const tokens = makeTokens(N);
    const bad = tokens[AT];
    const { result, atGateway, errors, connections } = await sendWith(
      { faults: { failTokens: new Map([[bad, status]]) } },
      tokens,
    );
    checkInvariant(result, tokens, atGateway);
    assert.equal(result.accepted, N - 1);
    assert.deepEqual([...result.failed], [[bad, [status, statusText(status)]]]);
    assert.deepEqual(result.errors, []);
    assert.equal(result.needsRetry(), false);
    assert.deepEqual(
      errors.map((e) => [e.status, e.token]),
      [[status, bad], [2, ""]],
    );
    assert.equal(connections, 2);
  });

  Deno.test(`failAtIndex status ${status}: the token at that position of each connection is failed, the rest delivered`, async () => {
    const tokens = makeTokens(N);
    const hits = failAtIndexHits(N, AT);
    assert.deepEqual(hits, [120, 241]);
    const { result, atGateway, connections } = await sendWith(
      { faults: { failAtIndex: new Map([[AT, status]]) } },
      tokens,
    );
    checkInvariant(result, tokens, atGateway);
    assert.deepEqual(
      [...result.failed],
      hits.map((i) => [tokens[i], [status, statusText(status)]]),
    );
    assert.equal(result.accepted, N - hits.length);
    assert.deepEqual(result.errors, []);
    assert.equal(connections, hits.length + 1);
  });
}

for (const status of [1, 255]) {
  Deno.test(`failAtIndex status ${status}: reported in errors, the token resent automatically and delivered`, async () => {
    const tokens = makeTokens(N);
    const { result, atGateway, errors, connections } = await sendWith(
      { faults: { failAtIndex: new Map([[AT, status]]) } },
      tokens,
    );
    checkInvariant(result, tokens, atGateway);
    assert.equal(result.accepted, N);
    assert.equal(result.failed.size, 0);
    assert.equal(result.retry(), null);
    assert.ok(result.errors.length >= 1);
    for (const entry of result.errors) {
      assert.deepEqual(entry, [status, statusText(status)]);
    }
    // 300 tokens, 120 accepted before each fault: 300 -> 180 -> 60 left, so
    // two connections fail (whatever order the resend uses), each at a
    // different token, and the third delivers the rest.
    const hit = errors.filter((e) => e.status === status).map((e) => e.token);
    assert.equal(hit.length, 2);
    assert.notEqual(hit[0], hit[1]);
    assert.equal(hit[0], tokens[AT]);
    assert.equal(connections, 3);
  });

  Deno.test(`failTokens status ${status} (repeats on every attempt): the token ends in retry() after retryLimit rounds, nothing lost`, async () => {
    const tokens = makeTokens(N);
    const bad = tokens[AT];
    const { result, atGateway, connections } = await sendWith(
      { faults: { failTokens: new Map([[bad, status]]) } },
      tokens,
      { retryLimit: 2 },
    );
    checkInvariant(result, tokens, atGateway);
    // The culprit alone is left over; the innocent tokens after it, which
    // the gateway discarded with it, were resent and delivered.
    assert.deepEqual(result.retryTokens, [bad]);
    assert.equal(result.accepted, N - 1);
    assert.ok(result.needsRetry());
    assert.equal(result.failed.size, 0);
    assert.ok(
      result.errors.some(([code, why]) =>
        code === status && why === statusText(status)
      ),
    );
    assert.ok(result.errors.some(([code]) => code === null));
    // Bounded: at most the rounds with progress plus retryLimit + 1 stalls.
    assert.ok(connections <= 2 + 2 + 1, `${connections} connections`);
  });
}

for (const status of [7, 3, 4, 6]) {
  Deno.test(`failTokens status ${status}: in errors, needsRetry() false, retry() still returns the undelivered tokens`, async () => {
    const tokens = makeTokens(N);
    const { result, atGateway } = await sendWith(
      { faults: { failTokens: new Map([[tokens[AT], status]]) } },
      tokens,
    );
    checkInvariant(result, tokens, atGateway);
    assert.equal(result.accepted, AT);
    assert.equal(result.failed.size, 0);
    assert.deepEqual(result.errors, [[status, statusText(status)]]);
    assert.equal(result.needsRetry(), false);
    assert.deepEqual(result.retry()?.tokens, tokens.slice(AT));
  });
}

Deno.test("failAtIndex status 7: in errors, needsRetry() false, retry() returns the token and everything after it", async () => {
  const tokens = makeTokens(N);
  const { result, atGateway, connections } = await sendWith(
    { faults: { failAtIndex: new Map([[AT, 7]]) } },
    tokens,
  );
  checkInvariant(result, tokens, atGateway);
  assert.equal(result.accepted, AT);
  assert.deepEqual(result.errors, [[7, statusText(7)]]);
  assert.equal(result.needsRetry(), false);
  assert.deepEqual(result.retry()?.tokens, tokens.slice(AT));
  assert.equal(connections, 1, "no resend after a final status");
});

Deno.test("payload above the gateway's limit: status 7 for the first token, nothing accepted, needsRetry() false", async () => {
  const tokens = makeTokens(50);
  const { result, atGateway } = await sendWith(
    { maxPayloadBytes: 16 },
    tokens,
  );
  checkInvariant(result, tokens, atGateway);
  assert.equal(result.accepted, 0);
  assert.deepEqual(result.errors, [[7, statusText(7)]]);
  assert.equal(result.needsRetry(), false);
  assert.deepEqual(result.retry()?.tokens, tokens);
});

Deno.test("payload the binary protocol cannot carry (> 65535 bytes): errors [7, ...] without connecting", async () => {
  await using gw = await startGateway();
  await using session = new Session();
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const tokens = makeTokens(3);
  const result = await within(
    3000,
    apns.send(new Message(tokens, { alert: "x".repeat(70_000) })),
  );
  checkInvariant(result, tokens, gw.tokens());
  assert.equal(result.accepted, 0);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0][0], 7);
  assert.equal(result.needsRetry(), false);
  assert.deepEqual(result.retry()?.tokens, tokens);
  assert.equal(gw.gateway.connectionCount, 0);
});

Deno.test("failAtIndex 0 with status 1 (no progress on any connection): gives up after retryLimit rounds, all tokens in retry()", async () => {
  const tokens = makeTokens(40);
  const { result, atGateway, connections } = await sendWith(
    { faults: { failAtIndex: new Map([[0, 1]]) } },
    tokens,
    { retryLimit: 2 },
  );
  checkInvariant(result, tokens, atGateway);
  assert.equal(result.accepted, 0);
  assert.deepEqual(result.retryTokens, tokens);
  assert.ok(result.needsRetry());
  assert.ok(result.errors.some(([code]) => code === 1));
  assert.ok(result.errors.some(([code]) => code === null));
  assert.ok(connections <= 4, `${connections} connections`);
});

Deno.test("command 1: a failing token is attributed through its identifier like command 2", async () => {
  const tokens = makeTokens(N);
  const bad = tokens[AT];
  const { result, atGateway } = await sendWith(
    { faults: { failTokens: new Map([[bad, 8]]) } },
    tokens,
    { command: 1 },
  );
  checkInvariant(result, tokens, atGateway);
  assert.deepEqual([...result.failed], [[bad, [8, statusText(8)]]]);
  assert.equal(result.accepted, N - 1);
});

Deno.test("command 0: a failure names no identifier: nothing proven, the written tokens go to retry(), errors [8, ...]", async () => {
  const tokens = makeTokens(N);
  const bad = tokens[AT];
  const { result, atGateway } = await sendWith(
    { faults: { failTokens: new Map([[bad, 8]]) } },
    tokens,
    { command: 0 },
  );
  // The gateway accepted the tokens before the bad one, but the client
  // cannot know which: they are unproven.
  checkInvariant(result, tokens, atGateway, { unproven: true });
  assert.equal(result.failed.size, 0);
  assert.ok(result.errors.some(([code]) => code === 8));
  assert.ok(result.retryTokens.includes(bad));
});
