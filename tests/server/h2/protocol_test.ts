// The server side of HTTP/2 (RFC 9113) driven by a scripted client: exact
// bytes of the server preface, SETTINGS ACK, PING, flow control in both
// directions, HPACK dynamic tables, stream limits, RST_STREAM, GOAWAY and
// connection errors. Expected frames are written out by hand.

import assert from "node:assert/strict";
import { FrameType } from "../../../src/http2/frame/mod.ts";
import { MockHttp2Gateway } from "../../../src/server/mod.ts";
import {
  field,
  PAYLOAD,
  PREFACE_AND_SETTINGS,
  RawH2,
  SERVER_TLS,
  T1,
  until,
} from "./_helpers.ts";

const PATH = `/3/device/${T1}`;
const hex = (s: string) => Uint8Array.fromHex(s.replace(/[\s|]/g, ""));

// SETTINGS: 4 parameters (24 octets), type 4, no flags, stream 0:
// MAX_CONCURRENT_STREAMS (3) = 1000, INITIAL_WINDOW_SIZE (4) = 65535,
// MAX_FRAME_SIZE (5) = 16384, MAX_HEADER_LIST_SIZE (6) = 8000.
const SERVER_SETTINGS = "000018 04 00 00000000" +
  "0003 000003e8 0004 0000ffff 0005 00004000 0006 00001f40";
// WINDOW_UPDATE on stream 0 raising the connection window to 1 MiB:
// 1048576 - 65535 = 983041 = 0x000f0001.
const CONNECTION_WINDOW = "000004 08 00 00000000 000f0001";
const SETTINGS_ACK = "000000 04 01 00000000";

async function gateway(
  faults: ConstructorParameters<typeof MockHttp2Gateway>[0]["faults"] = {},
) {
  const gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: "certificate",
    faults,
  });
  const { port } = await gw.listen();
  return { gw, port };
}

Deno.test("h2: server preface, SETTINGS ACK and PING ACK, byte for byte", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    // PING with payload 0102030405060708.
    await c.send(PREFACE_AND_SETTINGS);
    await c.send(hex("000008 06 00 00000000 0102030405060708"));
    await c.next((f) => f.type === FrameType.PING);
    assert.deepEqual(
      c.bytes(),
      hex(
        SERVER_SETTINGS + CONNECTION_WINDOW + SETTINGS_ACK +
          "000008 06 01 00000000 0102030405060708",
      ),
    );
  } finally {
    await c.close();
  }
});

Deno.test("h2: a request and its response; HPACK tables on both sides", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, PATH, [["apns-topic", "com.example.app"]], PAYLOAD);
    c.request(3, PATH, [["apns-topic", "com.example.app"], [
      "apns-priority",
      "3",
    ]], PAYLOAD);
    c.request(5, PATH, [["apns-topic", "com.example.app"], [
      "apns-priority",
      "4",
    ]], PAYLOAD);
    await c.flush();
    const r1 = await c.response(1);
    const r3 = await c.response(3);
    const r5 = await c.response(5);
    assert.equal(r1.status, 200);
    assert.equal(r3.status, 400);
    assert.equal(r3.body, '{"reason":"BadPriority"}');
    assert.equal(field(r3.fields, "content-type"), "application/json");
    assert.equal(r5.body, '{"reason":"BadPriority"}');
    // The client encoder indexed apns-topic: the server's decoder kept up.
    assert.equal(gw.accepted.length, 1);
    assert.equal(gw.accepted[0].topic, "com.example.app");
    // The server encoder indexed content-type on stream 3 and refers to it
    // on stream 5: 0xbe is "indexed field 62", the newest dynamic entry
    // (apns-id is never indexed).
    const headers = c.frames.filter((f) => f.type === FrameType.HEADERS);
    const b3 = (headers[1] as { fragment: Uint8Array }).fragment;
    const b5 = (headers[2] as { fragment: Uint8Array }).fragment;
    // Both start with 0x8c (static entry 12, ":status: 400"); stream 3
    // carries content-type as a literal with incremental indexing of static
    // name 31 (0x5f), stream 5 ends with 0xbe (dynamic entry 62).
    assert.equal(b3[0], 0x8c);
    assert.equal(b5[0], 0x8c);
    assert.ok(b3.includes(0x5f));
    assert.equal(b5.at(-1), 0xbe);
    assert.ok(b5.length < b3.length);
  } finally {
    await c.close();
  }
});

Deno.test("h2: client SETTINGS_HEADER_TABLE_SIZE 0 makes the server signal a size update", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    // SETTINGS with HEADER_TABLE_SIZE (1) = 0.
    await c.send(PREFACE_AND_SETTINGS.subarray(0, 24));
    await c.send(hex("000006 04 00 00000000 0001 00000000"));
    c.request(1, PATH, [], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    const h = c.frames.find((f) => f.type === FrameType.HEADERS) as {
      fragment: Uint8Array;
    };
    // RFC 7541 §6.3: dynamic table size update to 0 is 001xxxxx = 0x20.
    assert.equal(h.fragment[0], 0x20);
  } finally {
    await c.close();
  }
});

Deno.test("h2: response DATA waits for the client's flow-control window", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    // SETTINGS with INITIAL_WINDOW_SIZE (4) = 0.
    await c.send(PREFACE_AND_SETTINGS.subarray(0, 24));
    await c.send(hex("000006 04 00 00000000 0004 00000000"));
    c.request(1, PATH, [["apns-priority", "2"]], PAYLOAD);
    await c.flush();
    await c.next((f) => f.type === FrameType.HEADERS && f.streamId === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.frames.filter((f) => f.type === FrameType.DATA).length, 0);
    // Window of 5 on stream 1: exactly 5 octets of the 24-octet body.
    await c.send(hex("000004 08 00 00000001 00000005"));
    const d1 = await c.next((f) => f.type === FrameType.DATA);
    assert.ok(d1.type === FrameType.DATA);
    assert.equal(new TextDecoder().decode(d1.data), '{"rea');
    assert.equal(d1.endStream, false);
    await c.send(hex("000004 08 00 00000001 00000100"));
    const r = await c.response(1);
    assert.equal(r.body, '{"reason":"BadPriority"}');
  } finally {
    await c.close();
  }
});

Deno.test("h2: request DATA gets WINDOW_UPDATEs on the stream and the connection", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const block = c.hpackOut.encode([
      [":method", "POST"],
      [":scheme", "https"],
      [":path", PATH],
    ]);
    c.writer.writeHeaders(1, block, false);
    const chunk = new Uint8Array(16384).fill(0x20);
    for (let i = 0; i < 3; i++) c.writer.writeData(1, chunk, false);
    await c.flush();
    // After 32768 octets (half the 65535 window) the stream is replenished.
    const wu = await c.next((f) =>
      f.type === FrameType.WINDOW_UPDATE && f.streamId === 1
    );
    assert.ok(wu.type === FrameType.WINDOW_UPDATE);
    assert.equal(wu.increment, 32768);
    c.writer.writeData(1, new Uint8Array(0), true);
    await c.flush();
    const r = await c.response(1);
    assert.deepEqual([r.status, r.body], [413, '{"reason":"PayloadTooLarge"}']);
    // Ten more streams of 60000 octets: past half the 1 MiB connection
    // window, a connection WINDOW_UPDATE returns what was consumed.
    for (let s = 3; s < 23; s += 2) {
      c.writer.writeHeaders(
        s,
        c.hpackOut.encode([
          [":method", "POST"],
          [":scheme", "https"],
          [":path", PATH],
        ]),
        false,
      );
      c.writer.writeData(s, new Uint8Array(60000), true);
    }
    await c.flush();
    const cw = await c.next((f) =>
      f.type === FrameType.WINDOW_UPDATE && f.streamId === 0 &&
      f.increment !== 0xf0001
    );
    assert.ok(cw.type === FrameType.WINDOW_UPDATE);
    assert.ok(cw.increment >= 524288, `increment ${cw.increment}`);
    await c.response(21);
  } finally {
    await c.close();
  }
});

Deno.test("h2: streams beyond MAX_CONCURRENT_STREAMS get RST_STREAM(REFUSED_STREAM)", async () => {
  const { gw, port } = await gateway({ maxConcurrentStreams: 1 });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const settings = await c.next((f) => f.type === FrameType.SETTINGS);
    assert.ok(settings.type === FrameType.SETTINGS);
    assert.equal(settings.settings.maxConcurrentStreams, 1);
    const open = (s: number) =>
      c.writer.writeHeaders(
        s,
        c.hpackOut.encode([
          [":method", "POST"],
          [":scheme", "https"],
          [":path", PATH],
        ]),
        false,
      );
    open(1);
    open(3);
    await c.flush();
    // RST_STREAM on stream 3, error REFUSED_STREAM (7).
    await c.next((f) => f.type === FrameType.RST_STREAM);
    const rst = hex("000004 03 00 00000003 00000007");
    const all = c.bytes();
    assert.ok(
      all.toHex().includes(rst.toHex()),
      "RST_STREAM(3, REFUSED_STREAM) expected",
    );
    c.writer.writeData(1, new TextEncoder().encode(PAYLOAD), true);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    // Stream 1 is done: a new one is accepted.
    c.request(5, PATH, [], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(5)).status, 200);
  } finally {
    await c.close();
  }
});

Deno.test("h2: RST_STREAM from the client cancels the answer; GOAWAY from the client ends the connection", async () => {
  const { gw, port } = await gateway({ delayMs: 100 });
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, PATH, [], PAYLOAD);
    c.request(3, PATH, [], PAYLOAD);
    c.writer.writeRstStream(1, 8);
    await c.flush();
    assert.equal((await c.response(3)).status, 200);
    assert.equal(
      c.frames.filter((f) => f.streamId === 1).length,
      0,
      "nothing on the cancelled stream",
    );
    assert.equal(gw.acceptedCount, 1);
    // GOAWAY(last 0, NO_ERROR) from the client with stream 5 in flight: the
    // server answers it, sends its GOAWAY and closes.
    c.request(5, PATH, [], PAYLOAD);
    c.writer.writeGoaway(0, 0);
    await c.flush();
    assert.equal((await c.response(5)).status, 200);
    const goaway = await c.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(goaway.type === FrameType.GOAWAY);
    assert.deepEqual([goaway.lastStreamId, goaway.errorCode], [5, 0]);
    await c.waitClosed();
  } finally {
    await c.close();
  }
});

Deno.test("h2: connection errors end with GOAWAY and the right code", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  // A bad preface: PROTOCOL_ERROR (1), last stream 0.
  const bad = await RawH2.connect(port);
  try {
    await bad.send(
      new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n".padEnd(30)),
    );
    const g = await bad.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.deepEqual([g.lastStreamId, g.errorCode], [0, 1]);
    await bad.waitClosed();
  } finally {
    await bad.close();
  }
  // An even (server-initiated) stream id from the client: PROTOCOL_ERROR.
  const even = await RawH2.connect(port);
  try {
    await even.send(PREFACE_AND_SETTINGS);
    even.request(2, PATH, [], PAYLOAD);
    await even.flush();
    const g = await even.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.equal(g.errorCode, 1);
    await even.waitClosed();
  } finally {
    await even.close();
  }
  // A header block that is not HPACK: COMPRESSION_ERROR (9).
  const garbage = await RawH2.connect(port);
  try {
    await garbage.send(PREFACE_AND_SETTINGS);
    // HEADERS, END_STREAM|END_HEADERS, stream 1, block 0xff 0xff 0xff 0xff
    // (an index integer that never ends).
    await garbage.send(hex("000004 01 05 00000001 ffffffff"));
    const g = await garbage.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.equal(g.errorCode, 9);
  } finally {
    await garbage.close();
  }
});

Deno.test("h2: malformed requests get RST_STREAM(PROTOCOL_ERROR)", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const send = (s: number, fields: [string, string][]) =>
      c.writer.writeHeaders(s, c.hpackOut.encode(fields), true);
    send(1, [[":method", "POST"], [":scheme", "https"]]); // no :path
    send(3, [[":method", "POST"], [":scheme", "https"], [":path", PATH], [
      "Apns-Topic",
      "x",
    ]]);
    send(5, [[":method", "POST"], ["apns-topic", "x"], [":scheme", "https"], [
      ":path",
      PATH,
    ]]);
    send(7, [[":method", "POST"], [":scheme", "https"], [":path", PATH], [
      "connection",
      "close",
    ]]);
    await c.flush();
    await until(() =>
      c.frames.filter((f) => f.type === FrameType.RST_STREAM).length === 4
    );
    const rsts = c.frames.filter((f) => f.type === FrameType.RST_STREAM);
    assert.deepEqual(
      rsts.map((f) => [f.streamId, (f as { errorCode: number }).errorCode]),
      [[1, 1], [3, 1], [5, 1], [7, 1]],
    );
    // The connection lives on.
    c.request(9, PATH, [], PAYLOAD);
    await c.flush();
    assert.equal((await c.response(9)).status, 200);
  } finally {
    await c.close();
  }
});

Deno.test("h2: close() sends GOAWAY(NO_ERROR) with a Shutdown reason", async () => {
  const { gw, port } = await gateway();
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, PATH, [], PAYLOAD);
    await c.flush();
    await c.response(1);
    await gw.close();
    const g = await c.next((f) => f.type === FrameType.GOAWAY);
    assert.ok(g.type === FrameType.GOAWAY);
    assert.deepEqual([g.lastStreamId, g.errorCode], [1, 0]);
    assert.equal(
      new TextDecoder().decode(g.debugData),
      '{"reason":"Shutdown"}',
    );
    await c.waitClosed();
  } finally {
    await c.close();
    await gw.close();
  }
});

Deno.test("h2: a request header block split over HEADERS and CONTINUATION frames", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    const block = c.hpackOut.encode([
      [":method", "POST"],
      [":scheme", "https"],
      [":path", PATH],
      ["apns-topic", "com.example.app.voip"],
      ["apns-push-type", "voip"],
    ]);
    // 7 octets per frame: one HEADERS and several CONTINUATIONs.
    c.writer.writeHeaders(1, block, false, 7);
    c.writer.writeData(1, new TextEncoder().encode(PAYLOAD), true);
    await c.flush();
    assert.equal((await c.response(1)).status, 200);
    assert.equal(gw.accepted[0].pushType, "voip");
    assert.equal(gw.accepted[0].topic, "com.example.app.voip");
  } finally {
    await c.close();
  }
});

Deno.test("h2: the certificate's UID sets the topic; without a certificate or with a rogue one, 403", async () => {
  await using gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: "certificate",
    requestCert: false,
  });
  const { port } = await gw.listen();
  for (
    const [who, topic, status, body] of [
      ["client2", undefined, 200, ""],
      ["client2", "com.example.app", 400, '{"reason":"TopicDisallowed"}'],
      [null, undefined, 403, '{"reason":"MissingProviderToken"}'],
      ["rogue", undefined, 403, '{"reason":"BadCertificate"}'],
    ] as const
  ) {
    const c = await RawH2.connect(port, { who });
    try {
      await c.send(PREFACE_AND_SETTINGS);
      c.request(1, PATH, topic ? [["apns-topic", topic]] : [], PAYLOAD);
      await c.flush();
      const r = await c.response(1);
      assert.deepEqual([r.status, r.body], [status, body], String(who));
    } finally {
      await c.close();
    }
  }
  assert.equal(gw.accepted[0].topic, "com.example.other");
});

Deno.test("h2: a header list above MAX_HEADER_LIST_SIZE resets the stream only", async () => {
  const { gw, port } = await gateway();
  await using _ = gw;
  const c = await RawH2.connect(port);
  try {
    await c.send(PREFACE_AND_SETTINGS);
    c.request(1, PATH, [["x-big", "a".repeat(9000)]], PAYLOAD);
    c.request(3, PATH, [], PAYLOAD);
    await c.flush();
    const rst = await c.next((f) => f.type === FrameType.RST_STREAM);
    assert.ok(rst.type === FrameType.RST_STREAM);
    // ENHANCE_YOUR_CALM (0xb) on stream 1; stream 3 is served.
    assert.deepEqual([rst.streamId, rst.errorCode], [1, 0xb]);
    assert.equal((await c.response(3)).status, 200);
  } finally {
    await c.close();
  }
});
