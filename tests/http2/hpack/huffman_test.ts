import assert from "node:assert/strict";
import { decodeHex, encodeHex } from "../../../src/bytes/hex.ts";
import {
  HpackError,
  HUFFMAN_CODES,
  HUFFMAN_LENGTHS,
  huffmanDecode,
  huffmanEncode,
  huffmanEncodedLength,
} from "../../../src/http2/hpack/mod.ts";

const NONE = "none" as const;
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);

Deno.test({
  name: "the typed-in Appendix B table is the canonical code of its lengths",
  permissions: NONE,
  fn() {
    // Canonical: sorted by (length, symbol), codes are consecutive, and the
    // code is complete (Kraft sum exactly 1).
    const syms = [...Array(257).keys()].sort((a, b) =>
      HUFFMAN_LENGTHS[a] - HUFFMAN_LENGTHS[b] || a - b
    );
    let code = 0;
    let len = HUFFMAN_LENGTHS[syms[0]];
    for (const sym of syms) {
      code *= 2 ** (HUFFMAN_LENGTHS[sym] - len);
      len = HUFFMAN_LENGTHS[sym];
      assert.equal(HUFFMAN_CODES[sym], code, `symbol ${sym}`);
      code++;
    }
    assert.equal(code, 2 ** len); // the last code is all ones: complete
    // Spot checks from the RFC's explanation and its table.
    assert.equal(HUFFMAN_CODES[47], 0x18);
    assert.equal(HUFFMAN_LENGTHS[47], 6);
    assert.equal(HUFFMAN_CODES[256], 0x3fffffff);
    assert.equal(HUFFMAN_LENGTHS[256], 30);
    assert.equal(HUFFMAN_CODES[0], 0x1ff8);
    assert.equal(HUFFMAN_LENGTHS[255], 26);
  },
});

Deno.test({
  name: "strings of RFC 7541 C.4 and C.6",
  permissions: NONE,
  fn() {
    const cases: [string, string][] = [
      ["www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"],
      ["no-cache", "a8eb10649cbf"],
      ["custom-key", "25a849e95ba97d7f"],
      ["custom-value", "25a849e95bb8e8b4bf"],
      ["302", "6402"],
      ["307", "640eff"],
      ["private", "aec3771a4b"],
      [
        "Mon, 21 Oct 2013 20:13:21 GMT",
        "d07abe941054d444a8200595040b8166e082a62d1bff",
      ],
      ["https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"],
      [
        "Mon, 21 Oct 2013 20:13:22 GMT",
        "d07abe941054d444a8200595040b8166e084a62d1bff",
      ],
      ["gzip", "9bd9ab"],
      [
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
        "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
      ],
    ];
    for (const [plain, coded] of cases) {
      assert.equal(encodeHex(huffmanEncode(ascii(plain))), coded, plain);
      assert.equal(huffmanEncodedLength(plain), coded.length / 2);
      assert.equal(text(huffmanDecode(decodeHex(coded))), plain);
    }
    assert.equal(huffmanEncode(new Uint8Array(0)).length, 0);
    assert.equal(huffmanDecode(new Uint8Array(0)).length, 0);
  },
});

Deno.test({
  name: "each of the 256 octets alone, and all of them in a row, round-trip",
  permissions: NONE,
  fn() {
    for (let b = 0; b < 256; b++) {
      const coded = huffmanEncode(Uint8Array.of(b));
      const len = HUFFMAN_LENGTHS[b];
      assert.equal(coded.length, Math.ceil(len / 8));
      // The code sits in the high bits, followed by 1-padding.
      let bits = 0n;
      for (const x of coded) bits = (bits << 8n) | BigInt(x);
      const pad = coded.length * 8 - len;
      assert.equal(bits >> BigInt(pad), BigInt(HUFFMAN_CODES[b]), `octet ${b}`);
      assert.equal(bits & ((1n << BigInt(pad)) - 1n), (1n << BigInt(pad)) - 1n);
      assert.deepEqual(huffmanDecode(coded), Uint8Array.of(b));
    }
    const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 255);
    assert.deepEqual(huffmanDecode(huffmanEncode(all)), all);
    const rev = all.slice().reverse();
    assert.deepEqual(huffmanDecode(huffmanEncode(rev)), rev);
  },
});

Deno.test({
  name: "decoding refuses EOS, long padding and padding that is not all ones",
  permissions: NONE,
  fn() {
    // EOS (30 one-bits) padded to 32 bits.
    assert.throws(() => huffmanDecode(decodeHex("ffffffff")), /EOS/);
    // 'a' (00011) then EOS then padding: EOS inside a string.
    // 00011 + 30 ones + 5 ones = 40 bits.
    assert.throws(() => huffmanDecode(decodeHex("1fffffffff")), /EOS/);
    // A whole octet of padding after "0" (00000|111 11111111): 11 padding bits.
    assert.throws(() => huffmanDecode(decodeHex("07ff")), /padding/);
    // A lone 0xff: 8 bits of padding, no symbol.
    assert.throws(() => huffmanDecode(decodeHex("ff")), /padding/);
    // "0" then padding 110: not all ones.
    assert.throws(() => huffmanDecode(decodeHex("06")), /padding/);
    // "0" then 000: a partial symbol, not padding.
    assert.throws(() => huffmanDecode(decodeHex("00")), /padding/);
    // A truncated code: the first 16 bits of '\\' (19 bits) are not padding.
    assert.throws(() => huffmanDecode(decodeHex("fffe")), /padding/);
    // Valid: "0" plus 3 one-bits of padding.
    assert.deepEqual(huffmanDecode(decodeHex("07")), ascii("0"));
    const err = (() => {
      try {
        huffmanDecode(decodeHex("ffffffff"));
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof HpackError);
    assert.equal((err as HpackError).name, "HpackError");
  },
});

Deno.test({
  name: "up to 7 bits of padding are accepted",
  permissions: NONE,
  fn() {
    // '!' is 1111111000 (10 bits), then 6 one-bits.
    assert.deepEqual(huffmanDecode(decodeHex("fe3f")), ascii("!"));
    // "0" (00000) + "a" (00011) + 6 one-bits.
    assert.deepEqual(huffmanDecode(decodeHex("00ff")), ascii("0a"));
    // "0" (00000) + "#" (111111111010) + 7 one-bits.
    assert.deepEqual(huffmanDecode(decodeHex("07fd7f")), ascii("0#"));
    // "000" (15 bits) + 1 one-bit.
    assert.deepEqual(huffmanDecode(decodeHex("0001")), ascii("000"));
  },
});
