import assert from "node:assert/strict";
import { encodeHex } from "../../../src/bytes/hex.ts";
import {
  DEFAULT_NO_INDEX,
  type HeaderField,
  HpackDecoder,
  HpackEncoder,
  maxEncodedLength,
} from "../../../src/http2/hpack/mod.ts";

const NONE = "none" as const;
const RAW = { huffman: false } as const;

Deno.test({
  name: "dynamic table size updates start the next block",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder(RAW);
    encoder.encode([["a", "b"]]);
    assert.equal(encoder.table.length, 1);
    encoder.setMaxTableSize(256);
    // 256 = 31 + 225 = 31 + 0x61 + 1 * 128.
    assert.equal(encodeHex(encoder.encode([[":method", "GET"]])), "3fe10182");
    assert.equal(encodeHex(encoder.encode([[":method", "GET"]])), "82");
    assert.equal(encoder.table.length, 1);

    // Down to 0 and back up: both are signalled, the table is emptied.
    encoder.setMaxTableSize(0);
    encoder.setMaxTableSize(4096);
    assert.equal(encoder.table.length, 0);
    assert.equal(encodeHex(encoder.encode([])), "203fe11f");

    // The same size again is still signalled once.
    encoder.setMaxTableSize(4096);
    assert.equal(encodeHex(encoder.encode([])), "3fe11f");
    assert.throws(() => encoder.setMaxTableSize(-1), RangeError);
    assert.throws(() => encoder.setMaxTableSize(0.5), RangeError);
  },
});

Deno.test({
  name: "the table size cap limits what the peer allows, and is signalled",
  permissions: NONE,
  fn() {
    // The peer allows 65536 from the start: 4096 (the cap) is signalled.
    const encoder = new HpackEncoder({ maxTableSize: 65536 });
    assert.equal(encoder.table.maxSize, 4096);
    assert.equal(encodeHex(encoder.encode([])), "3fe11f");
    assert.equal(encodeHex(encoder.encode([])), "");
    encoder.setMaxTableSize(1 << 20);
    assert.equal(encoder.table.maxSize, 4096);
    assert.equal(encodeHex(encoder.encode([])), "3fe11f");
    // A smaller peer setting wins.
    encoder.setMaxTableSize(256);
    assert.equal(encodeHex(encoder.encode([])), "3fe101");
    // A larger cap is used when the peer allows it; no update at the start.
    const big = new HpackEncoder({ maxTableSize: 4096, tableSizeCap: 1 << 16 });
    assert.equal(encodeHex(big.encode([])), "");
    big.setMaxTableSize(8192);
    assert.equal(big.table.maxSize, 8192);
    assert.throws(() => new HpackEncoder({ tableSizeCap: -1 }), RangeError);
    assert.throws(
      () => new HpackEncoder({ maxTableSize: 2 ** 32 }),
      RangeError,
    );
    assert.throws(() => encoder.setMaxTableSize(2 ** 32), RangeError);
  },
});

Deno.test({
  name: "never-indexed and not-indexed names",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder(RAW);
    const never = { neverIndex: new Set(["authorization"]) };
    // authorization is static index 23: 0001 1111, 23 - 15 = 8.
    assert.equal(
      encodeHex(encoder.encode([["authorization", "x"]], never)),
      "1f080178",
    );
    // :path is in DEFAULT_NO_INDEX: literal without indexing, name index 4.
    assert.equal(encodeHex(encoder.encode([[":path", "/3"]])), "04022f33");
    // ... but an exact static match is still indexed.
    assert.equal(encodeHex(encoder.encode([[":path", "/"]])), "84");
    // apns-id is not in the static table: new-name literal without indexing.
    assert.equal(
      encodeHex(encoder.encode([["apns-id", "1"]])),
      "0007" + encodeHex(new TextEncoder().encode("apns-id")) + "0131",
    );
    assert.equal(encoder.table.length, 0);
    assert.deepEqual(
      [...DEFAULT_NO_INDEX].sort(),
      [":path", "apns-id", "apns-unique-id", "content-length"],
    );
    // By default authorization is indexed (a JWT is high-entropy).
    assert.equal(
      encodeHex(encoder.encode([["authorization", "x"]])),
      "57" + "0178",
    );
    assert.equal(encodeHex(encoder.encode([["authorization", "x"]])), "be");
    // Never-indexed wins over an existing exact match.
    assert.equal(
      encodeHex(encoder.encode([["authorization", "x"]], never)),
      "1f080178",
    );
    // Constructor defaults apply when the call gives none.
    const e2 = new HpackEncoder({
      huffman: false,
      neverIndex: new Set(["x"]),
      noIndex: new Set(),
    });
    assert.equal(encodeHex(e2.encode([["x", "1"]])), "1001780131");
    assert.equal(encodeHex(e2.encode([[":path", "/3"]])), "44022f33");
  },
});

Deno.test({
  name: "repeating fields become indexed; names match the newest dynamic entry",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder(RAW);
    const topic: HeaderField = ["apns-topic", "com.example.app"];
    const first = encoder.encode([topic]);
    assert.equal(first[0], 0x40); // new name, incremental indexing
    assert.equal(encodeHex(encoder.encode([topic])), "be");
    // Same name, new value: name index 62, then the new entry is 62.
    assert.equal(
      encodeHex(encoder.encode([["apns-topic", "x"]])),
      "7e" + "0178",
    );
    assert.equal(
      encodeHex(encoder.encode([["apns-topic", "x"], topic])),
      "bebf",
    );
    // A static name (content-type, 31) is preferred over a dynamic one.
    encoder.encode([["content-type", "a"]]);
    assert.equal(encodeHex(encoder.encode([["content-type", "b"]])), "5f0162");
  },
});

Deno.test({
  name: "fields above 3/4 of the table are not indexed",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder({ maxTableSize: 100, huffman: false });
    // 32 + 1 + 42 = 75 = 3/4 of 100: indexed; 76 is not.
    encoder.encode([["a", "x".repeat(42)]]);
    assert.equal(encoder.table.length, 1);
    const block = encoder.encode([["b", "x".repeat(43)]]);
    assert.equal(block[0], 0x00);
    assert.equal(encoder.table.length, 1);
  },
});

Deno.test({
  name: "chars above 0xff are refused before anything changes",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder();
    assert.throws(
      () => encoder.encode([["a", "b"], ["c", "\u0100"]]),
      TypeError,
    );
    assert.throws(() => encoder.encode([["\u20ac", "b"]]), TypeError);
    assert.throws(
      () => encoder.encode([["a", 1 as unknown as string]]),
      TypeError,
    );
    assert.equal(encoder.table.length, 0);
    // Octets 0x80-0xff are fine and round-trip.
    const decoder = new HpackDecoder();
    const fields: HeaderField[] = [["x-bin", "\x00\x7f\x80\xff\xe9"]];
    assert.deepEqual(decoder.decode(encoder.encode(fields)), fields);
  },
});

Deno.test({
  name: "encodeInto writes the same bytes, or -1 without side effects",
  permissions: NONE,
  fn() {
    const headers: HeaderField[] = [
      [":method", "POST"],
      ["apns-topic", "com.example.app"],
      ["apns-push-type", "alert"],
    ];
    const a = new HpackEncoder();
    const b = new HpackEncoder();
    const expected = a.encode(headers);
    const small = new Uint8Array(maxEncodedLength(headers) + 3 - 1);
    assert.equal(b.encodeInto(headers, small, 3), -1);
    assert.equal(b.table.length, 0);
    const out = new Uint8Array(maxEncodedLength(headers) + 3);
    const end = b.encodeInto(headers, out, 3);
    assert.deepEqual(out.subarray(3, end), expected);
    // Second block: indexed now, identical again.
    const again = a.encode(headers);
    const end2 = b.encodeInto(headers, out, 0);
    assert.deepEqual(out.subarray(0, end2), again);
    assert.equal(encodeHex(again), "83bfbe");
  },
});

Deno.test({
  name: "encode accepts any iterable",
  permissions: NONE,
  fn() {
    function* gen(): Generator<HeaderField> {
      yield [":method", "GET"];
      yield [":scheme", "https"];
    }
    assert.equal(encodeHex(new HpackEncoder().encode(gen())), "8287");
    assert.equal(
      encodeHex(new HpackEncoder().encode(new Map([[":status", "200"]]))),
      "88",
    );
  },
});
