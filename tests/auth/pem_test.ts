import assert from "node:assert/strict";
import { CertificateError } from "../../src/errors.ts";
import { encodePem, parsePem } from "../../src/auth/pem.ts";

const bytes = (...values: number[]) => Uint8Array.from(values);

Deno.test({
  name: "pem: parses blocks among other text, with CRLF and indentation",
  permissions: "none",
  fn() {
    const text =
      "Bag Attributes\r\n    localKeyID: 01 02\r\nsubject=/CN=x\r\n" +
      "-----BEGIN CERTIFICATE-----\r\n" +
      "  aGVs\r\n" + // "hel"
      "  bG8=\r\n" + // "lo"
      "-----END CERTIFICATE-----\r\n" +
      "between\n" +
      "-----BEGIN PRIVATE KEY-----\n" +
      "AQID\n" +
      "-----END PRIVATE KEY-----";
    const blocks = parsePem(text);
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0].label, "CERTIFICATE");
    assert.deepEqual(blocks[0].der, new TextEncoder().encode("hello"));
    assert.equal(blocks[0].headers.size, 0);
    assert.equal(blocks[1].label, "PRIVATE KEY");
    assert.deepEqual(blocks[1].der, bytes(1, 2, 3));
  },
});

Deno.test({
  name: "pem: reads RFC 1421 headers (Proc-Type, DEK-Info, continuation)",
  permissions: "none",
  fn() {
    const text = [
      "-----BEGIN RSA PRIVATE KEY-----",
      "Proc-Type: 4,ENCRYPTED",
      "DEK-Info: AES-256-CBC,",
      " 47848F5C23B8880CF177F26B9C8AB3A7",
      "",
      "AAECAw==",
      "-----END RSA PRIVATE KEY-----",
      "",
    ].join("\n");
    const [block] = parsePem(text);
    assert.equal(block.label, "RSA PRIVATE KEY");
    assert.deepEqual([...block.headers], [
      ["Proc-Type", "4,ENCRYPTED"],
      ["DEK-Info", "AES-256-CBC,47848F5C23B8880CF177F26B9C8AB3A7"],
    ]);
    assert.deepEqual(block.der, bytes(0, 1, 2, 3));
  },
});

Deno.test({
  name: "pem: no block gives an empty list",
  permissions: "none",
  fn() {
    assert.deepEqual(parsePem(""), []);
    assert.deepEqual(parsePem("just some text\nwith lines"), []);
  },
});

Deno.test({
  name: "pem: rejects damaged blocks with CertificateError",
  permissions: "none",
  fn() {
    const bad = [
      "-----BEGIN CERTIFICATE-----\nAQID\n", // no END
      "-----BEGIN CERTIFICATE-----\nAQID\n-----END PRIVATE KEY-----\n", // other label
      "-----BEGIN CERTIFICATE-----\nAQ!D\n-----END CERTIFICATE-----\n", // bad char
      "-----BEGIN CERTIFICATE-----\nAQI\n-----END CERTIFICATE-----\n", // not a multiple of 4
      "-----BEGIN CERTIFICATE-----\nAR==\n-----END CERTIFICATE-----\n", // non-zero pad bits
      "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", // empty
      "-----BEGIN CERTIFICATE-----\nAQID\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n",
      "-----BEGIN CERTIFICATE---\nAQID\n-----END CERTIFICATE-----\n", // broken BEGIN
    ];
    for (const text of bad) {
      assert.throws(() => parsePem(text), CertificateError, text);
    }
    assert.throws(() => parsePem(42 as unknown as string), TypeError);
  },
});

Deno.test({
  name: "pem: encodes 64-character lines and headers",
  permissions: "none",
  fn() {
    // 48 bytes encode to exactly 64 base64 characters; 49 spill onto a second line.
    const der = new Uint8Array(49).fill(0xff);
    assert.equal(
      encodePem("PRIVATE KEY", der),
      "-----BEGIN PRIVATE KEY-----\n" +
        "/".repeat(64) + "\n" +
        "/w==\n" +
        "-----END PRIVATE KEY-----\n",
    );
    assert.equal(
      encodePem(
        "X",
        bytes(0x68, 0x65, 0x6c, 0x6c, 0x6f),
        new Map([["A", "b"]]),
      ),
      "-----BEGIN X-----\nA: b\n\naGVsbG8=\n-----END X-----\n",
    );
  },
});

Deno.test({
  name: "pem: encode then parse round-trips every length",
  permissions: "none",
  fn() {
    for (let n = 1; n < 200; n++) {
      const der = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const [block] = parsePem(encodePem("CERTIFICATE", der));
      assert.deepEqual(block.der, der);
    }
  },
});

Deno.test({
  name: "pem: encode rejects bad labels and multi-line headers",
  permissions: "none",
  fn() {
    assert.throws(() => encodePem("BAD-----", bytes(1)), TypeError);
    assert.throws(() => encodePem("", bytes(1)), TypeError);
    assert.throws(
      () => encodePem("X", bytes(1), new Map([["A", "b\nc"]])),
      TypeError,
    );
  },
});
