// Every error rule of the frame layer, with its code and scope
// (stream 0 = connection error, else a stream error).
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
} from "../../../src/http2/frame/mod.ts";
import { assertHttp2Error, hex } from "./_helpers.ts";

const opts = { permissions: "none" } as const;
const { PROTOCOL_ERROR, FRAME_SIZE_ERROR, FLOW_CONTROL_ERROR } = ErrorCode;

/** Asserts that pushing `bytes` (in one chunk) throws a connection error. */
function rejects(bytes: string, code: ErrorCode): void {
  assertHttp2Error(() => new FrameDecoder().push(hex(bytes)), code, 0);
}

Deno.test(
  "frame longer than our max frame size: FRAME_SIZE_ERROR",
  opts,
  () => {
    // Rejected from the header alone, before the payload arrives.
    rejects("004001 00 00 00000001", FRAME_SIZE_ERROR);
    rejects("004001 fa 00 00000001", FRAME_SIZE_ERROR); // unknown type too
    rejects("ffffff 04 00 00000000", FRAME_SIZE_ERROR);
    const d = new FrameDecoder({ maxFrameSize: 20000 });
    assertHttp2Error(
      () => d.push(hex("004e21 00 00 00000001")),
      FRAME_SIZE_ERROR,
    );
  },
);

Deno.test("stream-only frames on stream 0: PROTOCOL_ERROR", opts, () => {
  rejects("000001 00 00 00000000 00", PROTOCOL_ERROR); // DATA
  rejects("000001 01 04 00000000 82", PROTOCOL_ERROR); // HEADERS
  rejects("000005 02 00 00000000 00000001 10", PROTOCOL_ERROR); // PRIORITY
  rejects("000004 03 00 00000000 00000000", PROTOCOL_ERROR); // RST_STREAM
  rejects("000004 05 04 00000000 00000002", PROTOCOL_ERROR); // PUSH_PROMISE
  const e = new Uint8Array(0);
  assertHttp2Error(() => decodeData(0, 0, e), PROTOCOL_ERROR);
  assertHttp2Error(() => decodeHeaders(4, 0, e), PROTOCOL_ERROR);
  assertHttp2Error(() => decodeContinuation(4, 0, e), PROTOCOL_ERROR);
  assertHttp2Error(
    () => decodePriority(0, 0, hex("0000000010")),
    PROTOCOL_ERROR,
  );
  assertHttp2Error(
    () => decodeRstStream(0, 0, hex("00000000")),
    PROTOCOL_ERROR,
  );
  assertHttp2Error(
    () => decodePushPromise(4, 0, hex("00000002")),
    PROTOCOL_ERROR,
  );
});

Deno.test("connection-only frames on a stream: PROTOCOL_ERROR", opts, () => {
  rejects("000000 04 00 00000001", PROTOCOL_ERROR); // SETTINGS
  rejects("000000 04 01 00000003", PROTOCOL_ERROR); // SETTINGS ACK
  rejects("000008 06 00 00000001 0000000000000000", PROTOCOL_ERROR); // PING
  rejects("000008 07 00 00000001 0000000000000000", PROTOCOL_ERROR); // GOAWAY
});

Deno.test("bad padding", opts, () => {
  // DATA: pad length >= payload length (3 >= 3): PROTOCOL_ERROR.
  rejects("000003 00 08 00000001 03 0000", PROTOCOL_ERROR);
  rejects("000001 00 08 00000001 ff", PROTOCOL_ERROR);
  // DATA: PADDED with no pad length octet: FRAME_SIZE_ERROR.
  rejects("000000 00 08 00000001", FRAME_SIZE_ERROR);
  // HEADERS: padding exceeds what is left for the fragment.
  rejects("000003 01 0c 00000001 03 8282", PROTOCOL_ERROR);
  rejects("000008 01 2c 00000001 03 00000000 10 82 00", PROTOCOL_ERROR);
  rejects("000000 01 0c 00000001", FRAME_SIZE_ERROR);
  // HEADERS: PRIORITY flag but fewer than 5 bytes for it.
  rejects("000004 01 24 00000001 00000000", FRAME_SIZE_ERROR);
  rejects("000005 01 2c 00000001 00 00000000", FRAME_SIZE_ERROR);
  // PUSH_PROMISE: padding exceeds; too short for the promised id.
  rejects("000006 05 0c 00000001 02 00000002 82", PROTOCOL_ERROR);
  rejects("000003 05 04 00000001 000000", FRAME_SIZE_ERROR);
  rejects("000004 05 0c 00000001 00 000002", FRAME_SIZE_ERROR);
});

Deno.test("fixed-size frames of the wrong size: FRAME_SIZE_ERROR", opts, () => {
  rejects("000003 03 00 00000001 000000", FRAME_SIZE_ERROR); // RST_STREAM 3
  rejects("000005 03 00 00000001 0000000000", FRAME_SIZE_ERROR); // RST_STREAM 5
  rejects("000007 06 00 00000000 00000000000000", FRAME_SIZE_ERROR); // PING 7
  rejects("000009 06 00 00000000 000000000000000000", FRAME_SIZE_ERROR);
  rejects("000007 07 00 00000000 00000000000000", FRAME_SIZE_ERROR); // GOAWAY
  rejects("000003 08 00 00000001 000001", FRAME_SIZE_ERROR); // WINDOW_UPDATE
  rejects("000005 08 00 00000000 0000000001", FRAME_SIZE_ERROR);
  assertHttp2Error(() => decodePing(0, 0, new Uint8Array(0)), FRAME_SIZE_ERROR);
  assertHttp2Error(
    () => decodeGoaway(0, 0, new Uint8Array(4)),
    FRAME_SIZE_ERROR,
  );
});

Deno.test("PRIORITY not 5 bytes: FRAME_SIZE_ERROR stream error", opts, () => {
  assertHttp2Error(
    () => decodePriority(0, 3, hex("00000001")),
    FRAME_SIZE_ERROR,
    3,
  );
  const [f] = new FrameDecoder().push(
    hex("000006 02 00 00000007 000000010000"),
  );
  assert.ok(f.type === STREAM_ERROR);
  assert.equal(f.streamId, 7);
  assert.equal(f.error.errorCode, FRAME_SIZE_ERROR);
  assert.equal(f.error.isConnectionError, false);
});

Deno.test(
  "WINDOW_UPDATE increment 0: stream error, or connection error on 0",
  opts,
  () => {
    assertHttp2Error(
      () => decodeWindowUpdate(0, 9, hex("00000000")),
      PROTOCOL_ERROR,
      9,
    );
    assertHttp2Error(
      () => decodeWindowUpdate(0, 0, hex("80000000")),
      PROTOCOL_ERROR,
      0,
    );
    rejects("000004 08 00 00000000 00000000", PROTOCOL_ERROR);
    const [f] = new FrameDecoder().push(hex("000004 08 00 00000009 00000000"));
    assert.ok(f.type === STREAM_ERROR && f.streamId === 9);
    assert.equal(f.frameType, FrameType.WINDOW_UPDATE);
    assert.equal(f.error.errorCode, PROTOCOL_ERROR);
  },
);

Deno.test("SETTINGS rules", opts, () => {
  // ACK with a payload: FRAME_SIZE_ERROR.
  rejects("000006 04 01 00000000 0002 00000000", FRAME_SIZE_ERROR);
  // Length not a multiple of 6: FRAME_SIZE_ERROR.
  rejects("000005 04 00 00000000 0002000000", FRAME_SIZE_ERROR);
  rejects("000007 04 00 00000000 0002 00000000 00", FRAME_SIZE_ERROR);
  // ENABLE_PUSH other than 0/1: PROTOCOL_ERROR.
  rejects("000006 04 00 00000000 0002 00000002", PROTOCOL_ERROR);
  rejects("000006 04 00 00000000 0002 ffffffff", PROTOCOL_ERROR);
  // INITIAL_WINDOW_SIZE above 2^31-1: FLOW_CONTROL_ERROR.
  rejects("000006 04 00 00000000 0004 80000000", FLOW_CONTROL_ERROR);
  // MAX_FRAME_SIZE outside 16384..16777215: PROTOCOL_ERROR.
  rejects("000006 04 00 00000000 0005 00003fff", PROTOCOL_ERROR);
  rejects("000006 04 00 00000000 0005 01000000", PROTOCOL_ERROR);
  rejects("000006 04 00 00000000 0005 00000000", PROTOCOL_ERROR);
  // A bad value after good ones still fails the frame.
  assertHttp2Error(
    () => decodeSettings(0, 0, hex("0003 00000064 0002 00000005")),
    PROTOCOL_ERROR,
  );
});

Deno.test(
  "field block sequencing: PROTOCOL_ERROR connection errors",
  opts,
  () => {
    // CONTINUATION with no open block.
    rejects("000001 09 04 00000001 82", PROTOCOL_ERROR);
    // CONTINUATION after a HEADERS that had END_HEADERS.
    rejects(
      "000001 01 04 00000001 82" + "000001 09 04 00000001 84",
      PROTOCOL_ERROR,
    );
    // Open block followed by another frame type.
    rejects(
      "000001 01 00 00000001 82" + "000001 00 00 00000001 00",
      PROTOCOL_ERROR,
    );
    rejects(
      "000001 01 00 00000001 82" + "000008 06 00 00000000 0000000000000000",
      PROTOCOL_ERROR,
    );
    // ... or by a CONTINUATION on another stream (or stream 0).
    rejects(
      "000001 01 00 00000001 82" + "000001 09 04 00000003 84",
      PROTOCOL_ERROR,
    );
    rejects(
      "000001 01 00 00000001 82" + "000001 09 04 00000000 84",
      PROTOCOL_ERROR,
    );
    // ... or by an unknown frame type (§5.5), even when unknowns are ignored.
    rejects(
      "000001 01 00 00000001 82" + "000000 fa 00 00000001",
      PROTOCOL_ERROR,
    );
    // ... or by a frame that would be a stream error alone.
    rejects(
      "000001 01 00 00000001 82" + "000004 02 00 00000001 00000000",
      PROTOCOL_ERROR,
    );
    // PUSH_PROMISE opens a block too.
    rejects(
      "000005 05 00 00000001 00000002 82" + "000001 01 04 00000003 82",
      PROTOCOL_ERROR,
    );
    // The decoder refuses as soon as the header arrives.
    const d = new FrameDecoder();
    assert.deepEqual(d.push(hex("000001 01 00 00000001 82")), []);
    assertHttp2Error(
      () => d.push(hex("004000 00 00 00000001")),
      PROTOCOL_ERROR,
    );
  },
);

Deno.test("field block bounds: ENHANCE_YOUR_CALM", opts, () => {
  const d = new FrameDecoder({ maxHeaderBlockSize: 10 });
  assert.deepEqual(d.push(hex("000006 01 00 00000001 000000000000")), []);
  assertHttp2Error(
    () => d.push(hex("000005 09 04 00000001 0000000000")),
    ErrorCode.ENHANCE_YOUR_CALM,
  );
  // Exactly the bound is fine.
  const ok = new FrameDecoder({ maxHeaderBlockSize: 10 }).push(hex(
    "000006 01 00 00000001 000000000000" + "000004 09 04 00000001 00000000",
  ));
  assert.equal(ok.length, 1);
  // A single HEADERS frame over the bound.
  assertHttp2Error(
    () =>
      new FrameDecoder({ maxHeaderBlockSize: 2 }).push(
        hex("000003 01 04 00000001 828282"),
      ),
    ErrorCode.ENHANCE_YOUR_CALM,
  );
  // A flood of empty CONTINUATION frames.
  const flood = new FrameDecoder({ maxContinuationFrames: 2 });
  flood.push(hex("000001 01 00 00000001 82"));
  flood.push(hex("000000 09 00 00000001"));
  flood.push(hex("000000 09 00 00000001"));
  assertHttp2Error(
    () => flood.push(hex("000000 09 00 00000001")),
    ErrorCode.ENHANCE_YOUR_CALM,
  );
});

Deno.test("bad client preface: PROTOCOL_ERROR", opts, () => {
  const d = new FrameDecoder({ expectPreface: true });
  assert.deepEqual(d.push(hex("505249202a")), []);
  assertHttp2Error(() => d.push(hex("21")), PROTOCOL_ERROR);
  assertHttp2Error(
    () =>
      new FrameDecoder({ expectPreface: true }).push(
        hex("000000 04 00 00000000"),
      ),
    PROTOCOL_ERROR,
  );
});

Deno.test("after a connection error the decoder stays failed", opts, () => {
  const d = new FrameDecoder();
  const first = assertHttp2Error(
    () => d.push(hex("000000 04 00 00000001")),
    PROTOCOL_ERROR,
  );
  assert.throws(() => d.push(hex("000000 04 01 00000000")), (e) => e === first);
});

Deno.test("push() wants a Uint8Array", opts, () => {
  const d = new FrameDecoder();
  assert.throws(() => d.push("abc" as unknown as Uint8Array), TypeError);
  assert.deepEqual(d.push(new Uint8Array(0)), []);
});
