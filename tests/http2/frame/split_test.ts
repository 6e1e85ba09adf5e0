// The decoder fed every possible 3-chunk split of a stream of mixed frames:
// for a stream of n bytes, every pair of cut points 0 <= i <= j <= n.
import assert from "node:assert/strict";
import {
  ErrorCode,
  type Frame,
  FrameDecoder,
  type FrameDecoderOptions,
  FrameType,
  STREAM_ERROR,
  UNKNOWN_FRAME,
} from "../../../src/http2/frame/mod.ts";
import { hex, plain } from "./_helpers.ts";

const opts = { permissions: "none" } as const;

const STREAM = hex(
  // SETTINGS as APNs sends it
  "00001e 04 00 00000000 0001 00001000 0003 00000001 0004 0000ffff" +
    "0005 00004000 0006 00001f40" +
    "000000 04 01 00000000" + // SETTINGS ACK
    "000004 08 00 00000000 000f0001" + // WINDOW_UPDATE connection
    // HEADERS stream 1, PADDED|PRIORITY, no END_HEADERS, then 2 CONTINUATIONs
    "000009 01 28 00000001 01 00000000 0f 8887 00" +
    "000001 09 00 00000001 5f" +
    "000002 09 04 00000001 9091" +
    "000006 00 08 00000001 03 6869 000000" + // DATA padded
    "000002 00 01 00000001 7b7d" + // DATA END_STREAM
    "000008 06 00 00000000 0102030405060708" + // PING
    "000004 02 00 00000003 00000001" + // PRIORITY of 4 bytes: stream error
    "000003 fa 07 00000001 616263" + // unknown type
    "000004 03 00 00000003 00000007" + // RST_STREAM REFUSED_STREAM
    "000004 08 00 00000003 00000000" + // WINDOW_UPDATE 0: stream error
    "000005 02 00 00000005 00000003 0f" + // PRIORITY
    "000005 05 04 00000001 00000002 82" + // PUSH_PROMISE
    // GOAWAY {"reason":"Shutdown"}
    "00001d 07 00 00000000 0000000b 00000000" +
    "7b22726561736f6e223a2253687574646f776e227d",
);

Deno.test("whole stream decodes to the expected frames", opts, () => {
  const frames = new FrameDecoder().push(STREAM);
  const types = frames.map((f) => f.type);
  assert.deepEqual(types, [
    FrameType.SETTINGS,
    FrameType.SETTINGS,
    FrameType.WINDOW_UPDATE,
    FrameType.HEADERS,
    FrameType.DATA,
    FrameType.DATA,
    FrameType.PING,
    STREAM_ERROR,
    FrameType.RST_STREAM,
    STREAM_ERROR,
    FrameType.PRIORITY,
    FrameType.PUSH_PROMISE,
    FrameType.GOAWAY,
  ]);
  const p = plain(frames) as Record<string, unknown>[];
  assert.deepEqual(p[3], {
    type: FrameType.HEADERS,
    flags: 0x2c,
    streamId: 1,
    endStream: false,
    endHeaders: true,
    priority: { exclusive: false, dependency: 0, weight: 16 },
    fragment: "88875f9091",
  });
  assert.equal(p[4].data, "6869");
  assert.equal(p[5].data, "7b7d");
  assert.equal((p[7].error as { errorCode: number }).errorCode, 6);
  assert.equal(p[8].errorCode, ErrorCode.REFUSED_STREAM);
  assert.equal((p[9].error as { streamId: number }).streamId, 3);
  assert.equal(p[12].lastStreamId, 11);
});

function splitAll(options: FrameDecoderOptions, expected: unknown[]): number {
  const n = STREAM.length;
  let runs = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = i; j <= n; j++) {
      const d = new FrameDecoder(options);
      const got: Frame[] = [];
      // Each chunk in its own buffer, as a transport would hand them over.
      for (const [a, b] of [[0, i], [i, j], [j, n]]) {
        const chunk = STREAM.slice(a, b);
        got.push(...d.push(chunk));
      }
      assert.deepEqual(plain(got), expected, `cuts at ${i}, ${j}`);
      runs++;
    }
  }
  return runs;
}

Deno.test("every pair of cut points gives the same frames", opts, () => {
  const expected = plain(new FrameDecoder().push(STREAM));
  const runs = splitAll({}, expected);
  const n = STREAM.length;
  assert.equal(runs, ((n + 1) * (n + 2)) / 2);
});

Deno.test(
  "every pair of cut points, raw CONTINUATION and unknown frames",
  opts,
  () => {
    const options = { assembleHeaders: false, emitUnknown: true };
    const expected = plain(new FrameDecoder(options).push(STREAM));
    assert.equal(expected.length, 16);
    assert.ok(
      expected.some((f) => (f as { type: number }).type === UNKNOWN_FRAME),
    );
    splitAll(options, expected);
  },
);

Deno.test("byte by byte, each chunk wiped after its push", opts, () => {
  // Every frame with a payload straddles chunks here, so none may keep a
  // view into a chunk.
  const expected = plain(new FrameDecoder().push(STREAM));
  const d = new FrameDecoder();
  const got: Frame[] = [];
  for (let i = 0; i < STREAM.length; i++) {
    const one = STREAM.slice(i, i + 1);
    got.push(...d.push(one));
    one[0] = 0xee;
  }
  assert.deepEqual(plain(got), expected);
});
