// Decoding every frame type from bytes written by hand (RFC 9113 §4.1, §6).
import assert from "node:assert/strict";
import {
  decodeContinuation,
  decodeData,
  decodeGoaway,
  decodeHeaders,
  decodePing,
  decodePriority,
  decodePushPromise,
  decodeRstStream,
  decodeSettings,
  decodeWindowUpdate,
  ErrorCode,
  FrameDecoder,
  FrameType,
  STREAM_ERROR,
  UNKNOWN_FRAME,
} from "../../../src/http2/frame/mod.ts";
import { decodeAll, hex, plain } from "./_helpers.ts";

const opts = { permissions: "none" } as const;
const ascii = (s: string) => new TextEncoder().encode(s);

Deno.test("DATA, plain and padded", opts, () => {
  assert.deepEqual(decodeAll(hex("000005 00 01 00000001 68656c6c6f")), [{
    type: FrameType.DATA,
    flags: 1,
    streamId: 1,
    endStream: true,
    data: ascii("hello"),
    flowControlLength: 5,
  }]);
  // PADDED|END_STREAM, pad length 3, "hi", 3 bytes of padding.
  assert.deepEqual(decodeAll(hex("000006 00 09 00000001 03 6869 000000")), [{
    type: FrameType.DATA,
    flags: 9,
    streamId: 1,
    endStream: true,
    data: ascii("hi"),
    flowControlLength: 6,
  }]);
  // All padding, no data: pad length = payload length - 1 is allowed.
  const [f] = decodeAll(hex("000004 00 08 00000003 03 000000"));
  assert.ok(f.type === FrameType.DATA);
  assert.equal(f.data.length, 0);
  assert.equal(f.endStream, false);
  assert.equal(f.flowControlLength, 4);
  // Pure function, offset/length into a larger buffer.
  const d = decodeData(0, 5, hex("ff 6869 ff"), 1, 2);
  assert.deepEqual(d.data, ascii("hi"));
});

Deno.test("DATA payload is a view when the chunk holds the frame", opts, () => {
  const chunk = hex("000002 00 00 00000001 6869" + "000001 00 01 00000001 21");
  const frames = new FrameDecoder().push(chunk);
  assert.equal(frames.length, 2);
  for (const f of frames) {
    assert.ok(f.type === FrameType.DATA);
    assert.equal(f.data.buffer, chunk.buffer); // zero copy
  }
  // Split across chunks: the decoder's own buffer, not the chunk's.
  const decoder = new FrameDecoder();
  const a = hex("000002 00 00 00000001 68");
  const b = hex("69");
  assert.deepEqual(decoder.push(a), []);
  const [f] = decoder.push(b);
  assert.ok(f.type === FrameType.DATA);
  assert.notEqual(f.data.buffer, a.buffer);
  assert.notEqual(f.data.buffer, b.buffer);
  a.fill(0);
  b.fill(0);
  assert.deepEqual(f.data, ascii("hi"));
});

Deno.test("HEADERS: padded, with priority, both", opts, () => {
  // PADDED|PRIORITY|END_HEADERS|END_STREAM = 0x2d; pad 2; E=1 dependency 3;
  // weight 15 (means 16); fragment 82 84; padding 00 00. Length 10.
  assert.deepEqual(
    decodeAll(hex("00000a 01 2d 00000005 02 80000003 0f 8284 0000")),
    [{
      type: FrameType.HEADERS,
      flags: 0x2d,
      streamId: 5,
      endStream: true,
      endHeaders: true,
      priority: { exclusive: true, dependency: 3, weight: 16 },
      fragment: hex("8284"),
    }],
  );
  // PRIORITY|END_HEADERS = 0x24, dependency 0, weight 0xff (256).
  assert.deepEqual(decodeAll(hex("000007 01 24 00000001 00000000 ff 8286")), [{
    type: FrameType.HEADERS,
    flags: 0x24,
    streamId: 1,
    endStream: false,
    endHeaders: true,
    priority: { exclusive: false, dependency: 0, weight: 256 },
    fragment: hex("8286"),
  }]);
  // PADDED|END_HEADERS, padding fills all: empty fragment.
  const h = decodeHeaders(0x0c, 1, hex("02 0000"));
  assert.equal(h.fragment.length, 0);
  assert.equal(h.priority, null);
  // Plain.
  assert.deepEqual(decodeHeaders(0x04, 7, hex("88")).fragment, hex("88"));
});

Deno.test("PRIORITY: decoded, then ignored by the caller", opts, () => {
  assert.deepEqual(decodeAll(hex("000005 02 00 00000003 80000001 07")), [{
    type: FrameType.PRIORITY,
    flags: 0,
    streamId: 3,
    priority: { exclusive: true, dependency: 1, weight: 8 },
  }]);
  assert.equal(decodePriority(0, 9, hex("00000007 00")).priority.weight, 1);
});

Deno.test("RST_STREAM, any error code", opts, () => {
  assert.deepEqual(decodeAll(hex("000004 03 00 00000001 00000002")), [{
    type: FrameType.RST_STREAM,
    flags: 0,
    streamId: 1,
    errorCode: ErrorCode.INTERNAL_ERROR,
  }]);
  assert.equal(decodeRstStream(0, 3, hex("deadbeef")).errorCode, 0xdeadbeef);
});

Deno.test(
  "SETTINGS from APNs: MAX_CONCURRENT_STREAMS 1, then 1000",
  opts,
  () => {
    const bytes = hex(
      "00001e 04 00 00000000" +
        "0001 00001000" + "0003 00000001" + "0004 0000ffff" +
        "0005 00004000" + "0006 00001f40" +
        "000000 04 01 00000000" + // ACK of ours
        "000006 04 00 00000000 0003 000003e8",
    );
    assert.deepEqual(decodeAll(bytes), [
      {
        type: FrameType.SETTINGS,
        flags: 0,
        streamId: 0,
        ack: false,
        settings: {
          headerTableSize: 4096,
          maxConcurrentStreams: 1,
          initialWindowSize: 65535,
          maxFrameSize: 16384,
          maxHeaderListSize: 8000,
        },
      },
      {
        type: FrameType.SETTINGS,
        flags: 1,
        streamId: 0,
        ack: true,
        settings: {},
      },
      {
        type: FrameType.SETTINGS,
        flags: 0,
        streamId: 0,
        ack: false,
        settings: { maxConcurrentStreams: 1000 },
      },
    ]);
  },
);

Deno.test(
  "SETTINGS: limits accepted, unknown ids ignored, last wins",
  opts,
  () => {
    const f = decodeSettings(
      0,
      0,
      hex(
        "0002 00000000" + "0002 00000001" + // ENABLE_PUSH 0 then 1
          "0004 7fffffff" + // INITIAL_WINDOW_SIZE 2^31-1
          "0005 00004000" + "0005 00ffffff" + // MAX_FRAME_SIZE 16384, 2^24-1
          "0009 00000001" + "ffff ffffffff" + "0000 00000005", // unknown
      ),
    );
    assert.deepEqual(f.settings, {
      enablePush: true,
      initialWindowSize: 0x7fffffff,
      maxFrameSize: 16777215,
    });
    // Undefined flags are ignored; ACK is bit 0.
    assert.equal(decodeSettings(0xfe, 0, new Uint8Array(0)).ack, false);
    assert.equal(decodeSettings(0xff, 0, new Uint8Array(0)).ack, true);
  },
);

Deno.test("PUSH_PROMISE, plain and padded", opts, () => {
  assert.deepEqual(decodeAll(hex("000005 05 04 00000001 00000002 82")), [{
    type: FrameType.PUSH_PROMISE,
    flags: 4,
    streamId: 1,
    promisedStreamId: 2,
    endHeaders: true,
    fragment: hex("82"),
  }]);
  // PADDED|END_HEADERS; pad 1; reserved bit set on the promised id (ignored).
  const p = decodePushPromise(0x0c, 1, hex("01 80000004 8286 00"));
  assert.equal(p.promisedStreamId, 4);
  assert.deepEqual(p.fragment, hex("8286"));
});

Deno.test("PING and PING ACK; payload is a copy", opts, () => {
  const chunk = hex(
    "000008 06 00 00000000 0102030405060708" +
      "000008 06 01 00000000 0807060504030201",
  );
  const frames = decodeAll(chunk);
  assert.deepEqual(frames, [
    {
      type: FrameType.PING,
      flags: 0,
      streamId: 0,
      ack: false,
      payload: hex("0102030405060708"),
    },
    {
      type: FrameType.PING,
      flags: 1,
      streamId: 0,
      ack: true,
      payload: hex("0807060504030201"),
    },
  ]);
  chunk.fill(0);
  assert.ok(frames[0].type === FrameType.PING);
  assert.deepEqual(frames[0].payload, hex("0102030405060708"));
  assert.deepEqual(decodePing(0, 0, hex("0000000000000000")).ack, false);
});

Deno.test('GOAWAY with JSON debug data {"reason":"Shutdown"}', opts, () => {
  const [g] = decodeAll(hex(
    "00001d 07 00 00000000 0000000b 00000000" +
      "7b22726561736f6e223a2253687574646f776e227d",
  ));
  assert.ok(g.type === FrameType.GOAWAY);
  assert.equal(g.lastStreamId, 11);
  assert.equal(g.errorCode, ErrorCode.NO_ERROR);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(g.debugData)), {
    reason: "Shutdown",
  });
  // Reserved bit of Last-Stream-ID ignored; no debug data.
  const h = decodeGoaway(0, 0, hex("8000000b 0000000b"));
  assert.equal(h.lastStreamId, 11);
  assert.equal(h.errorCode, ErrorCode.ENHANCE_YOUR_CALM);
  assert.equal(h.debugData.length, 0);
});

Deno.test("WINDOW_UPDATE; reserved bit ignored", opts, () => {
  assert.deepEqual(
    decodeAll(hex(
      "000004 08 00 00000000 000f0001" + "000004 08 00 00000001 80000001",
    )),
    [
      {
        type: FrameType.WINDOW_UPDATE,
        flags: 0,
        streamId: 0,
        increment: 983041,
      },
      { type: FrameType.WINDOW_UPDATE, flags: 0, streamId: 1, increment: 1 },
    ],
  );
  assert.equal(
    decodeWindowUpdate(0, 3, hex("7fffffff")).increment,
    2 ** 31 - 1,
  );
});

Deno.test("CONTINUATION raw (assembleHeaders: false)", opts, () => {
  const frames = decodeAll(
    hex("000001 01 01 00000001 82" + "000002 09 04 00000001 8485"),
    { assembleHeaders: false },
  );
  assert.deepEqual(frames, [
    {
      type: FrameType.HEADERS,
      flags: 1,
      streamId: 1,
      endStream: true,
      endHeaders: false,
      priority: null,
      fragment: hex("82"),
    },
    {
      type: FrameType.CONTINUATION,
      flags: 4,
      streamId: 1,
      endHeaders: true,
      fragment: hex("8485"),
    },
  ]);
  assert.equal(decodeContinuation(0, 3, hex("")).endHeaders, false);
});

Deno.test(
  "reserved bit of the stream identifier is ignored (§4.1)",
  opts,
  () => {
    const [p] = decodeAll(hex("000008 06 00 80000000 0000000000000000"));
    assert.ok(p.type === FrameType.PING && p.streamId === 0);
    const [d] = decodeAll(hex("000000 00 00 80000005"));
    assert.equal(d.streamId, 5);
  },
);

Deno.test("unknown frame types are ignored, or passed through", opts, () => {
  const bytes = hex(
    "000003 fa 07 00000001 616263" + // type 0xfa
      "000000 0a 00 00000000" + // ALTSVC (0xa), unknown to us
      "000004 08 00 00000000 00000001",
  );
  assert.deepEqual(plain(decodeAll(bytes)), [
    { type: FrameType.WINDOW_UPDATE, flags: 0, streamId: 0, increment: 1 },
  ]);
  assert.deepEqual(plain(decodeAll(bytes, { emitUnknown: true })), [
    {
      type: UNKNOWN_FRAME,
      frameType: 0xfa,
      flags: 7,
      streamId: 1,
      payload: "616263",
    },
    { type: UNKNOWN_FRAME, frameType: 0xa, flags: 0, streamId: 0, payload: "" },
    { type: FrameType.WINDOW_UPDATE, flags: 0, streamId: 0, increment: 1 },
  ]);
});

Deno.test(
  "stream errors are reported in order and decoding goes on",
  opts,
  () => {
    const frames = decodeAll(hex(
      "000004 02 00 00000003 00000001" + // PRIORITY of 4 bytes
        "000004 08 00 00000005 00000000" + // WINDOW_UPDATE 0 on stream 5
        "000004 08 00 00000005 80000000" + // 0 with the reserved bit set
        "000008 06 00 00000000 0000000000000000",
    ));
    assert.equal(frames.length, 4);
    const [a, b, c, d] = frames;
    assert.ok(a.type === STREAM_ERROR && b.type === STREAM_ERROR);
    assert.ok(c.type === STREAM_ERROR);
    assert.equal(a.frameType, FrameType.PRIORITY);
    assert.equal(a.streamId, 3);
    assert.equal(a.error.errorCode, ErrorCode.FRAME_SIZE_ERROR);
    assert.equal(a.error.streamId, 3);
    assert.equal(b.frameType, FrameType.WINDOW_UPDATE);
    assert.equal(b.streamId, 5);
    assert.equal(b.error.errorCode, ErrorCode.PROTOCOL_ERROR);
    assert.equal(c.error.errorCode, ErrorCode.PROTOCOL_ERROR);
    assert.equal(d.type, FrameType.PING);
  },
);

Deno.test("client preface then frames (expectPreface)", opts, () => {
  const bytes = hex(
    "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a" +
      "000006 04 00 00000000 0002 00000000",
  );
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new FrameDecoder({ expectPreface: true });
    const frames = [
      ...d.push(bytes.subarray(0, cut)),
      ...d.push(bytes.subarray(cut)),
    ];
    assert.deepEqual(plain(frames), [{
      type: FrameType.SETTINGS,
      flags: 0,
      streamId: 0,
      ack: false,
      settings: { enablePush: false },
    }]);
  }
});

Deno.test(
  "max frame size: 16384 by default, raised with setMaxFrameSize",
  opts,
  () => {
    const frame = new Uint8Array(9 + 16385);
    frame.set(hex("004001 00 00 00000001"));
    const d = new FrameDecoder();
    assert.equal(d.maxFrameSize, 16384);
    d.setMaxFrameSize(16385);
    const [f] = d.push(frame);
    assert.ok(f.type === FrameType.DATA && f.data.length === 16385);
    assert.equal(
      new FrameDecoder({ maxFrameSize: 16777215 }).maxFrameSize,
      2 ** 24 - 1,
    );
    assert.throws(() => d.setMaxFrameSize(16383), RangeError);
    assert.throws(() => d.setMaxFrameSize(2 ** 24), RangeError);
    assert.throws(() => new FrameDecoder({ maxFrameSize: 100 }), RangeError);
  },
);
