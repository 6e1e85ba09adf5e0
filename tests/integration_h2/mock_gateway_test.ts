// The HTTP/2 provider API end to end over real TLS on 127.0.0.1: the public
// API (Session, APNs, Message, Result, BroadcastChannels) against
// MockHttp2Gateway with its auth modes and injected faults. Every send is
// checked with checkContract: each token accepted (and at the gateway once),
// failed, or in retry(), exactly once.

import assert from "node:assert/strict";
import {
  APNs,
  ApnsError,
  BroadcastChannels,
  type Connection,
  type ConnectOptions,
  DenoTlsTransport,
  HttpStatusError,
  Message,
  Session,
  TlsError,
  type Transport,
} from "../../mod.ts";
import {
  certCredentials,
  checkContract,
  fixture,
  gatewayTokenAuth,
  h2Address,
  makeTokens,
  sleep,
  startH2,
  tokenAt,
  tokenCredentials,
  within,
} from "./_helpers.ts";

const TOPIC = "com.example.app";

Deno.test("h2 certificate auth: 10,000 tokens accepted, apns-ids and fields as sent", async () => {
  const lines: string[] = [];
  await using gw = await startH2({
    auth: "certificate",
    record: (line) => lines.push(line),
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(10_000);
  const expiry = 2_000_000_000;
  const message = new Message(tokens, {
    alert: { title: "Größe", body: "10k ✓" },
    badge: 7,
    sound: "chime.caf",
    extra: { order: 42, tags: ["a", "b"] },
    topic: TOPIC,
    pushType: "alert",
    priority: 5,
    expiry,
    collapseId: "group-7",
  });
  const t0 = performance.now();
  const result = await within(60_000, new APNs(con).send(message), "send");
  const ms = performance.now() - t0;
  console.log(
    `  10,000 notifications in ${ms.toFixed(0)} ms (${
      (10_000 / ms * 1000).toFixed(0)
    }/s) over ${gw.gateway.connectionCount} connection(s)`,
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 10_000);
  assert.deepEqual(result.errors, []);
  assert.equal(result.needsRetry(), false);
  // apns-ids: one per token, equal to what the gateway answered.
  assert.equal(result.apnsIds.size, 10_000);
  for (const a of gw.gateway.accepted) {
    assert.equal(result.apnsIds.get(a.token), a.id, `apns-id of ${a.token}`);
  }
  // Every recorded line carries the fields as sent.
  assert.equal(lines.length, 10_000);
  const payload = JSON.parse(message.payloadJson);
  const seen = new Set<string>();
  for (const line of lines) {
    const r = JSON.parse(line);
    seen.add(r.token);
    assert.equal(r.id, result.apnsIds.get(r.token));
    assert.deepEqual(r.payload, payload);
    assert.equal(r.topic, TOPIC);
    assert.equal(r.pushType, "alert");
    assert.equal(r.priority, 5);
    assert.equal(r.expiry, expiry);
    assert.equal(r.collapseId, "group-7");
  }
  assert.equal(seen.size, 10_000);
  assert.deepEqual(payload, {
    aps: {
      alert: { title: "Größe", body: "10k ✓" },
      badge: 7,
      sound: "chime.caf",
    },
    order: 42,
    tags: ["a", "b"],
  });
});

Deno.test("h2 certificate auth: no topic in the message means the certificate's UID", async () => {
  await using gw = await startH2({ auth: "certificate" });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(50);
  const result = await within(
    20_000,
    new APNs(con).send(new Message(tokens, { alert: "default topic" })),
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 50);
  for (const a of gw.gateway.accepted) assert.equal(a.topic, TOPIC);
});

Deno.test("h2 token auth (MAX_CONCURRENT_STREAMS 1 until the first accept): all accepted", async () => {
  await using gw = await startH2({
    auth: gatewayTokenAuth(),
    faults: { tokenAuthStartsAtOne: true },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), tokenCredentials());
  const tokens = makeTokens(3000);
  const result = await within(
    60_000,
    new APNs(con).send(new Message(tokens, { alert: "token", topic: TOPIC })),
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 3000);
  assert.deepEqual(result.errors, []);
  assert.equal(result.apnsIds.size, 3000);
  assert.equal(gw.gateway.rejectedCount, 0);
  for (const a of gw.gateway.accepted) assert.equal(a.topic, TOPIC);
});

Deno.test("h2 token auth: wrong team or key id stops the send early, all tokens in retry()", async () => {
  await using gw = await startH2({
    auth: gatewayTokenAuth(),
    faults: { tokenAuthStartsAtOne: true },
  });
  await using session = new Session();
  const tokens = makeTokens(5000);
  for (
    const [i, wrong] of [{ teamId: "WRONGTEAM1" }, { keyId: "WRONGKEY01" }]
      .entries()
  ) {
    const before = gw.gateway.rejectedCount;
    const con = session.getConnection(
      h2Address(gw.port),
      tokenCredentials(wrong),
    );
    const result = await within(
      30_000,
      new APNs(con).send(new Message(tokens, { alert: "x", topic: TOPIC })),
    );
    checkContract(result, tokens, []);
    assert.equal(result.accepted, 0);
    assert.equal(result.failed.size, 0);
    assert.equal(result.retryTokens.length, 5000, `case ${i}`);
    assert.deepEqual(result.errors, [[403, "InvalidProviderToken"]]);
    assert.equal(result.needsRetry(), false);
    const seen = gw.gateway.rejectedCount - before;
    console.log(`  ${JSON.stringify(wrong)}: gateway saw ${seen} of 5000`);
    assert.ok(seen >= 1 && seen <= 64, `stopped early: saw ${seen}`);
    assert.ok(
      gw.gateway.rejected.slice(before).every((r) =>
        r.status === 403 && r.reason === "InvalidProviderToken"
      ),
    );
  }
  assert.equal(gw.gateway.acceptedCount, 0);
});

Deno.test("h2 token auth: ExpiredProviderToken triggers one shared refresh, all delivered", async () => {
  // The gateway's clock runs 3600 s - 3 s ahead: with Apple's one-hour limit
  // a token looks expired 3 s after it was signed (real time), while a
  // freshly signed one is still good for the rest of the send.
  const AHEAD = 3600_000 - 3000;
  await using gw = await startH2({
    auth: gatewayTokenAuth(),
    now: () => Date.now() + AHEAD,
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), tokenCredentials());
  const apns = new APNs(con);
  const first = makeTokens(200, 1);
  const r1 = await within(
    20_000,
    apns.send(new Message(first, { alert: "1", topic: TOPIC })),
  );
  checkContract(r1, first, gw.gateway.accepted.map((a) => a.token));
  assert.equal(r1.accepted, 200);
  assert.equal(gw.gateway.rejectedCount, 0);
  await sleep(3200); // the first token is now older than 3 s
  const second = makeTokens(2000, 2);
  const t0 = performance.now();
  const r2 = await within(
    20_000,
    apns.send(new Message(second, { alert: "2", topic: TOPIC })),
  );
  const ms = performance.now() - t0;
  const expired = gw.gateway.rejected.filter((r) =>
    r.reason === "ExpiredProviderToken"
  );
  console.log(
    `  ${expired.length} ExpiredProviderToken answers, then 2000 accepted in ${
      ms.toFixed(0)
    } ms`,
  );
  assert.ok(ms < 1900, "the second send must end before the new token ages");
  checkContract(
    r2,
    second,
    gw.gateway.accepted.slice(200).map((a) => a.token),
  );
  assert.equal(r2.accepted, 2000);
  assert.deepEqual(r2.errors, []);
  assert.ok(expired.length >= 1);
  assert.equal(gw.gateway.rejectedCount, expired.length);
  // Every request that saw the stale token was resent once and accepted.
  const secondSet = new Set(second);
  for (const r of expired) assert.ok(secondSet.has(r.token));
});

Deno.test("h2 token auth: ExpiredProviderToken followed by GOAWAY (as Apple does)", async () => {
  const AHEAD = 3600_000 - 3000;
  await using gw = await startH2({
    auth: gatewayTokenAuth({ goawayOnExpired: true }),
    now: () => Date.now() + AHEAD,
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), tokenCredentials());
  const apns = new APNs(con);
  const first = makeTokens(100, 1);
  const r1 = await within(
    20_000,
    apns.send(new Message(first, { alert: "1", topic: TOPIC })),
  );
  assert.equal(r1.accepted, 100);
  await sleep(3200);
  const second = makeTokens(2000, 2);
  const t0 = performance.now();
  const r2 = await within(
    20_000,
    apns.send(new Message(second, { alert: "2", topic: TOPIC })),
  );
  const ms = performance.now() - t0;
  assert.ok(ms < 1900, "the second send must end before the new token ages");
  const expired = gw.gateway.rejected.filter((r) =>
    r.reason === "ExpiredProviderToken"
  );
  console.log(
    `  ${expired.length} ExpiredProviderToken (+GOAWAY); ${r2.accepted} accepted over ${gw.gateway.connectionCount} connections; errors ${
      JSON.stringify(r2.errors)
    }`,
  );
  checkContract(
    r2,
    second,
    gw.gateway.accepted.slice(100).map((a) => a.token),
  );
  assert.equal(r2.accepted, 2000);
  assert.deepEqual(r2.errors, []);
  assert.ok(expired.length >= 1);
});

Deno.test("h2 idle connections closed by the server (GOAWAY IdleTimeout): the next send reconnects", async () => {
  await using gw = await startH2({
    auth: "certificate",
    faults: { idleTimeoutMs: 100 },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const apns = new APNs(con);
  const all: string[] = [];
  for (let round = 0; round < 3; round++) {
    const tokens = makeTokens(200, 10 + round);
    all.push(...tokens);
    const r = await within(
      20_000,
      apns.send(new Message(tokens, { alert: `idle ${round}` })),
    );
    checkContract(
      r,
      tokens,
      gw.gateway.accepted.filter((a) => alert(a.payload) === `idle ${round}`)
        .map((a) => a.token),
    );
    assert.equal(
      r.accepted,
      200,
      `round ${round}: ${JSON.stringify(r.errors)}`,
    );
    await sleep(300);
  }
  assert.ok(gw.gateway.connectionCount >= 3, "one connection per round");
  assert.equal(gw.gateway.acceptedCount, 600);
});

Deno.test("h2 keep-alive PINGs on an idle connection; the connection is reused", async () => {
  await using gw = await startH2({ auth: "certificate" });
  await using session = new Session({ pingInterval: 50, pingTimeout: 1000 });
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const apns = new APNs(con);
  const a = makeTokens(10, 1);
  const b = makeTokens(10, 2);
  const ra = await within(5000, apns.send(new Message(a, { alert: "a" })));
  await sleep(400); // several PING rounds
  const rb = await within(5000, apns.send(new Message(b, { alert: "b" })));
  assert.equal(ra.accepted + rb.accepted, 20);
  assert.equal(gw.gateway.connectionCount, 1, "the pinged connection lived");
  const ids = new Set(gw.gateway.accepted.map((x) => x.connection));
  assert.deepEqual(ids, new Set([1]));
});

Deno.test("h2 certificate not from the gateway's CA: send rejects with TlsError", async () => {
  await using gw = await startH2({ auth: "certificate" });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), {
    certString: fixture("rogue.crt"),
    keyString: fixture("rogue.key"),
    caCerts: fixture("ca.crt"),
  });
  const tokens = makeTokens(5);
  const outcome = await within(
    10_000,
    new APNs(con).send(new Message(tokens, { alert: "rogue" })).then(
      (r) => r,
      (e) => e,
    ),
  );
  if (outcome instanceof Error) {
    assert.ok(
      outcome instanceof TlsError,
      `${outcome.name}: ${outcome.message}`,
    );
  } else {
    // Accepted TLS 1.3 handshake, rejected at the first read: nothing may
    // count as accepted, every token in retry().
    checkContract(outcome, tokens, []);
    assert.equal(outcome.accepted, 0);
    assert.fail(
      `expected a TlsError, got a result with errors ${
        JSON.stringify(outcome.errors)
      }`,
    );
  }
  assert.equal(gw.gateway.acceptedCount, 0);
  assert.ok(gw.gateway.tlsErrors >= 1);
});

Deno.test("h2 per-token reasons: 400/410 fail, 429/500/503 go to retry()", async () => {
  const T = makeTokens(100);
  const stamp = 1_700_000_000_123;
  const reasons = new Map([
    [T[3], { status: 400, reason: "BadDeviceToken" }],
    [T[10], { status: 400, reason: "DeviceTokenNotForTopic" }],
    [T[20], { status: 410, reason: "Unregistered", timestamp: stamp }],
    [T[30], { status: 429, reason: "TooManyRequests" }],
    [T[40], { status: 500, reason: "InternalServerError" }],
    [T[50], { status: 503, reason: "ServiceUnavailable" }],
  ]);
  await using gw = await startH2({ auth: "certificate", faults: { reasons } });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const result = await within(
    20_000,
    new APNs(con).send(new Message(T, { alert: "reasons" })),
  );
  checkContract(result, T, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 94);
  assert.deepEqual(
    result.failed,
    new Map<string, [number, string]>([
      [T[3], [400, "BadDeviceToken"]],
      [T[10], [400, "DeviceTokenNotForTopic"]],
      [T[20], [410, "Unregistered"]],
    ]),
  );
  assert.equal(result.unregistered.size, 1);
  assert.equal(result.unregistered.get(T[20])?.getTime(), stamp);
  assert.deepEqual(new Set(result.retryTokens), new Set([T[30], T[40], T[50]]));
  assert.equal(result.needsRetry(), true);
  assert.deepEqual(
    new Set(result.errors.map((e) => JSON.stringify(e))),
    new Set([
      [429, "TooManyRequests"],
      [500, "InternalServerError"],
      [503, "ServiceUnavailable"],
    ].map((e) => JSON.stringify(e))),
  );
  assert.equal(result.apnsIds.size, 94);
  assert.ok(!result.apnsIds.has(T[3]) && !result.apnsIds.has(T[30]));
});

Deno.test("h2 message-level: payload too large is refused locally, nothing sent", async () => {
  await using gw = await startH2({ auth: "certificate" });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(500);
  const big = new Message(tokens, { alert: "x".repeat(4100) });
  assert.ok(big.payloadBytes.length > 4096);
  const result = await within(20_000, new APNs(con).send(big));
  checkContract(result, tokens, []);
  assert.deepEqual(result.errors, [[413, "PayloadTooLarge"]]);
  assert.equal(result.retryTokens.length, 500);
  assert.equal(result.needsRetry(), false);
  assert.equal(gw.gateway.acceptedCount + gw.gateway.rejectedCount, 0);
  assert.equal(gw.gateway.connectionCount, 0, "not even a connection");
});

Deno.test("h2 message-level: an unknown push type gives [400, InvalidPushType]", async () => {
  await using gw = await startH2({ auth: "certificate" });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(300);
  const result = await within(
    20_000,
    new APNs(con).send(
      new Message(tokens, { alert: "x", pushType: "bogus" as never }),
    ),
  );
  checkContract(result, tokens, []);
  assert.deepEqual(result.errors, [[400, "InvalidPushType"]]);
  assert.equal(result.retryTokens.length, 300);
  assert.equal(result.needsRetry(), false);
  assert.equal(gw.gateway.acceptedCount, 0);
  // Refused before sending, or the first answer stopped the rest.
  assert.ok(gw.gateway.rejectedCount <= 64);
});

Deno.test("h2 message-level: token auth without a topic gives [400, MissingTopic], nothing sent", async () => {
  await using gw = await startH2({ auth: gatewayTokenAuth() });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), tokenCredentials());
  const tokens = makeTokens(100);
  const result = await within(
    20_000,
    new APNs(con).send(new Message(tokens, { alert: "no topic" })),
  );
  checkContract(result, tokens, []);
  assert.deepEqual(result.errors, [[400, "MissingTopic"]]);
  assert.equal(result.retryTokens.length, 100);
  assert.equal(result.needsRetry(), false);
  assert.equal(gw.gateway.acceptedCount + gw.gateway.rejectedCount, 0);
});

Deno.test("h2 message-level: a non-hex token fails locally, the rest is delivered", async () => {
  await using gw = await startH2({ auth: "certificate" });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  // Upper-case hex is fine (the gateway sees it lower-cased).
  const good = makeTokens(60).map((t, i) => i % 2 ? t.toUpperCase() : t);
  const bad = "zz" + "0".repeat(62);
  const odd = "abc";
  const tokens = [...good.slice(0, 30), bad, ...good.slice(30), odd];
  const result = await within(
    20_000,
    new APNs(con).send(new Message(tokens, { alert: "mixed" })),
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 60);
  assert.deepEqual(
    result.failed,
    new Map<string, [number, string]>([
      [bad, [400, "BadDeviceToken"]],
      [odd, [400, "BadDeviceToken"]],
    ]),
  );
  assert.equal(gw.gateway.rejectedCount, 0, "the bad tokens were not sent");
  assert.deepEqual(result.errors, []);
});

Deno.test("h2 MAX_CONCURRENT_STREAMS 1: 2,000 tokens delivered exactly once", async () => {
  await using gw = await startH2({
    auth: "certificate",
    faults: { maxConcurrentStreams: 1 },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(2000);
  const t0 = performance.now();
  const result = await within(
    60_000,
    new APNs(con).send(new Message(tokens, { alert: "one at a time" })),
  );
  const ms = performance.now() - t0;
  console.log(
    `  MAX_CONCURRENT_STREAMS 1: 2000 in ${ms.toFixed(0)} ms = ${
      (2000 / ms * 1000).toFixed(0)
    }/s over ${gw.gateway.connectionCount} connection(s)`,
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 2000);
  assert.deepEqual(result.errors, []);
});

Deno.test("h2 GOAWAY every 300 streams: 5,000 tokens delivered exactly once across reconnects", async () => {
  await using gw = await startH2({
    auth: "certificate",
    faults: { goawayAfter: 300 },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(5000);
  const t0 = performance.now();
  const result = await within(
    60_000,
    new APNs(con).send(new Message(tokens, { alert: "goaway" })),
  );
  const ms = performance.now() - t0;
  console.log(
    `  GOAWAY/300: 5000 in ${
      ms.toFixed(0)
    } ms over ${gw.gateway.connectionCount} connections: accepted ${result.accepted}, retry ${result.retryTokens.length}, errors ${
      JSON.stringify(result.errors)
    }`,
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token));
  assert.equal(result.accepted, 5000);
  assert.deepEqual(result.errors, []);
  assert.ok(gw.gateway.connectionCount >= Math.ceil(5000 / 300));
  for (const a of gw.gateway.accepted) {
    assert.ok(a.streamId <= 2 * 300 + 1, `stream ${a.streamId} past GOAWAY`);
  }
});

Deno.test("h2 connection dropped after N answers: nothing lost, nothing sent twice", async () => {
  await using gw = await startH2({
    auth: "certificate",
    faults: { dropAfter: 150 },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(1500);
  const result = await within(
    60_000,
    new APNs(con).send(new Message(tokens, { alert: "drop" })),
  );
  console.log(
    `  dropAfter 150: accepted ${result.accepted}, retry ${result.retryTokens.length}, gateway accepted ${gw.gateway.acceptedCount} over ${gw.gateway.connectionCount} connections; errors ${
      JSON.stringify(result.errors)
    }`,
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token), {
    unproven: true,
  });
  assert.ok(result.accepted >= 150);
  assert.ok(result.retryTokens.length > 0, "in-flight tokens go to retry()");
  assert.ok(result.errors.some(([code]) => code === null));
  assert.equal(result.failed.size, 0);
});

Deno.test("h2 connection dropped right after the handshake: send rejects, nothing counted", async () => {
  await using gw = await startH2({
    auth: "certificate",
    faults: { dropAfter: 0 },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const e = await within(
    10_000,
    new APNs(con).send(new Message(makeTokens(10), { alert: "x" })).then(
      (r) => r,
      (e) => e,
    ),
  );
  assert.ok(e instanceof ApnsError, `rejects with an ApnsError: ${e}`);
  console.log(`  ${e.name} ${e.code}: ${e.message}`);
  assert.equal(gw.gateway.acceptedCount, 0);
});

Deno.test("h2 slow server: requestTimeout sends tokens to retry() with a timeout error", async () => {
  await using gw = await startH2({
    auth: "certificate",
    faults: { delayMs: 1500 },
  });
  await using session = new Session({ requestTimeout: 200 });
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(20);
  const t0 = performance.now();
  const result = await within(
    10_000,
    new APNs(con).send(new Message(tokens, { alert: "slow" })),
  );
  const ms = performance.now() - t0;
  console.log(`  timed out after ${ms.toFixed(0)} ms: ${result.errors[0]}`);
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token), {
    unproven: true,
  });
  assert.equal(result.accepted, 0);
  assert.equal(result.retryTokens.length, 20);
  assert.ok(
    result.errors.some(([code, why]) => code === null && /200 ms/.test(why)),
    `a timeout error: ${JSON.stringify(result.errors)}`,
  );
  assert.equal(result.needsRetry(), true);
  assert.ok(ms < 1400, `the send ended before the server answered (${ms})`);
});

Deno.test("h2 slow server: timeouts of many streams give a short errors list", async () => {
  // Result.errors deduplicates by [code, text]; a text naming the stream
  // makes one entry per token, unbounded with streamed token lists.
  await using gw = await startH2({
    auth: "certificate",
    faults: { delayMs: 1500 },
  });
  await using session = new Session({ requestTimeout: 200 });
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const tokens = makeTokens(200);
  const result = await within(
    10_000,
    new APNs(con).send(new Message(tokens, { alert: "slow" })),
  );
  checkContract(result, tokens, gw.gateway.accepted.map((a) => a.token), {
    unproven: true,
  });
  assert.equal(result.retryTokens.length, 200);
  assert.ok(
    result.errors.length <= 3,
    `errors has ${result.errors.length} entries, e.g. ${
      JSON.stringify(result.errors.slice(0, 3))
    }`,
  );
});

Deno.test("h2 streaming: 100,000 tokens from an async generator, apnsIds empty by default", async () => {
  const seen = new Set<string>();
  let duplicates = 0;
  await using gw = await startH2({
    auth: "certificate",
    retain: false,
    onAccepted: (a) => {
      if (seen.has(a.token)) duplicates++;
      seen.add(a.token);
    },
  });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), certCredentials());
  const N = 100_000;
  let pulled = 0;
  async function* generate(): AsyncGenerator<string> {
    for (let i = 0; i < N; i++) {
      pulled++;
      if (i % 1000 === 0) await Promise.resolve();
      yield tokenAt(i, 9);
    }
  }
  const rssBefore = Deno.memoryUsage().rss;
  const t0 = performance.now();
  const result = await within(
    120_000,
    new APNs(con).send(new Message([], { alert: "stream" }), {
      tokens: generate(),
    }),
  );
  const ms = performance.now() - t0;
  const rssAfter = Deno.memoryUsage().rss;
  console.log(
    `  100,000 streamed in ${ms.toFixed(0)} ms (${
      (N / ms * 1000).toFixed(0)
    }/s); rss ${(rssBefore / 2 ** 20).toFixed(1)} MiB -> ${
      (rssAfter / 2 ** 20).toFixed(1)
    } MiB (gateway's token set included)`,
  );
  assert.equal(pulled, N);
  assert.equal(result.accepted, N);
  assert.equal(result.failed.size, 0);
  assert.equal(result.retryTokens.length, 0);
  assert.deepEqual(result.errors, []);
  assert.equal(result.apnsIds.size, 0);
  assert.equal(duplicates, 0);
  assert.equal(gw.gateway.acceptedCount, N);
  assert.equal(seen.size, N);
  for (let i = 0; i < N; i += 997) assert.ok(seen.has(tokenAt(i, 9)));
});

/** Counts the connections it opened and those still open. */
class CountingTransport implements Transport {
  readonly name = "counting";
  readonly #inner = new DenoTlsTransport();
  opened = 0;
  open = 0;
  readonly #closed: Promise<void>[] = [];

  async connect(options: ConnectOptions): Promise<Connection> {
    const conn = await this.#inner.connect(options);
    this.opened++;
    this.open++;
    this.#closed.push(conn.closed.then(() => void this.open--));
    return conn;
  }

  allClosed(): Promise<void> {
    return Promise.all(this.#closed).then(() => {});
  }
}

Deno.test("h2 pool: equal token credentials share one entry; shutdown closes everything", async () => {
  await using gw = await startH2({ auth: gatewayTokenAuth() });
  const transport = new CountingTransport();
  await using session = new Session({ transport });
  const a = session.getConnection(h2Address(gw.port), tokenCredentials());
  const b = session.getConnection(h2Address(gw.port), tokenCredentials());
  const ta = makeTokens(400, 1);
  const tb = makeTokens(400, 2);
  const [ra, rb] = await within(
    20_000,
    Promise.all([
      new APNs(a).send(new Message(ta, { alert: "a", topic: TOPIC })),
      new APNs(b).send(new Message(tb, { alert: "b", topic: TOPIC })),
    ]),
  );
  assert.equal(session.size, 1);
  const at = gw.gateway.accepted;
  checkContract(
    ra,
    ta,
    at.filter((x) => alert(x.payload) === "a").map((x) => x.token),
  );
  checkContract(
    rb,
    tb,
    at.filter((x) => alert(x.payload) === "b").map((x) => x.token),
  );
  assert.ok(transport.opened >= 1 && transport.opened <= 2);
  assert.equal(gw.gateway.connectionCount, transport.opened);
  await session.shutdown();
  assert.equal(session.size, 0);
  await within(5000, transport.allClosed(), "every connection closed");
  assert.equal(transport.open, 0);
});

function alert(payload: Record<string, unknown>): unknown {
  return (payload.aps as { alert?: unknown } | undefined)?.alert;
}

Deno.test("h2 broadcast: channel lifecycle and a broadcast send; errors are HttpStatusError", async () => {
  await using gw = await startH2({ auth: gatewayTokenAuth() });
  await using session = new Session();
  const con = session.getConnection(h2Address(gw.port), tokenCredentials());
  const channels = new BroadcastChannels(con, TOPIC);
  const id = await within(5000, channels.create({ messageStoragePolicy: 1 }));
  assert.match(id, /^[A-Za-z0-9+/]{22}==$/);
  assert.deepEqual(await within(5000, channels.read(id)), {
    channelId: id,
    messageStoragePolicy: 1,
    pushType: "LiveActivity",
  });
  assert.deepEqual(await within(5000, channels.list()), [id]);
  const message = new Message([], {
    payload: { aps: { event: "update", "content-state": { score: 3 } } },
    pushType: "liveactivity",
    topic: `${TOPIC}.push-type.liveactivity`,
    priority: 5,
  });
  const apns = new APNs(con);
  const sent = await within(5000, apns.broadcast(id, message));
  assert.equal(sent.accepted, 1);
  assert.deepEqual(sent.errors, []);
  assert.equal(sent.failed.size, 0);
  assert.equal(sent.retryTokens.length, 0);
  assert.equal(sent.apnsIds.size, 1);
  const got = gw.gateway.broadcasts.accepted;
  assert.equal(got.length, 1);
  assert.equal(got[0].channelId, id);
  assert.equal(got[0].bundleId, TOPIC);
  assert.deepEqual(got[0].payload, JSON.parse(message.payloadJson));
  assert.equal(got[0].priority, 5);
  assert.equal(got[0].expiry, message.expiry);
  await within(5000, channels.delete(id));
  assert.deepEqual(await within(5000, channels.list()), []);
  // A 404 is a clear HttpStatusError.
  for (
    const [what, op] of [
      ["read channel", () => channels.read(id)],
      ["delete channel", () => channels.delete(id)],
    ] as const
  ) {
    const e = await within(5000, (op() as Promise<unknown>).catch((e) => e));
    assert.ok(e instanceof HttpStatusError, `${what}: ${e}`);
    assert.equal(e.code, "ERR_APNS_HTTP");
    assert.equal(e.status, 404);
    assert.equal(e.reason, "ChannelNotRegistered");
    assert.equal(e.message, `${what}: HTTP 404 ChannelNotRegistered`);
  }
  // A broadcast to the deleted channel: the channel id fails, like a token.
  const gone = await within(5000, apns.broadcast(id, message));
  assert.equal(gone.accepted, 0);
  assert.deepEqual(
    gone.failed,
    new Map<string, [number, string]>([[id, [400, "BadChannelId"]]]),
  );
  assert.equal(gone.retryTokens.length, 0);
  assert.equal(gw.gateway.broadcasts.accepted.length, 1);
});
