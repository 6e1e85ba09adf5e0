import assert from "node:assert/strict";
import {
  decodeInteger,
  encodeInteger,
  HpackError,
  integerLength,
  MAX_INTEGER,
} from "../../../src/http2/hpack/mod.ts";

const NONE = "none" as const;

function enc(value: number, prefix: number, flags = 0): number[] {
  const out = new Uint8Array(8);
  const end = encodeInteger(value, prefix, flags, out, 0);
  assert.equal(end, integerLength(value, prefix));
  return [...out.subarray(0, end)];
}

function dec(bytes: number[], prefix: number): [number, number] {
  const cursor = { offset: -1 };
  const value = decodeInteger(
    Uint8Array.from(bytes),
    0,
    bytes.length,
    prefix,
    cursor,
  );
  return [value, cursor.offset];
}

Deno.test({
  name: "C.1.1 10 with a 5-bit prefix",
  permissions: NONE,
  fn() {
    assert.deepEqual(enc(10, 5), [0b01010]);
    assert.deepEqual(enc(10, 5, 0xe0), [0b11101010]); // prefix flags kept
    assert.deepEqual(dec([0b11101010], 5), [10, 1]); // flags ignored
  },
});

Deno.test({
  name: "C.1.2 1337 with a 5-bit prefix",
  permissions: NONE,
  fn() {
    assert.deepEqual(enc(1337, 5), [0b00011111, 0b10011010, 0b00001010]);
    assert.deepEqual(dec([0b00011111, 0b10011010, 0b00001010], 5), [1337, 3]);
  },
});

Deno.test({
  name: "C.1.3 42 at an octet boundary (8-bit prefix)",
  permissions: NONE,
  fn() {
    assert.deepEqual(enc(42, 8), [0b00101010]);
    assert.deepEqual(dec([0b00101010], 8), [42, 1]);
  },
});

Deno.test({
  name: "prefix boundaries: 2^N - 1 takes a continuation octet of 0",
  permissions: NONE,
  fn() {
    assert.deepEqual(enc(30, 5), [30]);
    assert.deepEqual(enc(31, 5), [31, 0]);
    assert.deepEqual(enc(31 + 127, 5), [31, 127]);
    assert.deepEqual(enc(31 + 128, 5), [31, 0x80, 1]);
    assert.deepEqual(enc(254, 8), [254]);
    assert.deepEqual(enc(255, 8), [255, 0]);
    assert.deepEqual(enc(126, 7, 0x80), [0xfe]);
    assert.deepEqual(enc(127, 7, 0x80), [0xff, 0]);
    assert.deepEqual(dec([31, 0], 5), [31, 2]);
  },
});

Deno.test({
  name: "2^32 - 1 round-trips; larger values are refused both ways",
  permissions: NONE,
  fn() {
    // 2^32 - 1 - 15 = 4294967280 = 0x0fffffff0 in 7-bit groups, low first:
    // 0x70, 0x7f, 0x7f, 0x7f, 0x0f.
    assert.deepEqual(enc(MAX_INTEGER, 4), [15, 0xf0, 0xff, 0xff, 0xff, 0x0f]);
    assert.deepEqual(dec([15, 0xf0, 0xff, 0xff, 0xff, 0x0f], 4), [
      MAX_INTEGER,
      6,
    ]);
    assert.throws(() => enc(MAX_INTEGER + 1, 4), RangeError);
    assert.throws(() => enc(-1, 4), RangeError);
    assert.throws(() => enc(1.5, 4), RangeError);
    // 15 + 0x10 * 2^28 = 2^32 + 15: too large.
    assert.throws(() => dec([15, 0x80, 0x80, 0x80, 0x80, 0x10], 4), HpackError);
    // A sixth continuation octet is refused even when it adds nothing.
    assert.throws(
      () => dec([15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 4),
      /too many octets/,
    );
  },
});

Deno.test({
  name: "truncated integers are refused",
  permissions: NONE,
  fn() {
    assert.throws(() => dec([31], 5), /truncated/);
    assert.throws(() => dec([31, 0x9a], 5), /truncated/);
    // The end bound is honoured even when the array continues.
    const bytes = Uint8Array.of(31, 0x9a, 0x0a);
    assert.throws(
      () => decodeInteger(bytes, 0, 2, 5, { offset: 0 }),
      HpackError,
    );
  },
});

Deno.test({
  name: "every value up to 2^16 round-trips with every prefix",
  permissions: NONE,
  fn() {
    const out = new Uint8Array(8);
    const cursor = { offset: 0 };
    for (let prefix = 1; prefix <= 8; prefix++) {
      for (let v = 0; v < 1 << 16; v++) {
        const end = encodeInteger(v, prefix, 0, out, 0);
        assert.equal(decodeInteger(out, 0, end, prefix, cursor), v);
        assert.equal(cursor.offset, end);
      }
    }
  },
});
