// Field blocks split into HEADERS + CONTINUATION and put back together.
import assert from "node:assert/strict";
import {
  ContinuationAssembler,
  decodeContinuation,
  decodeHeaders,
  decodePushPromise,
  ErrorCode,
  FrameDecoder,
  FrameType,
  FrameWriter,
} from "../../../src/http2/frame/mod.ts";
import { assertHttp2Error, hex, toHex } from "./_helpers.ts";

const opts = { permissions: "none" } as const;

Deno.test(
  "writer splits at a small max frame size; decoder reassembles",
  opts,
  () => {
    const block = new Uint8Array(1000);
    for (let i = 0; i < block.length; i++) block[i] = (i * 7) & 0xff;
    for (const max of [1, 7, 100, 999, 1000, 1001, 16384]) {
      for (const endStream of [false, true]) {
        const w = new FrameWriter();
        w.writeHeaders(5, block, endStream, max);
        w.writeData(5, hex("7b7d"), true);
        const bytes = w.take();
        const frameCount = Math.ceil(block.length / max);
        assert.equal(bytes.length, 9 * frameCount + block.length + 11);
        // max 1 makes 999 CONTINUATIONs: above the default bound of 128.
        const frames = new FrameDecoder({ maxContinuationFrames: 1000 }).push(
          bytes,
        );
        assert.equal(frames.length, 2);
        const [h, d] = frames;
        assert.ok(h.type === FrameType.HEADERS);
        assert.equal(h.streamId, 5);
        assert.equal(h.endStream, endStream);
        assert.equal(h.endHeaders, true);
        assert.equal(h.flags, 0x04 | (endStream ? 0x01 : 0));
        assert.deepEqual(h.fragment, block);
        assert.equal(d.type, FrameType.DATA);
        // Raw mode shows the frames themselves.
        const raw = new FrameDecoder({ assembleHeaders: false }).push(bytes);
        if (max === 1) {
          assertHttp2Error(
            () => new FrameDecoder().push(bytes),
            ErrorCode.ENHANCE_YOUR_CALM,
          );
        }
        assert.equal(raw.length, frameCount + 1);
        assert.equal(raw[0].type, FrameType.HEADERS);
        for (let i = 1; i < frameCount; i++) {
          const c = raw[i];
          assert.ok(c.type === FrameType.CONTINUATION);
          assert.equal(c.endHeaders, i === frameCount - 1);
        }
      }
    }
  },
);

Deno.test("assembled blocks are copies; the input may be reused", opts, () => {
  const d = new FrameDecoder();
  const a = hex("000002 01 01 00000001 8283"); // END_STREAM, no END_HEADERS
  const b = hex("000001 09 00 00000001 84");
  const c = hex("000001 09 04 00000001 85");
  assert.deepEqual(d.push(a), []);
  a.fill(0);
  assert.deepEqual(d.push(b), []);
  b.fill(0);
  const [h] = d.push(c);
  c.fill(0);
  assert.ok(h.type === FrameType.HEADERS && h.endStream && h.endHeaders);
  assert.equal(toHex(h.fragment), "82838485");
  // The next block starts clean.
  const [h2] = d.push(
    hex("000001 01 00 00000003 86" + "000000 09 04 00000003"),
  );
  assert.ok(h2.type === FrameType.HEADERS);
  assert.equal(h2.streamId, 3);
  assert.equal(h2.endStream, false);
  assert.equal(toHex(h2.fragment), "86");
  assert.equal(toHex(h.fragment), "82838485");
});

Deno.test("HEADERS with padding and priority, then CONTINUATION", opts, () => {
  const [h] = new FrameDecoder().push(hex(
    "000009 01 29 00000001 01 80000000 0f 8887 00" + // PADDED|PRIORITY|END_STREAM
      "000002 09 04 00000001 9091",
  ));
  assert.deepEqual(h, {
    type: FrameType.HEADERS,
    flags: 0x2d,
    streamId: 1,
    endStream: true,
    endHeaders: true,
    priority: { exclusive: true, dependency: 0, weight: 16 },
    fragment: hex("88879091"),
  });
});

Deno.test("PUSH_PROMISE with CONTINUATION", opts, () => {
  const [p] = new FrameDecoder().push(hex(
    "000005 05 00 00000001 00000002 82" + "000001 09 04 00000001 84",
  ));
  assert.deepEqual(p, {
    type: FrameType.PUSH_PROMISE,
    flags: 4,
    streamId: 1,
    promisedStreamId: 2,
    endHeaders: true,
    fragment: hex("8284"),
  });
});

Deno.test("ContinuationAssembler on its own", opts, () => {
  const asm = new ContinuationAssembler({ maxHeaderBlockSize: 4 });
  assert.equal(asm.pendingStreamId, 0);
  const whole = decodeHeaders(0x04, 1, hex("82"));
  assert.equal(asm.accept(whole), whole); // passed through untouched
  assert.equal(asm.accept(decodeHeaders(0, 3, hex("82"))), null);
  assert.equal(asm.pendingStreamId, 3);
  assert.equal(asm.accept(decodeContinuation(0, 3, hex("8384"))), null);
  const done = asm.accept(decodeContinuation(4, 3, hex("85")));
  assert.ok(done?.type === FrameType.HEADERS);
  assert.equal(toHex(done.fragment), "82838485");
  assert.equal(asm.pendingStreamId, 0);
  // Stray CONTINUATION; other frame inside a block; size bound.
  assertHttp2Error(
    () => asm.accept(decodeContinuation(4, 1, hex(""))),
    ErrorCode.PROTOCOL_ERROR,
  );
  const b = new ContinuationAssembler({ maxHeaderBlockSize: 4 });
  b.accept(decodePushPromise(0, 1, hex("00000002 82")));
  assertHttp2Error(
    () => b.accept(decodeHeaders(4, 1, hex("82"))),
    ErrorCode.PROTOCOL_ERROR,
  );
  const c = new ContinuationAssembler({ maxHeaderBlockSize: 4 });
  c.accept(decodeHeaders(0, 1, hex("8283")));
  assertHttp2Error(
    () => c.accept(decodeContinuation(4, 1, hex("848586"))),
    ErrorCode.ENHANCE_YOUR_CALM,
  );
  assert.throws(
    () => new ContinuationAssembler({ maxHeaderBlockSize: 0 }),
    RangeError,
  );
});
