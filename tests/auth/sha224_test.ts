import assert from "node:assert/strict";
import { hmacSha224, pbkdf2HmacSha224, sha224 } from "../../src/auth/sha224.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test({
  name: "sha224: FIPS 180 examples",
  permissions: "none",
  fn() {
    assert.deepEqual(
      sha224(text("abc")).toHex(),
      "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
    );
    assert.deepEqual(
      sha224(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
        .toHex(),
      "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525",
    );
    assert.deepEqual(
      sha224(text("a".repeat(1_000_000))).toHex(),
      "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67",
    );
  },
});

Deno.test({
  name: "sha224: padding boundaries (computed with openssl dgst -sha224)",
  permissions: "none",
  fn() {
    const want: [number, string][] = [
      [0, "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"],
      [55, "2791c7d25712eb5be75c30b2d45f6fce96e5a50ee64cf373056704a3"],
      [56, "82199913c2712c46707ad08c8bfa2a69f68e9092dc5cdfaaaf07d77f"],
      [64, "08c3050e95fe11eacb9dc7824bf6a92bcf2d59c21701321fba0e62c5"],
    ];
    for (const [n, digest] of want) {
      assert.deepEqual(sha224(text("x".repeat(n))).toHex(), digest);
    }
  },
});

Deno.test({
  name:
    "sha224: HMAC, RFC 4231 test cases 1, 2 and a long key (openssl dgst -mac HMAC)",
  permissions: "none",
  fn() {
    assert.deepEqual(
      hmacSha224(new Uint8Array(20).fill(0x0b), text("Hi There")).toHex(),
      "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
    );
    assert.deepEqual(
      hmacSha224(text("Jefe"), text("what do ya want for nothing?")).toHex(),
      "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
    );
    assert.deepEqual(
      hmacSha224(text("k".repeat(100)), text("hello")).toHex(),
      "4470b7356baac435f810854701a781bbda2a6b681f192a10118f5e84",
    );
  },
});

Deno.test({
  name:
    "sha224: PBKDF2 (openssl kdf PBKDF2 digest:SHA224 pass:password salt:salt iter:2)",
  permissions: "none",
  fn() {
    assert.deepEqual(
      pbkdf2HmacSha224(text("password"), text("salt"), 2, 40).toHex(),
      "93200ffa96c5776d38fa10abdf8f5bfc0054b9718513df472d2331d2d1e66a3f97b510224f700ce7",
    );
    assert.throws(
      () => pbkdf2HmacSha224(text("p"), text("s"), 0, 16),
      RangeError,
    );
    assert.throws(
      () => pbkdf2HmacSha224(text("p"), text("s"), 1, 0),
      RangeError,
    );
  },
});
