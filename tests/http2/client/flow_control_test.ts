import assert from "node:assert/strict";
import type { Http2RequestError } from "../../../src/http2/client_connection.ts";
import { FrameDecoder } from "../../../src/http2/frame/frame_decoder.ts";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { settle, setup, teardown } from "./_peer.ts";

const body = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);
const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("send: a 100-byte stream window splits DATA; WINDOW_UPDATE resumes it", async () => {
  const { client, peer } = await setup({}, { initialWindowSize: 100 });
  const payload = body(250);
  const res = settle(client.request({ path: "/", body: payload }));
  await peer.until(
    () => peer.ofType(FrameType.DATA).length === 1,
    "first DATA",
  );
  await tick();
  let data = peer.ofType(FrameType.DATA);
  assert.deepEqual(data.map((f) => [f.data.length, f.endStream]), [[
    100,
    false,
  ]]);
  await peer.send((w) => w.writeWindowUpdate(1, 100));
  await peer.until(
    () => peer.ofType(FrameType.DATA).length === 2,
    "second DATA",
  );
  await tick();
  await peer.send((w) => w.writeWindowUpdate(1, 1000));
  await peer.until(() => peer.requests.get(1)!.ended, "END_STREAM");
  data = peer.ofType(FrameType.DATA);
  assert.deepEqual(data.map((f) => [f.data.length, f.endStream]), [
    [100, false],
    [100, false],
    [50, true],
  ]);
  assert.deepEqual(peer.requests.get(1)!.body, payload);
  await peer.send((w) => peer.respond(w, 1));
  assert.ok((await res).ok);
  await teardown(client, peer);
});

Deno.test("send: SETTINGS_INITIAL_WINDOW_SIZE change can make a window negative", async () => {
  const { client, peer } = await setup({}, { initialWindowSize: 100 });
  const res = settle(client.request({ path: "/", body: body(250) }));
  await peer.until(
    () => peer.ofType(FrameType.DATA).length === 1,
    "first DATA",
  );
  // 100 sent, window 0; the initial window drops 100 -> 50: window -50.
  await peer.send((w) => w.writeSettings({ initialWindowSize: 50 }));
  await peer.send((w) => w.writeWindowUpdate(1, 30)); // -20
  await tick();
  assert.equal(peer.ofType(FrameType.DATA).length, 1, "window still <= 0");
  await peer.send((w) => w.writeWindowUpdate(1, 170)); // 150
  await peer.until(() => peer.ofType(FrameType.DATA).length === 2, "resumed");
  await tick();
  assert.deepEqual(
    peer.ofType(FrameType.DATA).map((f) => [f.data.length, f.endStream]),
    [[100, false], [150, true]],
  );
  await peer.send((w) => peer.respond(w, 1));
  assert.ok((await res).ok);
  await teardown(client, peer);
});

Deno.test("send: a SETTINGS_INITIAL_WINDOW_SIZE increase resumes blocked streams", async () => {
  const { client, peer } = await setup({}, { initialWindowSize: 10 });
  const res = settle(client.request({ path: "/", body: body(30) }));
  await peer.until(
    () => peer.ofType(FrameType.DATA).length === 1,
    "first DATA",
  );
  await peer.send((w) => w.writeSettings({ initialWindowSize: 40 }));
  await peer.until(() => peer.requests.get(1)!.ended, "rest");
  assert.deepEqual(peer.ofType(FrameType.DATA).map((f) => f.data.length), [
    10,
    20,
  ]);
  await peer.send((w) => peer.respond(w, 1));
  assert.ok((await res).ok);
  await teardown(client, peer);
});

Deno.test("send: the connection window (65535) holds DATA across streams", async () => {
  const { client, peer } = await setup({}, { initialWindowSize: 1 << 20 });
  const a = settle(client.request({ path: "/a", body: body(40000) }));
  const b = settle(client.request({ path: "/b", body: body(40000) }));
  await peer.until(
    () =>
      peer.ofType(FrameType.DATA).reduce((n, f) => n + f.data.length, 0) ===
        65535,
    "65535 bytes",
  );
  await tick();
  const sent = () =>
    peer.ofType(FrameType.DATA).reduce((n, f) => n + f.data.length, 0);
  assert.equal(sent(), 65535);
  await peer.send((w) => w.writeWindowUpdate(0, 14465));
  await peer.until(() => sent() === 80000, "the rest");
  assert.ok(peer.requests.get(1)!.ended && peer.requests.get(3)!.ended);
  assert.ok(peer.ofType(FrameType.DATA).every((f) => f.data.length <= 16384));
  await peer.send((w) => {
    peer.respond(w, 1);
    peer.respond(w, 3);
  });
  assert.ok((await a).ok && (await b).ok);
  await teardown(client, peer);
});

Deno.test("send: DATA frames follow the server's MAX_FRAME_SIZE", async () => {
  const { client, peer } = await setup({}, {
    maxFrameSize: 20000,
    initialWindowSize: 100000,
  });
  const res = settle(client.request({ path: "/", body: body(50000) }));
  await peer.until(() => peer.requests.get(1)?.ended === true, "body");
  assert.deepEqual(peer.ofType(FrameType.DATA).map((f) => f.data.length), [
    20000,
    20000,
    10000,
  ]);
  await peer.send((w) => peer.respond(w, 1));
  assert.ok((await res).ok);
  await teardown(client, peer);
});

Deno.test("send: WINDOW_UPDATE past 2^31-1 on the connection is FLOW_CONTROL_ERROR", async () => {
  const { client, peer } = await setup();
  const a = settle(client.request({ path: "/a" }));
  await peer.until(() => peer.requests.size === 1, "a");
  await peer.send((w) => w.writeWindowUpdate(0, 0x7fffffff));
  const r = await a;
  assert.ok(!r.ok);
  assert.equal((r.error as Http2RequestError).outcome, "unknown");
  await peer.done;
  assert.equal(peer.ofType(FrameType.GOAWAY)[0].errorCode, 0x3);
});

Deno.test("receive: WINDOW_UPDATEs as DATA is consumed, stream and connection", async () => {
  const { client, peer } = await setup({
    initialWindowSize: 1000,
    connectionWindowSize: 65535,
  });
  const res = settle(client.request({ path: "/", method: "GET" }));
  await peer.until(() => peer.requests.size === 1, "request");
  // 1000 bytes exactly fill the stream window; the client gives them back.
  await peer.send((w) => {
    w.writeHeaders(1, peer.encoder.encode([[":status", "200"]]), false);
    w.writeData(1, body(1000), false);
  });
  await peer.until(
    () => peer.ofType(FrameType.WINDOW_UPDATE).some((f) => f.streamId === 1),
    "stream WINDOW_UPDATE",
  );
  const upd = peer.ofType(FrameType.WINDOW_UPDATE).filter((f) =>
    f.streamId === 1
  );
  assert.deepEqual(upd.map((f) => f.increment), [1000]);
  // Keep sending: 40 × 1000 bytes, each after the previous update.
  for (let i = 0; i < 40; i++) {
    const want = i + 2;
    await peer.send((w) => w.writeData(1, body(1000), i === 39));
    if (i < 39) {
      await peer.until(
        () =>
          peer.ofType(FrameType.WINDOW_UPDATE).filter((f) => f.streamId === 1)
            .length === want,
        "update",
      );
    }
  }
  const r = await res;
  assert.ok(r.ok);
  assert.equal(r.value.body.length, 41000);
  // The connection window (65535) was refilled once half was consumed.
  const conn = peer.ofType(FrameType.WINDOW_UPDATE).filter((f) =>
    f.streamId === 0
  );
  assert.ok(conn.length >= 1);
  assert.ok(conn.every((f) => f.increment >= 32768));
  await teardown(client, peer);
});

Deno.test("receive: a stream window overrun resets the stream with FLOW_CONTROL_ERROR", async () => {
  const { client, peer } = await setup({ initialWindowSize: 100 });
  const res = settle(client.request({ path: "/" }));
  await peer.until(() => peer.requests.size === 1, "request");
  await peer.send((w) => {
    w.writeHeaders(1, peer.encoder.encode([[":status", "200"]]), false);
    w.writeData(1, body(101), true);
  });
  const r = await res;
  assert.ok(!r.ok);
  assert.equal((r.error as Http2RequestError).errorCode, 0x3);
  await peer.until(() => peer.ofType(FrameType.RST_STREAM).length === 1, "RST");
  assert.equal(peer.ofType(FrameType.RST_STREAM)[0].errorCode, 0x3);
  assert.ok(client.isOpen);
  await teardown(client, peer);
});

Deno.test("send: an early response stops the body and resets the stream with CANCEL", async () => {
  const { client, peer } = await setup({}, { initialWindowSize: 10 });
  const res = settle(client.request({ path: "/", body: body(100) }));
  await peer.until(
    () => peer.ofType(FrameType.DATA).length === 1,
    "first DATA",
  );
  await peer.send((w) =>
    peer.respond(
      w,
      1,
      413,
      [],
      new TextEncoder().encode('{"reason":"PayloadTooLarge"}'),
    )
  );
  const r = await res;
  assert.ok(r.ok);
  assert.equal(r.value.status, 413);
  await peer.until(() => peer.ofType(FrameType.RST_STREAM).length === 1, "RST");
  assert.equal(peer.ofType(FrameType.RST_STREAM)[0].errorCode, 0x8);
  await peer.send((w) => w.writeWindowUpdate(1, 1000));
  await tick();
  assert.equal(peer.ofType(FrameType.DATA).length, 1, "no more DATA");
  assert.equal(client.activeStreams, 0);
  await teardown(client, peer);
});

Deno.test("send: a header block over MAX_FRAME_SIZE goes out as HEADERS + CONTINUATION", async () => {
  const { client, peer } = await setup();
  const peerFrames: number[] = [];
  const raw = new FrameDecoder({
    assembleHeaders: false,
    expectPreface: true,
  });
  for (const chunk of peer.chunks) raw.push(chunk);
  peer.onRequest = (req) => peer.send((w) => peer.respond(w, req.id));
  const before = peer.chunks.length;
  const value = "x".repeat(40000);
  const r = await client.request({ path: "/", headers: [["x-big", value]] });
  assert.equal(r.status, 200);
  for (const chunk of peer.chunks.slice(before)) {
    for (const f of raw.push(chunk)) peerFrames.push(f.type);
  }
  // HEADERS, then CONTINUATION frames until the block is whole.
  assert.equal(peerFrames[0], FrameType.HEADERS);
  assert.ok(peerFrames.filter((t) => t === FrameType.CONTINUATION).length >= 1);
  assert.equal(
    peer.requests.get(1)!.headers.find(([n]) => n === "x-big")![1],
    value,
  );
  await teardown(client, peer);
});
