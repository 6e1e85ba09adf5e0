import assert from "node:assert/strict";
import { md5 } from "../../src/auth/md5.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test({
  name: "md5: RFC 1321 appendix A.5 test suite",
  permissions: "none",
  fn() {
    const suite: [string, string][] = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "d174ab98d277d9f5a5611c2c9f419d9f",
      ],
      ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [input, want] of suite) {
      assert.deepEqual(md5(text(input)).toHex(), want, JSON.stringify(input));
    }
  },
});

Deno.test({
  name: "md5: padding boundaries (55, 56, 64 bytes; computed with md5sum)",
  permissions: "none",
  fn() {
    assert.deepEqual(
      md5(text("x".repeat(55))).toHex(),
      "04364420e25c512fd958a70738aa8f72",
    );
    assert.deepEqual(
      md5(text("x".repeat(56))).toHex(),
      "668a72d5ba17f08e62dabcafad6db14b",
    );
    assert.deepEqual(
      md5(text("x".repeat(64))).toHex(),
      "c1bb4f81d892b2d57947682aeb252456",
    );
  },
});

Deno.test({
  name: "md5: works on a subarray view and leaves the input alone",
  permissions: "none",
  fn() {
    const buffer = text("__abc__");
    const view = buffer.subarray(2, 5);
    assert.deepEqual(md5(view).toHex(), "900150983cd24fb0d6963f7d28e17f72");
    assert.deepEqual(new TextDecoder().decode(buffer), "__abc__");
  },
});
