import assert from "node:assert/strict";
import { Http2ClientConnection } from "../../../src/http2/client_connection.ts";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { memoryPair } from "../../../src/transport/memory.ts";
import { Peer, settle, setup, teardown } from "./_peer.ts";

Deno.test("open: preface, SETTINGS and WINDOW_UPDATE first, as exact bytes", async () => {
  const pair = memoryPair("h2");
  const peer = new Peer(pair.server);
  const opening = settle(
    Http2ClientConnection.open(pair.client, {
      authority: "example.test",
      pingInterval: 0,
    }),
  );
  await peer.until(() => peer.frames.length >= 2, "SETTINGS + WINDOW_UPDATE");
  const first = peer.chunks[0];
  const expected =
    // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a" +
    // SETTINGS, 4 settings (24 bytes), stream 0
    "000018" + "04" + "00" + "00000000" +
    "0001" + "00001000" + // HEADER_TABLE_SIZE 4096
    "0002" + "00000000" + // ENABLE_PUSH 0
    "0004" + "00100000" + // INITIAL_WINDOW_SIZE 1 MiB
    "0006" + "00010000" + // MAX_HEADER_LIST_SIZE 65536
    // WINDOW_UPDATE stream 0, 4 MiB - 65535 = 0x3f0001
    "000004" + "08" + "00" + "00000000" + "003f0001";
  assert.equal(first.toHex(), expected);
  assert.equal(peer.chunks.length, 1, "preface and SETTINGS in one write");

  // The client waits for the server's SETTINGS.
  const early = await Promise.race([
    opening.then(() => "opened"),
    new Promise((r) => setTimeout(() => r("waiting"), 30)),
  ]);
  assert.equal(early, "waiting");

  await peer.send((w) => w.writeSettings({ maxConcurrentStreams: 1 }));
  const result = await opening;
  assert.ok(result.ok);
  const client = result.value;
  assert.equal(client.maxConcurrentStreams, 1);
  assert.ok(client.isOpen);
  await peer.until(() => peer.chunks.length >= 2, "SETTINGS ACK");
  assert.equal(peer.chunks[1].toHex(), "000000040100000000");
  await teardown(client, peer);
});

Deno.test("open: no SETTINGS within settingsTimeout -> TimeoutError, GOAWAY(SETTINGS_TIMEOUT)", async () => {
  const pair = memoryPair("h2");
  const peer = new Peer(pair.server);
  await assert.rejects(
    Http2ClientConnection.open(pair.client, {
      authority: "example.test",
      settingsTimeout: 30,
    }),
    (e: Error & { code?: string }) => e.code === "ERR_APNS_TIMEOUT",
  );
  await peer.done;
  const goaway = peer.ofType(FrameType.GOAWAY);
  assert.equal(goaway.length, 1);
  assert.equal(goaway[0].errorCode, 0x4);
});

Deno.test("open: first frame not SETTINGS -> protocol error, GOAWAY(PROTOCOL_ERROR)", async () => {
  const pair = memoryPair("h2");
  const peer = new Peer(pair.server);
  const opening = settle(
    Http2ClientConnection.open(pair.client, { authority: "example.test" }),
  );
  await peer.send((w) => w.writePing(false, new Uint8Array(8)));
  const r = await opening;
  assert.ok(!r.ok);
  assert.equal((r.error as { code: string }).code, "ERR_APNS_PROTOCOL");
  await peer.done;
  assert.equal(peer.ofType(FrameType.GOAWAY)[0].errorCode, 0x1);
});

Deno.test("open: the server closing before SETTINGS rejects with ConnectionClosedError", async () => {
  const pair = memoryPair("h2");
  const peer = new Peer(pair.server);
  const opening = settle(
    Http2ClientConnection.open(pair.client, { authority: "example.test" }),
  );
  await peer.until(() => peer.frames.length > 0, "preface");
  peer.close();
  const r = await opening;
  assert.ok(!r.ok);
  assert.equal((r.error as { code: string }).code, "ERR_APNS_CLOSED");
  await peer.done;
});

Deno.test("open: ALPN other than h2 is refused", async () => {
  const pair = memoryPair("http/1.1");
  await assert.rejects(
    Http2ClientConnection.open(pair.client, { authority: "x" }),
    /ALPN/,
  );
  await pair.client.closed;
});

Deno.test("open: bad options throw TypeError / RangeError", async () => {
  const pair = memoryPair("h2");
  await assert.rejects(
    Http2ClientConnection.open(pair.client, { authority: "" }),
    TypeError,
  );
  const pair2 = memoryPair("h2");
  await assert.rejects(
    Http2ClientConnection.open(pair2.client, {
      authority: "x",
      initialWindowSize: 2 ** 31,
    }),
    RangeError,
  );
});

Deno.test("request: header block carries pseudo-headers then fields; HEADER_TABLE_SIZE 0 is honoured", async () => {
  const { client, peer } = await setup({ authority: "api.example" }, {
    headerTableSize: 0,
  });
  peer.onRequest = (req) =>
    peer.send((w) => peer.respond(w, req.id, 200, [["apns-id", "abc"]]));
  const res = await client.request({
    path: "/3/device/00ff",
    headers: [["apns-topic", "com.example.app"]],
    body: new TextEncoder().encode("{}"),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.headers, [["apns-id", "abc"]]);
  assert.equal(res.body.length, 0);
  assert.equal(res.streamId, 1);
  const req = peer.requests.get(1)!;
  assert.deepEqual(req.headers, [
    [":method", "POST"],
    [":scheme", "https"],
    [":authority", "api.example"],
    [":path", "/3/device/00ff"],
    ["apns-topic", "com.example.app"],
  ]);
  assert.equal(new TextDecoder().decode(req.body), "{}");
  // RFC 7541 §4.2: after the peer lowered the table size, the first block
  // starts with a dynamic table size update (0x20 = size 0).
  const headers = peer.ofType(FrameType.HEADERS)[0];
  assert.equal(headers.fragment[0], 0x20);
  // No HEADERS frame ended the stream: DATA with END_STREAM did.
  assert.ok(!headers.endStream);
  assert.ok(peer.ofType(FrameType.DATA)[0].endStream);
  await teardown(client, peer);
});

Deno.test("request: malformed requests reject with TypeError", async () => {
  const { client, peer } = await setup();
  await assert.rejects(client.request({ path: "nope" }), TypeError);
  await assert.rejects(
    client.request({ path: "/", headers: [["Upper", "x"]] }),
    TypeError,
  );
  await assert.rejects(
    client.request({ path: "/", headers: [["connection", "close"]] }),
    TypeError,
  );
  await assert.rejects(
    client.request({ path: "/", headers: [["x", "a\r\nb"]] }),
    TypeError,
  );
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    client.request({ path: "/", body: "text" as any }),
    TypeError,
  );
  assert.equal(client.activeStreams, 0);
  await teardown(client, peer);
});

Deno.test("request: GET without body ends the stream on HEADERS; CONTINUATION in the response", async () => {
  const { client, peer } = await setup();
  peer.onRequest = (req) =>
    peer.send((w) => {
      const block = peer.encoder.encode([
        [":status", "404"],
        ["x-long", "v".repeat(40)],
        ["x-more", "w".repeat(40)],
      ]);
      // A max frame size of 7 splits the block into HEADERS + CONTINUATIONs.
      w.writeHeaders(req.id, block, false, 7);
      w.writeData(
        req.id,
        new TextEncoder().encode('{"reason":"BadPath"}'),
        true,
      );
    });
  const res = await client.request({ path: "/x", method: "GET" });
  assert.equal(res.status, 404);
  assert.deepEqual(res.headers, [["x-long", "v".repeat(40)], [
    "x-more",
    "w".repeat(40),
  ]]);
  assert.equal(new TextDecoder().decode(res.body), '{"reason":"BadPath"}');
  assert.ok(peer.ofType(FrameType.HEADERS)[0].endStream);
  assert.equal(peer.ofType(FrameType.DATA).length, 0);
  await teardown(client, peer);
});

Deno.test("request: 1xx skipped, trailers accepted, body in several DATA frames", async () => {
  const { client, peer } = await setup();
  peer.onRequest = (req) =>
    peer.send((w) => {
      w.writeHeaders(req.id, peer.encoder.encode([[":status", "103"]]), false);
      w.writeHeaders(req.id, peer.encoder.encode([[":status", "200"]]), false);
      w.writeData(req.id, Uint8Array.of(1, 2), false);
      w.writeData(req.id, Uint8Array.of(3), false);
      w.writeHeaders(req.id, peer.encoder.encode([["x-trailer", "1"]]), true);
    });
  const res = await client.request({ path: "/" });
  assert.equal(res.status, 200);
  assert.deepEqual([...res.body], [1, 2, 3]);
  await teardown(client, peer);
});

Deno.test("request: a response without :status fails the stream (PROTOCOL_ERROR), the connection lives", async () => {
  const { client, peer } = await setup();
  let n = 0;
  peer.onRequest = (req) =>
    peer.send((w) => {
      if (n++ === 0) {
        w.writeHeaders(req.id, peer.encoder.encode([["x", "1"]]), true);
      } else peer.respond(w, req.id, 200);
    });
  const r = await settle(client.request({ path: "/" }));
  assert.ok(!r.ok);
  assert.equal((r.error as { code: string }).code, "ERR_APNS_PROTOCOL");
  assert.equal((r.error as { outcome: string }).outcome, "unknown");
  await peer.until(() => peer.ofType(FrameType.RST_STREAM).length === 1, "RST");
  assert.equal(peer.ofType(FrameType.RST_STREAM)[0].errorCode, 0x1);
  assert.equal((await client.request({ path: "/" })).status, 200);
  await teardown(client, peer);
});

Deno.test("neverIndex: authorization goes out as a never-indexed literal every time", async () => {
  const { client, peer } = await setup({
    neverIndex: new Set(["authorization"]),
  });
  peer.onRequest = (req) => peer.send((w) => peer.respond(w, req.id));
  const token = "bearer abc.def.ghi";
  for (let i = 0; i < 2; i++) {
    await client.request({ path: "/", headers: [["authorization", token]] });
  }
  for (const f of peer.ofType(FrameType.HEADERS)) {
    // RFC 7541 §6.2.3: 0001xxxx, name index 23 ("authorization") as a
    // 4-bit prefix integer: 0x1f 0x08; then the value literal.
    const i = f.fragment.indexOf(0x1f);
    assert.ok(i >= 0 && f.fragment[i + 1] === 0x08, f.fragment.toHex());
  }
  assert.deepEqual(
    peer.requests.get(3)!.headers.find(([n]) => n === "authorization"),
    ["authorization", token],
  );
  await teardown(client, peer);
});
