// Injected faults of the mock HTTP/2 gateway, seen from a scripted client:
// per-token reasons (410 with timestamp), GOAWAY after N streams, delays,
// silent drops, token auth's MAX_CONCURRENT_STREAMS 1 start and the GOAWAY
// that follows ExpiredProviderToken.

import assert from "node:assert/strict";
import { FrameType } from "../../../src/http2/frame/mod.ts";
import { ProviderToken } from "../../../src/auth/provider_token.ts";
import { type H2Faults, MockHttp2Gateway } from "../../../src/server/mod.ts";
import {
  field,
  fixture,
  PAYLOAD,
  PREFACE_AND_SETTINGS,
  RawH2,
  SERVER_TLS,
  T1,
  T2,
  T3,
  TOPIC,
} from "./_helpers.ts";

const hex = (s: string) => Uint8Array.fromHex(s.replace(/\s/g, ""));

async function gateway(faults: H2Faults) {
  const gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: "certificate",
    faults,
  });
  const { port } = await gw.listen();
  return { gw, port };
}

Deno.test("faults: reasons per token, 410 with its timestamp", async () => {
  const { gw, port } = await gateway({
    reasons: new Map([
      [T2, { status: 410, reason: "Unregistered", timestamp: 1600000000123 }],
      [T3, { status: 429, reason: "TooManyRequests" }],
    ]),
  });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const id = "3A1F2B4C-0000-4000-8000-00000000BEEF";
    c.request(1, `/3/device/${T1}`, [], PAYLOAD);
    c.request(3, `/3/device/${T2}`, [["apns-id", id]], PAYLOAD);
    c.request(5, `/3/device/${T3}`, [], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    const r3 = await c.response(3);
    assert.equal(r3.status, 410);
    assert.equal(field(r3.fields, "apns-id"), id);
    assert.deepEqual(JSON.parse(r3.body), {
      reason: "Unregistered",
      timestamp: 1600000000123,
    });
    const r5 = await c.response(5);
    assert.deepEqual([r5.status, r5.body], [
      429,
      '{"reason":"TooManyRequests"}',
    ]);
    assert.deepEqual(
      gw.rejected.map((r) => [r.status, r.reason, r.token, r.timestamp]),
      [[410, "Unregistered", T2, 1600000000123], [
        429,
        "TooManyRequests",
        T3,
        undefined,
      ]],
    );
  } finally {
    await c.close();
  }
});

Deno.test("faults: goawayAfter 2 answers streams 1 and 3, ignores 5 and 7, closes", async () => {
  const { gw, port } = await gateway({
    goawayAfter: 2,
    goawayReason: "Maintenance",
  });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    for (const s of [1, 3, 5, 7]) c.request(s, `/3/device/${T1}`, [], PAYLOAD);
    await c.flush();
    const g = await c.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.deepEqual([g.lastStreamId, g.errorCode], [3, 0]);
    assert.equal(
      new TextDecoder().decode(g.debugData),
      '{"reason":"Maintenance"}',
    );
    assert.equal((await c.response(1)).status, 200);
    assert.equal((await c.response(3)).status, 200);
    await c.waitClosed();
    assert.equal(c.frames.filter((f) => f.streamId > 3).length, 0);
    assert.equal(gw.acceptedCount, 2);
  } finally {
    await c.close();
  }
  // A new connection is served again.
  const d = await RawH2.connect(port);
  try {
    await d.send(PREFACE_AND_SETTINGS);
    d.request(1, `/3/device/${T1}`, [], PAYLOAD);
    await d.flush();
    assert.equal((await d.response(1)).status, 200);
  } finally {
    await d.close();
  }
});

Deno.test("faults: delayMs holds each answer", async () => {
  const { gw, port } = await gateway({ delayMs: 150 });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const t0 = performance.now();
    c.request(1, `/3/device/${T1}`, [], PAYLOAD);
    c.request(3, `/3/device/${T1}`, [["apns-priority", "9"]], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    assert.equal((await c.response(3)).status, 400);
    assert.ok(performance.now() - t0 >= 140);
  } finally {
    await c.close();
  }
});

Deno.test("faults: dropAfter 2 closes silently after two answers; 0 right away", async () => {
  const { gw, port } = await gateway({ dropAfter: 2 });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, `/3/device/${T1}`, [], PAYLOAD);
    c.request(3, `/3/device/${T1}`, [], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    assert.equal((await c.response(3)).status, 200);
    c.request(5, `/3/device/${T1}`, [], PAYLOAD);
    await c.flush().catch(() => {});
    await c.waitClosed();
    assert.equal(c.frames.filter((f) => f.type === FrameType.GOAWAY).length, 0);
    assert.equal(c.frames.filter((f) => f.streamId === 5).length, 0);
  } finally {
    await c.close();
  }
  const { gw: gw0, port: port0 } = await gateway({ dropAfter: 0 });
  await using _0 = gw0;
  const d = await RawH2.connect(port0);
  try {
    await d.send(PREFACE_AND_SETTINGS).catch(() => {});
    await d.waitClosed();
    assert.equal(d.bytes().length, 0);
  } finally {
    await d.close();
  }
});

Deno.test("faults: token auth starts at MAX_CONCURRENT_STREAMS 1, raised after the first 200; GOAWAY on an expired token", async () => {
  const keyId = "KEY1234567";
  const teamId = "TEAM123456";
  await using gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: {
      keyId,
      teamId,
      publicKey: fixture("token.pub.pem"),
      goawayOnExpired: true,
    },
    faults: { tokenAuthStartsAtOne: true, maxConcurrentStreams: 500 },
  });
  const { port } = await gw.listen();
  const jwt = await new ProviderToken({
    keyId,
    teamId,
    signingKey: fixture("token.p8"),
  }).get();
  const c = await RawH2.connect(port, { who: null });
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const first = await c.next((f) => f.type === FrameType.SETTINGS);
    assert.ok(first.type === FrameType.SETTINGS);
    assert.equal(first.settings.maxConcurrentStreams, 1);
    c.request(1, `/3/device/${T1}`, [
      ["authorization", `bearer ${jwt}`],
      ["apns-topic", TOPIC],
    ], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    // SETTINGS with MAX_CONCURRENT_STREAMS (3) = 500 follows the answer.
    await c.next((f) =>
      f.type === FrameType.SETTINGS && !f.ack &&
      f.settings.maxConcurrentStreams === 500
    );
    assert.ok(
      c.bytes().toHex().includes(
        hex("000006 04 00 00000000 0003 000001f4").toHex(),
      ),
    );
    const old = await new ProviderToken({
      keyId,
      teamId,
      signingKey: fixture("token.p8"),
      now: () => Date.now() - 2 * 3600_000,
    }).get();
    c.request(3, `/3/device/${T1}`, [
      ["authorization", `bearer ${old}`],
      ["apns-topic", TOPIC],
    ], PAYLOAD);
    await c.flush();
    const r = await c.response(3);
    assert.deepEqual([r.status, r.body], [
      403,
      '{"reason":"ExpiredProviderToken"}',
    ]);
    const g = await c.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.equal(
      new TextDecoder().decode(g.debugData),
      '{"reason":"ExpiredProviderToken"}',
    );
    await c.waitClosed();
  } finally {
    await c.close();
  }
});

Deno.test("faults: idleTimeoutMs sends GOAWAY IdleTimeout and closes", async () => {
  const { gw, port } = await gateway({ idleTimeoutMs: 100 });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, `/3/device/${T1}`, [], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    const t0 = performance.now();
    const g = await c.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.deepEqual([g.lastStreamId, g.errorCode], [1, 0]);
    assert.equal(
      new TextDecoder().decode(g.debugData),
      '{"reason":"IdleTimeout"}',
    );
    assert.ok(performance.now() - t0 >= 50);
    await c.waitClosed();
  } finally {
    await c.close();
  }
});

Deno.test("faults: minRefreshSeconds answers a too-early new token with 429 TooManyProviderTokenUpdates", async () => {
  const keyId = "KEY1234567";
  const teamId = "TEAM123456";
  await using gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: {
      keyId,
      teamId,
      publicKey: fixture("token.p8"),
      minRefreshSeconds: 1200,
    },
  });
  const { port } = await gw.listen();
  const sign = (ageS: number) =>
    new ProviderToken({
      keyId,
      teamId,
      signingKey: fixture("token.p8"),
      now: () => Date.now() - ageS * 1000,
    }).get();
  const first = await sign(1800);
  const early = await sign(1000); // 800 s after the first
  const later = await sign(0); // 1800 s after the first
  const c = await RawH2.connect(port, { who: null });
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const ask = async (s: number, jwt: string) => {
      c.request(s, `/3/device/${T1}`, [
        ["authorization", `bearer ${jwt}`],
        ["apns-topic", TOPIC],
      ], PAYLOAD);
      await c.flush();
      const r = await c.response(s);
      return [r.status, r.body];
    };
    assert.deepEqual(await ask(1, first), [200, ""]);
    assert.deepEqual(await ask(3, early), [
      429,
      '{"reason":"TooManyProviderTokenUpdates"}',
    ]);
    assert.deepEqual(await ask(5, first), [200, ""]);
    assert.deepEqual(await ask(7, later), [200, ""]);
    // The older token is still fine until it expires.
    assert.deepEqual(await ask(9, first), [200, ""]);
  } finally {
    await c.close();
  }
});

Deno.test("faults: close() with answers still held by delayMs ends cleanly", async () => {
  const { gw, port } = await gateway({ delayMs: 10_000 });
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, `/3/device/${T1}`, [], PAYLOAD);
    await c.flush();
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await gw.close();
    assert.ok(performance.now() - t0 < 2000);
    await c.waitClosed();
    assert.equal(gw.acceptedCount, 0);
  } finally {
    await c.close();
    await gw.close();
  }
});
