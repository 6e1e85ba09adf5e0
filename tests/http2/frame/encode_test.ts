// Exact bytes for every frame we send, worked out by hand from RFC 9113
// §4.1 (Length 24 | Type 8 | Flags 8 | R 1 + Stream Identifier 31) and §6.
import assert from "node:assert/strict";
import {
  encodeContinuation,
  encodeData,
  encodeGoaway,
  encodeHeaders,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSettingsAck,
  encodeWindowUpdate,
  ErrorCode,
  FrameWriter,
} from "../../../src/http2/frame/mod.ts";
import { HpackEncoder } from "../../../src/http2/hpack/mod.ts";
import { hex, toHex } from "./_helpers.ts";

const opts = { permissions: "none" } as const;
const h = (s: string) => s.replace(/\s+/g, "");
const ascii = (s: string) => new TextEncoder().encode(s);

Deno.test("DATA: length 5, type 0, END_STREAM, stream 1, 'hello'", opts, () => {
  assert.equal(
    toHex(encodeData(1, ascii("hello"), true)),
    h("000005 00 01 00000001 68656c6c6f"),
  );
  assert.equal(
    toHex(encodeData(0x7fffffff, new Uint8Array(0), false)),
    h("000000 00 00 7fffffff"),
  );
});

Deno.test("HEADERS: END_HEADERS, with and without END_STREAM", opts, () => {
  assert.equal(
    toHex(encodeHeaders(1, hex("828684"), false)),
    h("000003 01 04 00000001 828684"),
  );
  assert.equal(
    toHex(encodeHeaders(3, hex("828684"), true)),
    h("000003 01 05 00000003 828684"),
  );
  assert.equal(
    toHex(encodeHeaders(5, hex("82"), true, false)),
    h("000001 01 01 00000005 82"),
  );
});

Deno.test("CONTINUATION: type 9, END_HEADERS 0x4", opts, () => {
  assert.equal(
    toHex(encodeContinuation(1, hex("8485"), true)),
    h("000002 09 04 00000001 8485"),
  );
  assert.equal(
    toHex(encodeContinuation(1, hex("84"), false)),
    h("000001 09 00 00000001 84"),
  );
});

Deno.test("RST_STREAM: 4-byte error code", opts, () => {
  assert.equal(
    toHex(encodeRstStream(3, ErrorCode.CANCEL)),
    h("000004 03 00 00000003 00000008"),
  );
  assert.equal(
    toHex(encodeRstStream(1, 0xffffffff)),
    h("000004 03 00 00000001 ffffffff"),
  );
});

Deno.test("SETTINGS: id/value pairs in id order; ACK", opts, () => {
  assert.equal(
    toHex(encodeSettings({
      initialWindowSize: 1048576,
      enablePush: false,
      maxConcurrentStreams: 100,
    })),
    h(
      "000012 04 00 00000000" +
        "0002 00000000" + "0003 00000064" + "0004 00100000",
    ),
  );
  assert.equal(
    toHex(encodeSettings({
      headerTableSize: 4096,
      enablePush: true,
      maxConcurrentStreams: 1000,
      initialWindowSize: 65535,
      maxFrameSize: 16777215,
      maxHeaderListSize: 8000,
    })),
    h(
      "000024 04 00 00000000" +
        "0001 00001000" + "0002 00000001" + "0003 000003e8" +
        "0004 0000ffff" + "0005 00ffffff" + "0006 00001f40",
    ),
  );
  assert.equal(toHex(encodeSettings({})), h("000000 04 00 00000000"));
  assert.equal(toHex(encodeSettingsAck()), h("000000 04 01 00000000"));
});

Deno.test("SETTINGS the APNs server sends (1, then 1000 streams)", opts, () => {
  assert.equal(
    toHex(encodeSettings({
      headerTableSize: 4096,
      maxConcurrentStreams: 1,
      initialWindowSize: 65535,
      maxFrameSize: 16384,
      maxHeaderListSize: 8000,
    })),
    h(
      "00001e 04 00 00000000" +
        "0001 00001000" + "0003 00000001" + "0004 0000ffff" +
        "0005 00004000" + "0006 00001f40",
    ),
  );
  assert.equal(
    toHex(encodeSettings({ maxConcurrentStreams: 1000 })),
    h("000006 04 00 00000000 0003 000003e8"),
  );
});

Deno.test("PING: 8 bytes, ACK flag", opts, () => {
  const payload = hex("0001020304050607");
  assert.equal(
    toHex(encodePing(false, payload)),
    h("000008 06 00 00000000 0001020304050607"),
  );
  assert.equal(
    toHex(encodePing(true, payload)),
    h("000008 06 01 00000000 0001020304050607"),
  );
});

Deno.test("GOAWAY: last stream, code, JSON debug data", opts, () => {
  // {"reason":"Shutdown"} is 21 bytes; payload 8 + 21 = 29 = 0x1d.
  assert.equal(
    toHex(encodeGoaway(11, ErrorCode.NO_ERROR, ascii('{"reason":"Shutdown"}'))),
    h(
      "00001d 07 00 00000000 0000000b 00000000" +
        "7b22726561736f6e223a2253687574646f776e227d",
    ),
  );
  assert.equal(
    toHex(encodeGoaway(0, ErrorCode.PROTOCOL_ERROR)),
    h("000008 07 00 00000000 00000000 00000001"),
  );
});

Deno.test("WINDOW_UPDATE: connection and stream", opts, () => {
  assert.equal(
    toHex(encodeWindowUpdate(0, 983041)),
    h("000004 08 00 00000000 000f0001"),
  );
  assert.equal(
    toHex(encodeWindowUpdate(1, 0x7fffffff)),
    h("000004 08 00 00000001 7fffffff"),
  );
});

Deno.test(
  "FrameWriter: preface + SETTINGS + WINDOW_UPDATE in one buffer",
  opts,
  () => {
    const w = new FrameWriter(8); // tiny initial capacity: forces growth
    w.writePreface();
    w.writeSettings({ enablePush: false });
    w.writeWindowUpdate(0, 983041);
    assert.equal(w.length, 24 + 15 + 13);
    assert.equal(
      toHex(w.take()),
      h(
        "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a" +
          "000006 04 00 00000000 0002 00000000" +
          "000004 08 00 00000000 000f0001",
      ),
    );
    assert.equal(w.length, 0);
    assert.equal(w.take().length, 0);
  },
);

Deno.test("FrameWriter: every control frame", opts, () => {
  const w = new FrameWriter();
  w.writeSettingsAck();
  w.writePing(true, hex("0102030405060708"));
  w.writeRstStream(7, ErrorCode.REFUSED_STREAM);
  w.writeGoaway(5, ErrorCode.ENHANCE_YOUR_CALM, ascii("x"));
  w.writeFrame(0xfa, 0x07, 1, ascii("abc"));
  assert.equal(
    toHex(w.take()),
    h(
      "000000 04 01 00000000" +
        "000008 06 01 00000000 0102030405060708" +
        "000004 03 00 00000007 00000007" +
        "000009 07 00 00000000 00000005 0000000b 78" +
        "000003 fa 07 00000001 616263",
    ),
  );
});

Deno.test("FrameWriter: HEADERS split into CONTINUATION", opts, () => {
  const block = hex("00010203040506070809");
  const w = new FrameWriter();
  w.writeHeaders(3, block, true, 4);
  assert.equal(
    toHex(w.take()),
    h(
      "000004 01 01 00000003 00010203" + // HEADERS, END_STREAM only
        "000004 09 00 00000003 04050607" + // CONTINUATION
        "000002 09 04 00000003 0809", // CONTINUATION, END_HEADERS
    ),
  );
  // Exact multiple: the last CONTINUATION is full.
  w.writeHeaders(1, block.subarray(0, 8), false, 4);
  assert.equal(
    toHex(w.take()),
    h("000004 01 00 00000001 00010203" + "000004 09 04 00000001 04050607"),
  );
  // Fits: one HEADERS frame.
  w.writeHeaders(1, block.subarray(0, 4), false, 4);
  assert.equal(toHex(w.take()), h("000004 01 04 00000001 00010203"));
  // Empty block.
  w.writeHeaders(1, new Uint8Array(0), true);
  assert.equal(toHex(w.take()), h("000000 01 05 00000001"));
});

Deno.test(
  "FrameWriter: encodeHeaders encodes in place, as writeHeaders would frame the block",
  opts,
  () => {
    const fields: [string, string][] = [
      [":method", "POST"],
      [":path", "/3/device/" + "ab".repeat(32)],
      ["apns-topic", "com.example"],
      ["x-big", "v".repeat(600)],
    ];
    for (const maxFrameSize of [16384, 100]) {
      const inPlace = new FrameWriter(64); // small: the block must grow it
      inPlace.writePing(false, new Uint8Array(8)); // something before it
      inPlace.encodeHeaders(5, new HpackEncoder(), fields, true, maxFrameSize);
      const viaBlock = new FrameWriter();
      viaBlock.writePing(false, new Uint8Array(8));
      viaBlock.writeHeaders(
        5,
        new HpackEncoder().encode(fields),
        true,
        maxFrameSize,
      );
      assert.equal(toHex(inPlace.take()), toHex(viaBlock.take()));
    }
    // A field the encoder refuses leaves the writer as it was.
    const w = new FrameWriter();
    w.writeSettingsAck();
    assert.throws(
      () => w.encodeHeaders(1, new HpackEncoder(), [["x", "\u0100"]], true),
      TypeError,
    );
    assert.equal(toHex(w.take()), h("000000 04 01 00000000"));
  },
);

Deno.test("FrameWriter: DATA split by max frame size", opts, () => {
  const w = new FrameWriter();
  w.writeData(1, ascii("hello"), true, 2);
  assert.equal(
    toHex(w.take()),
    h(
      "000002 00 00 00000001 6865" +
        "000002 00 00 00000001 6c6c" +
        "000001 00 01 00000001 6f",
    ),
  );
  w.writeData(1, ascii("hello"), false, 5);
  w.writeData(1, new Uint8Array(0), true);
  assert.equal(
    toHex(w.take()),
    h("000005 00 00 00000001 68656c6c6f" + "000000 00 01 00000001"),
  );
  // Default 16384: 16385 bytes make two frames.
  w.writeData(9, new Uint8Array(16385).fill(0xaa), true);
  const out = w.take();
  assert.equal(out.length, 9 + 16384 + 9 + 1);
  assert.equal(toHex(out.subarray(0, 9)), h("004000 00 00 00000009"));
  assert.equal(toHex(out.subarray(9 + 16384)), h("000001 00 01 00000009 aa"));
});

Deno.test("FrameWriter: taken bytes are never overwritten", opts, () => {
  const w = new FrameWriter(64);
  w.writeWindowUpdate(1, 1);
  const first = w.take();
  const copy = first.slice();
  w.writeWindowUpdate(3, 2);
  w.writeData(1, new Uint8Array(100), false);
  assert.deepEqual(first, copy);
});

Deno.test("FrameWriter: bad arguments throw and write nothing", opts, () => {
  const w = new FrameWriter();
  w.writeSettingsAck();
  const cases: [() => void, ErrorConstructor | RangeErrorConstructor][] = [
    [() => w.writeData(0, new Uint8Array(1), true), RangeError],
    [() => w.writeData(2 ** 31, new Uint8Array(1), true), RangeError],
    [() => w.writeData(1, new Uint8Array(1), true, 0), RangeError],
    [() => w.writeHeaders(0, new Uint8Array(1), true), RangeError],
    [() => w.writeHeaders(1, new Uint8Array(1), true, 2 ** 24), RangeError],
    [() => w.writeHeaders(1, "x" as unknown as Uint8Array, true), TypeError],
    [() => w.writePing(false, new Uint8Array(7)), RangeError],
    [() => w.writeRstStream(0, 0), RangeError],
    [() => w.writeRstStream(1, -1), RangeError],
    [() => w.writeRstStream(1, 2 ** 32), RangeError],
    [() => w.writeWindowUpdate(1, 0), RangeError],
    [() => w.writeWindowUpdate(1, 2 ** 31), RangeError],
    [() => w.writeWindowUpdate(-1, 1), RangeError],
    [() => w.writeGoaway(2 ** 31, 0), RangeError],
    [() => w.writeGoaway(1, 0, new Uint8Array(16377)), RangeError],
    [() => w.writeSettings({ initialWindowSize: 2 ** 31 }), RangeError],
    [() => w.writeSettings({ maxFrameSize: 16383 }), RangeError],
    [() => w.writeSettings({ maxFrameSize: 2 ** 24 }), RangeError],
    [() => w.writeSettings({ maxConcurrentStreams: Infinity }), RangeError],
    [() => w.writeSettings({ headerTableSize: 1.5 }), RangeError],
    [() => w.writeSettings({ headerTableSize: 2 ** 32 }), RangeError],
    [
      () => w.writeSettings({ enablePush: 1 as unknown as boolean }),
      TypeError,
    ],
    [() => w.writeFrame(256, 0, 0, new Uint8Array(0)), RangeError],
  ];
  for (const [fn, type] of cases) {
    assert.throws(fn, type, fn.toString());
    assert.equal(w.length, 9, fn.toString());
  }
  assert.equal(toHex(w.take()), h("000000 04 01 00000000"));
});
