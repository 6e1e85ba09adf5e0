import assert from "node:assert/strict";
import { decodeHex } from "../../../src/bytes/hex.ts";
import { ApnsError, ProtocolError } from "../../../src/errors.ts";
import {
  HpackDecoder,
  HpackError,
  STATIC_TABLE,
} from "../../../src/http2/hpack/mod.ts";

const NONE = "none" as const;
const hex = (s: string) => decodeHex(s.replace(/\s+/g, ""));

function decodeError(decoder: HpackDecoder, wire: string): HpackError {
  try {
    decoder.decode(hex(wire));
  } catch (e) {
    assert.ok(e instanceof HpackError, String(e));
    assert.ok(e instanceof ApnsError);
    assert.ok(e instanceof ProtocolError);
    assert.equal(e.name, "HpackError");
    assert.equal(e.code, "ERR_APNS_PROTOCOL");
    return e;
  }
  assert.fail(`no error for ${wire}`);
}

function assertRejects(
  wire: string,
  pattern: RegExp,
  decoder = new HpackDecoder(),
): void {
  const e = decodeError(decoder, wire);
  assert.match(e.message, pattern);
  assert.equal(e.tableIntact, false);
}

Deno.test({
  name: "every static entry decodes from its index",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder();
    const block = Uint8Array.from({ length: 61 }, (_, i) => 0x80 | (i + 1));
    assert.deepEqual(decoder.decode(block), STATIC_TABLE);
    assert.equal(STATIC_TABLE.length, 61);
    assert.deepEqual(STATIC_TABLE[0], [":authority", ""]);
    assert.deepEqual(STATIC_TABLE[15], ["accept-encoding", "gzip, deflate"]);
    assert.deepEqual(STATIC_TABLE[60], ["www-authenticate", ""]);
    assert.equal(decoder.decode(new Uint8Array(0)).length, 0);
  },
});

Deno.test({
  name: "bad indices",
  permissions: NONE,
  fn() {
    assertRejects("80", /index 0/);
    assertRejects("be", /index 62 is beyond/); // empty dynamic table
    assertRejects("7e 01 61", /index 62/); // literal with indexed name 62
    assertRejects("0f 30 01 61", /index 63/); // 4-bit prefix: 15 + 48
    // One dynamic entry: 62 is fine, 63 is not.
    const decoder = new HpackDecoder();
    decoder.decode(hex("4001 6101 62")); // a: b
    assert.deepEqual(decoder.decode(hex("be")), [["a", "b"]]);
    assertRejects("bf", /index 63/, decoder);
  },
});

Deno.test({
  name: "truncated blocks and overlong strings",
  permissions: NONE,
  fn() {
    assertRejects("ff", /truncated integer/);
    assertRejects("41", /string literal expected/); // name index 1, no value
    assertRejects("40", /string literal expected/); // new name, no name
    assertRejects("4001 61", /string literal expected/); // no value
    assertRejects("4005 6161", /length 5 exceeds the 2 octets/);
    assertRejects("047f", /truncated integer/);
    assertRejects("04 7f ff ff ff ff 0f", /integer overflow/); // value length > 2^32
  },
});

Deno.test({
  name: "integer overflow in an index",
  permissions: NONE,
  fn() {
    assertRejects("ff ff ff ff ff 7f", /integer overflow/);
    assertRejects("ff 80 80 80 80 80 00", /too many octets/);
  },
});

Deno.test({
  name: "bad Huffman strings",
  permissions: NONE,
  fn() {
    assertRejects("0481 ff", /padding/); // a lone 0xff
    assertRejects("0484 ffff ffff", /EOS/);
    assertRejects("0481 06", /padding/);
    assertRejects("4081 ff 0161", /padding/); // in a new name
  },
});

Deno.test({
  name: "dynamic table size updates: limit and position",
  permissions: NONE,
  fn() {
    // 0x3f 0xe1 0x1f = 31 + 0x61 + 0x1f * 128 = 4096: fine, and at the start.
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex("3fe11f 82")), [[":method", "GET"]]);
    assert.equal(decoder.table.maxSize, 4096);
    // 4097 is above our limit.
    assertRejects("3fe21f 82", /exceeds the limit 4096/);
    // Two updates at the start are fine (Section 4.2): 0 then 256.
    const d2 = new HpackDecoder();
    d2.decode(hex("4001 6101 62")); // a: b
    assert.deepEqual(d2.decode(hex("20 3fe1 01 82")), [[":method", "GET"]]);
    assert.equal(d2.table.maxSize, 256);
    assert.equal(d2.table.length, 0); // the update to 0 evicted everything
    // After a field, an update is an error.
    assertRejects("82 20", /after the start/);
    // In a later block it is fine again.
    const d3 = new HpackDecoder();
    d3.decode(hex("82"));
    d3.decode(hex("20"));
    assert.equal(d3.table.maxSize, 0);
  },
});

Deno.test({
  name:
    "a reduced SETTINGS_HEADER_TABLE_SIZE requires an update at the next block",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder();
    decoder.decode(hex("4001 6101 62")); // a: b (size 34)
    decoder.setMaxTableSize(100);
    assertRejects("82", /must start with a dynamic table size update/, decoder);

    const d2 = new HpackDecoder();
    d2.decode(hex("4001 6101 62"));
    d2.setMaxTableSize(100);
    assertRejects("3f 46 82", /exceeds the limit 100/, d2); // 31 + 70 = 101

    const d3 = new HpackDecoder();
    d3.decode(hex("4001 6101 62"));
    d3.setMaxTableSize(100);
    assert.deepEqual(d3.decode(hex("3f 45 be")), [["a", "b"]]); // 100, entry kept
    assert.equal(d3.table.maxSize, 100);
    // Raising the limit needs no update.
    d3.setMaxTableSize(8192);
    assert.deepEqual(d3.decode(hex("be")), [["a", "b"]]);
    assert.throws(() => d3.setMaxTableSize(-1), RangeError);
    assert.throws(() => d3.setMaxTableSize(2 ** 32), RangeError);
  },
});

Deno.test({
  name: "header list size limit: the block is still applied to the table",
  permissions: NONE,
  fn() {
    // Each "a: b" field counts 34 octets; a limit of 67 admits one.
    const decoder = new HpackDecoder({ maxHeaderListSize: 67 });
    const e = decodeError(decoder, "4001 6101 62 4001 6301 64");
    assert.match(e.message, /exceeds 67 octets/);
    assert.equal(e.tableIntact, true);
    // Both entries were inserted, so the decoder stays in sync and usable.
    assert.deepEqual(decoder.table.entries(), [["c", "d"], ["a", "b"]]);
    assert.deepEqual(decoder.decode(hex("be")), [["c", "d"]]);
    // Exactly at the limit is fine.
    const d2 = new HpackDecoder({ maxHeaderListSize: 68 });
    assert.equal(d2.decode(hex("4001 6101 62 4001 6301 64")).length, 2);
  },
});

Deno.test({
  name: "after a compression error the decoder refuses further blocks",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder();
    decodeError(decoder, "80");
    assertRejects("82", /unusable/, decoder);
  },
});

Deno.test({
  name: "entries larger than the table empty it and are not inserted",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder({ maxTableSize: 40 });
    decoder.decode(hex("4001 6101 62")); // 34 octets
    assert.equal(decoder.table.length, 1);
    // 32 + 1 + 8 = 41 > 40.
    assert.deepEqual(decoder.decode(hex("4001 6308 6464 6464 6464 6464")), [[
      "c",
      "dddddddd",
    ]]);
    assert.equal(decoder.table.length, 0);
    assert.equal(decoder.table.size, 0);
  },
});

Deno.test({
  name: "values are octets: 0x80-0xff decode to the same char codes",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder();
    const [[, value]] = decoder.decode(hex("0001 6103 80 e9 ff"));
    assert.equal(value, "\x80\xe9\xff");
    const long = "61".repeat(5000);
    const [[, v2]] = decoder.decode(hex(`0001 61 7f 8926 ${long}`)); // 127 + 9 + 38 * 128
    assert.equal(v2, "a".repeat(5000));
  },
});

Deno.test({
  name: "each decode returns a list of its own, sized to the block",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder();
    const big = Uint8Array.from({ length: 61 }, (_, i) => 0x80 | (i + 1));
    const first = decoder.decode(hex("88 86")); // :status 200, :scheme http
    const second = decoder.decode(hex("8d")); // :status 404
    assert.deepEqual(first, [[":status", "200"], [":scheme", "http"]]);
    assert.deepEqual(second, [[":status", "404"]]);
    first.shift(); // callers may take the list apart
    assert.deepEqual(second, [[":status", "404"]]);
    assert.equal(decoder.decode(big).length, 61);
    assert.deepEqual(decoder.decode(hex("89")), [[":status", "204"]]);
  },
});
