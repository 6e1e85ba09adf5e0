import assert from "node:assert/strict";
import {
  encodeFeedbackTuple,
  FEEDBACK_TUPLE_SIZE,
  FeedbackDecoder,
  type FeedbackTuple,
} from "../../src/binary/feedback.ts";
import { ProtocolError } from "../../src/errors.ts";
import { hex, TOKEN_HEX } from "./_vectors.ts";

// time 0x5f5e1000 | u16 32 | token 00..1f
const TUPLE_A = hex(`5f5e1000 | 0020 | ${TOKEN_HEX}`);
// time 1 | u16 32 | token ff..ff
const TUPLE_B = hex(`00000001 | 0020 | ${"ff".repeat(32)}`);
// time 0xffffffff | u16 3 | token ABCDEF (odd size, honoured)
const TUPLE_C = hex(`ffffffff | 0003 | abcdef`);

const EXPECTED: FeedbackTuple[] = [
  { token: TOKEN_HEX, time: 0x5f5e1000 },
  { token: "ff".repeat(32), time: 1 },
  { token: "abcdef", time: 0xffffffff },
];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

Deno.test({
  name: "feedback: encode exact bytes",
  permissions: "none",
  fn() {
    assert.equal(FEEDBACK_TUPLE_SIZE, 38);
    assert.equal(TUPLE_A.length, 38);
    assert.deepEqual(
      encodeFeedbackTuple(Uint8Array.fromHex(TOKEN_HEX), 0x5f5e1000),
      TUPLE_A,
    );
    assert.deepEqual(
      encodeFeedbackTuple(hex("abcdef"), 0xffffffff),
      TUPLE_C,
    );
    assert.deepEqual(
      encodeFeedbackTuple(new Uint8Array(0), 0),
      hex("00000000 0000"),
    );
    assert.throws(
      () => encodeFeedbackTuple(new Uint8Array(65536), 0),
      RangeError,
    );
    assert.throws(
      () => encodeFeedbackTuple(new Uint8Array(1), 2 ** 32),
      RangeError,
    );
    assert.throws(() => encodeFeedbackTuple(new Uint8Array(1), -1), RangeError);
    assert.throws(
      () => encodeFeedbackTuple([1] as unknown as Uint8Array, 1),
      TypeError,
    );
  },
});

Deno.test({
  name: "feedback: decoder, every three-way split of a stream",
  permissions: "none",
  fn() {
    const stream = concat(TUPLE_A, TUPLE_B, TUPLE_C);
    const n = stream.length;
    let runs = 0;
    for (let i = 0; i <= n; i++) {
      for (let j = i; j <= n; j++) {
        const d = new FeedbackDecoder();
        const got = [
          ...d.push(stream.subarray(0, i)),
          ...d.push(stream.subarray(i, j)),
          ...d.push(stream.subarray(j, n)),
        ];
        assert.deepEqual(got, EXPECTED, `split ${i},${j}`);
        assert.equal(d.pending, 0);
        runs++;
      }
    }
    assert.ok(runs > 3000);
  },
});

Deno.test({
  name: "feedback: decoder reports pending bytes of a partial tuple",
  permissions: "none",
  fn() {
    const d = new FeedbackDecoder();
    assert.deepEqual(d.push(TUPLE_A.subarray(0, 5)), []);
    assert.equal(d.pending, 5);
    assert.deepEqual(d.push(TUPLE_A.subarray(5, 37)), []);
    assert.equal(d.pending, 37);
    assert.deepEqual(d.push(TUPLE_A.subarray(37)), [EXPECTED[0]]);
    assert.equal(d.pending, 0);
  },
});

Deno.test({
  name: "feedback: decoder bounds the token length from the wire",
  permissions: "none",
  fn() {
    // 1024 is allowed
    const big = concat(hex("00000002 0400"), new Uint8Array(1024).fill(1));
    const d = new FeedbackDecoder();
    assert.deepEqual(d.push(big), [{ token: "01".repeat(1024), time: 2 }]);
    // 1025 is refused as soon as the header arrives
    const bad = hex("00000002 0401");
    const d2 = new FeedbackDecoder();
    assert.throws(() => d2.push(bad), ProtocolError);
    assert.throws(() => d2.push(TUPLE_A), ProtocolError); // stays failed
    // tuples before the bad header are returned first; the next push throws
    const d3 = new FeedbackDecoder();
    assert.deepEqual(d3.push(concat(TUPLE_A, bad)), [EXPECTED[0]]);
    assert.equal(d3.pending, 6);
    assert.throws(() => d3.push(new Uint8Array(0)), ProtocolError);
  },
});
