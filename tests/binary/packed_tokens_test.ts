import assert from "node:assert/strict";
import { PackedTokens } from "../../src/binary/packed_tokens.ts";

const lower = "0123456789abcdef".repeat(4);

Deno.test({
  name: "PackedTokens: every token comes back exactly as given",
  permissions: "none",
  fn() {
    const given: unknown[] = [
      lower,
      lower.toUpperCase(), // upper case: kept as the string
      "Ab".repeat(32), // mixed case
      "beef", // another length
      "zz".repeat(32), // not hex
      "é".repeat(64), // not ASCII
      12345, // not a string
      "ff".repeat(32),
    ];
    const packed = new PackedTokens(16);
    for (const token of given) packed.push(token as string);
    assert.equal(packed.length, given.length);
    given.forEach((token, i) => assert.equal(packed.at(i), token));
    assert.deepEqual(packed.toArray(), given);
  },
});

Deno.test({
  name: "PackedTokens: bytes written as the hex decoder would, -1 for non-hex",
  permissions: "none",
  fn() {
    const packed = new PackedTokens(8);
    for (const t of [lower, lower.toUpperCase(), "beef", "zz", "abc"]) {
      packed.push(t);
    }
    const out = new Uint8Array(40).fill(0xee);
    assert.equal(packed.byteLength(0), 32);
    assert.equal(packed.write(out, 4, 0), 32);
    assert.equal(out.subarray(4, 36).toHex(), lower);
    assert.equal(out[3], 0xee);
    assert.equal(out[36], 0xee);
    assert.equal(packed.write(out, 0, 1), 32);
    assert.equal(out.subarray(0, 32).toHex(), lower);
    assert.equal(packed.byteLength(2), 2);
    assert.equal(packed.write(out, 0, 2), 2);
    assert.equal(out.subarray(0, 2).toHex(), "beef");
    assert.equal(packed.write(out, 0, 3), -1);
    assert.equal(packed.write(out, 0, 4), -1); // odd length
  },
});

Deno.test({
  name: "PackedTokens: full batches refuse more; clear() empties for reuse",
  permissions: "none",
  fn() {
    const packed = new PackedTokens(2);
    packed.push(lower);
    packed.push("BEEF");
    assert.throws(() => packed.push(lower), RangeError);
    packed.clear();
    assert.equal(packed.length, 0);
    packed.push("ff".repeat(32));
    assert.equal(packed.at(0), "ff".repeat(32));
    assert.equal(packed.byteLength(0), 32);
    packed.push(lower);
    assert.deepEqual(packed.toArray(), ["ff".repeat(32), lower]);
  },
});
