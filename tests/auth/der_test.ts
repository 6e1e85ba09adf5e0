import assert from "node:assert/strict";
import { CertificateError } from "../../src/errors.ts";
import { decodeOid, DerReader, encodeDer } from "../../src/auth/der.ts";

const hex = (s: string) => Uint8Array.fromHex(s.replace(/\s+/g, ""));

Deno.test({
  name: "der: reads a hand-built SEQUENCE of every supported type",
  permissions: "none",
  fn() {
    const bytes = hex(
      "30 1e" + // SEQUENCE, 30 bytes
        "02 02 00 ff" + // INTEGER 255
        "06 09 2a 86 48 86 f7 0d 01 01 01" + // OID rsaEncryption
        "05 00" + // NULL
        "04 02 61 62" + // OCTET STRING "ab"
        "a0 03 02 01 07" + // [0] { INTEGER 7 }
        "03 02 00 aa", // BIT STRING, 0 unused bits, aa
    );
    const outer = new DerReader(bytes);
    const seq = outer.readSequence();
    outer.end();
    assert.deepEqual(seq.peekTag(), 0x02);
    assert.deepEqual(seq.readSmallInteger(), 255);
    assert.deepEqual(seq.readOid(), "1.2.840.113549.1.1.1");
    seq.readNull();
    assert.deepEqual(seq.readOctetString(), hex("6162"));
    assert.deepEqual(seq.readOptionalContext(1), undefined);
    const ctx = seq.readOptionalContext(0)!;
    assert.deepEqual(ctx.readSmallInteger(), 7);
    ctx.end();
    assert.deepEqual(seq.readBitString(), hex("aa"));
    assert.deepEqual(seq.done, true);
    assert.deepEqual(seq.peekTag(), undefined);
  },
});

Deno.test({
  name: "der: long-form lengths and whole-element views",
  permissions: "none",
  fn() {
    const content = new Uint8Array(200).fill(7);
    const bytes = new Uint8Array([0x04, 0x81, 0xc8, ...content]);
    const element = new DerReader(bytes).read();
    assert.deepEqual(element.tag, 0x04);
    assert.deepEqual(element.value, content);
    assert.deepEqual(element.bytes.length, 203);
    const big = new Uint8Array([
      0x04,
      0x82,
      0x01,
      0x2c,
      ...new Uint8Array(300),
    ]);
    assert.deepEqual(new DerReader(big).readOctetString().length, 300);
  },
});

Deno.test({
  name: "der: rejects truncated, indefinite, oversized and non-minimal lengths",
  permissions: "none",
  fn() {
    const bad = [
      "", // nothing
      "30", // no length
      "30 05 02 01 00", // length past the end
      "30 80 00 00", // indefinite
      "04 85 00 00 00 00 01 00", // 5 length octets
      "04 81 05 00 00 00 00 00", // long form for a short length
      "04 82 00", // truncated length octets
      "1f 01 00", // multi-byte tag
    ];
    for (const input of bad) {
      assert.throws(
        () => new DerReader(hex(input)).read(),
        CertificateError,
        input,
      );
    }
  },
});

Deno.test({
  name: "der: type checks and trailing bytes",
  permissions: "none",
  fn() {
    assert.throws(
      () => new DerReader(hex("02 01 05")).readSequence(),
      CertificateError,
    );
    assert.throws(
      () => new DerReader(hex("02 00")).readInteger(),
      CertificateError,
    );
    assert.throws(
      () => new DerReader(hex("02 01 80")).readSmallInteger(),
      CertificateError,
    );
    assert.throws(
      () => new DerReader(hex("02 05 01 00 00 00 00")).readSmallInteger(),
      CertificateError,
    );
    assert.deepEqual(
      new DerReader(hex("02 05 00 ff ff ff ff")).readSmallInteger(),
      0xffffffff,
    );
    assert.throws(
      () => new DerReader(hex("05 01 00")).readNull(),
      CertificateError,
    );
    assert.throws(
      () => new DerReader(hex("03 02 01 aa")).readBitString(),
      CertificateError,
    );
    const reader = new DerReader(hex("05 00 05 00"));
    reader.readNull();
    assert.throws(() => reader.end("x"), CertificateError);
  },
});

Deno.test({
  name: "der: OID arcs (X.690 examples and large arcs)",
  permissions: "none",
  fn() {
    assert.deepEqual(decodeOid(hex("88 37")), "2.999"); // X.690 8.19.5 example
    assert.deepEqual(
      decodeOid(hex("2a 86 48 ce 3d 03 01 07")),
      "1.2.840.10045.3.1.7",
    );
    assert.deepEqual(decodeOid(hex("2b 81 04 00 22")), "1.3.132.0.34");
    assert.deepEqual(decodeOid(hex("00")), "0.0");
    assert.throws(() => decodeOid(hex("2a 86")), CertificateError); // truncated arc
    assert.throws(() => decodeOid(hex("2a 80 01")), CertificateError); // non-minimal
    assert.throws(() => decodeOid(new Uint8Array()), CertificateError);
  },
});

Deno.test({
  name: "der: encodeDer writes short and long lengths",
  permissions: "none",
  fn() {
    assert.deepEqual(encodeDer(0x05), hex("05 00"));
    assert.deepEqual(
      encodeDer(0x30, hex("02 01 00"), hex("05 00")),
      hex("30 05 02 01 00 05 00"),
    );
    const long = encodeDer(0x04, new Uint8Array(300));
    assert.deepEqual(long.subarray(0, 4), hex("04 82 01 2c"));
    assert.deepEqual(long.length, 304);
    assert.deepEqual(
      encodeDer(0x04, new Uint8Array(128)).subarray(0, 3),
      hex("04 81 80"),
    );
    assert.throws(() => encodeDer(0x1f), RangeError);
  },
});
