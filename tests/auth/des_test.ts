import assert from "node:assert/strict";
import { desCbcDecrypt, tripleDesCbcDecrypt } from "../../src/auth/des.ts";

const hex = (s: string) => Uint8Array.fromHex(s.replace(/\s+/g, ""));
const text = (s: string) => new TextEncoder().encode(s);
const ZERO_IV = new Uint8Array(8);

Deno.test({
  name: "des: single-block known answers (ECB = CBC with a zero IV)",
  permissions: "none",
  fn() {
    // The worked example in J. Orlin Grabbe, "The DES Algorithm Illustrated".
    assert.deepEqual(
      desCbcDecrypt(hex("133457799BBCDFF1"), ZERO_IV, hex("85E813540F0AB405"))
        .toHex(),
      "0123456789abcdef",
    );
    // FIPS 81 appendix B, ECB mode, key 0123456789abcdef.
    const key = hex("0123456789abcdef");
    const blocks = ["3fa40e8a984d4815", "6a271787ab8883f9", "893d51ec4b563b53"];
    const plain = blocks.map((c) =>
      new TextDecoder().decode(desCbcDecrypt(key, ZERO_IV, hex(c)))
    );
    assert.deepEqual(plain.join(""), "Now is the time for all ");
  },
});

Deno.test({
  name: "des: FIPS 81 appendix C CBC example",
  permissions: "none",
  fn() {
    const plain = desCbcDecrypt(
      hex("0123456789abcdef"),
      hex("1234567890abcdef"),
      hex("e5c7cdde872bf27c 43e934008c389c0f 683788499a7c05f6"),
    );
    assert.deepEqual(
      new TextDecoder().decode(plain),
      "Now is the time for all ",
    );
  },
});

Deno.test({
  name: "des: triple DES, NIST SP 800-67 example (three keys, ECB)",
  permissions: "none",
  fn() {
    const key = hex("0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123");
    const cipher = hex("A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900");
    let plain = "";
    for (let i = 0; i < 24; i += 8) {
      plain += new TextDecoder().decode(
        tripleDesCbcDecrypt(key, ZERO_IV, cipher.subarray(i, i + 8)),
      );
    }
    assert.deepEqual(plain, "The qufck brown fox jump");
  },
});

Deno.test({
  name:
    "des: triple DES CBC chains blocks (vector from openssl enc -des-ede3-cbc)",
  permissions: "none",
  fn() {
    // printf 'The qufck brown fox jump' | openssl enc -des-ede3-cbc -nopad
    //   -K 0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123 -iv 1234567890abcdef
    const key = hex("0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123");
    const plain = tripleDesCbcDecrypt(
      key,
      hex("1234567890abcdef"),
      hex("38413d4ba2325cf1 141f707471ac2ced 57db530f0123b5ac"),
    );
    assert.deepEqual(plain, text("The qufck brown fox jump"));
  },
});

Deno.test({
  name: "des: with K1 = K2 = K3 triple DES equals single DES",
  permissions: "none",
  fn() {
    const k = hex("0123456789abcdef");
    const triple = new Uint8Array(24);
    triple.set(k, 0);
    triple.set(k, 8);
    triple.set(k, 16);
    const cipher = hex("e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
    const iv = hex("1234567890abcdef");
    assert.deepEqual(
      tripleDesCbcDecrypt(triple, iv, cipher),
      desCbcDecrypt(k, iv, cipher),
    );
  },
});

Deno.test({
  name: "des: rejects bad key, IV and data lengths",
  permissions: "none",
  fn() {
    assert.throws(
      () => desCbcDecrypt(new Uint8Array(7), ZERO_IV, new Uint8Array(8)),
      RangeError,
    );
    assert.throws(
      () => tripleDesCbcDecrypt(new Uint8Array(16), ZERO_IV, new Uint8Array(8)),
      RangeError,
    );
    assert.throws(
      () =>
        desCbcDecrypt(new Uint8Array(8), new Uint8Array(16), new Uint8Array(8)),
      RangeError,
    );
    assert.throws(
      () => desCbcDecrypt(new Uint8Array(8), ZERO_IV, new Uint8Array(9)),
      RangeError,
    );
  },
});
