import assert from "node:assert/strict";
import { CertificateError } from "../../src/errors.ts";
import { decryptPrivateKey } from "../../src/auth/key_decryption.ts";
import { parsePem } from "../../src/auth/pem.ts";

// Fixtures are read once here (needs --allow-read); the tests themselves run
// with no permissions. All encrypted keys use the passphrase below and were
// made by OpenSSL (tests/fixtures/make_certs.sh, vectors/make_vectors.sh).
const PASSPHRASE = "test-passphrase";
const read = (path: string) =>
  Deno.readTextFileSync(new URL(path, import.meta.url));
const FIXTURES = new Map(
  [
    "client.crt",
    "client.key",
    "client.rsa.key",
    "client.enc-pkcs8.key",
    "client.enc-pkcs8-sha1-3des.key",
    "client.enc-rsa-aes.key",
    "client.enc-rsa-des3.key",
  ].map((name) => [name, read(`../fixtures/${name}`)]),
);
const VECTORS = new Map(
  [...Deno.readDirSync(new URL("./vectors/", import.meta.url))]
    .filter((entry) => entry.isFile && !entry.name.endsWith(".sh"))
    .map((entry) => [entry.name, read(`./vectors/${entry.name}`)]),
);
const fixture = (name: string) =>
  FIXTURES.get(name) ?? assert.fail(`no fixture ${name}`);
const vector = (name: string) =>
  VECTORS.get(name) ?? assert.fail(`no vector ${name}`);

// OpenSSL's own plain encodings of the same keys, to compare bytes against.
const PLAIN_PKCS8 = fixture("client.key");
const PLAIN_RSA = fixture("client.rsa.key");
const PLAIN_EC_SEC1 = vector("ec.key");
const PLAIN_EC_PKCS8 = vector("ec.pkcs8.key");

interface Case {
  readonly name: string;
  readonly pem: string;
  readonly label: string;
  readonly plain: string;
}

const CASES: Case[] = [
  // PKCS#8 PBES2
  [
    "client.enc-pkcs8.key (PBKDF2-SHA256, AES-256-CBC)",
    fixture("client.enc-pkcs8.key"),
    "PRIVATE KEY",
    PLAIN_PKCS8,
  ],
  [
    "client.enc-pkcs8-sha1-3des.key (PBKDF2-SHA1, DES-EDE3-CBC)",
    fixture("client.enc-pkcs8-sha1-3des.key"),
    "PRIVATE KEY",
    PLAIN_PKCS8,
  ],
  [
    "PBKDF2-SHA224, AES-128-CBC",
    vector("client.enc-pkcs8-sha224-aes128.key"),
    "PRIVATE KEY",
    PLAIN_PKCS8,
  ],
  [
    "PBKDF2-SHA512, AES-192-CBC",
    vector("client.enc-pkcs8-sha512-aes192.key"),
    "PRIVATE KEY",
    PLAIN_PKCS8,
  ],
  [
    "PBKDF2-SHA384, DES-EDE3-CBC",
    vector("client.enc-pkcs8-sha384-des3.key"),
    "PRIVATE KEY",
    PLAIN_PKCS8,
  ],
  [
    "PBKDF2-SHA256, DES-CBC",
    vector("client.enc-pkcs8-sha256-des.key"),
    "PRIVATE KEY",
    PLAIN_PKCS8,
  ],
  [
    "EC key, PBES2 AES-256-CBC",
    vector("ec.enc-pkcs8.key"),
    "PRIVATE KEY",
    PLAIN_EC_PKCS8,
  ],
  // Traditional OpenSSL
  [
    "client.enc-rsa-aes.key (AES-256-CBC)",
    fixture("client.enc-rsa-aes.key"),
    "RSA PRIVATE KEY",
    PLAIN_RSA,
  ],
  [
    "client.enc-rsa-des3.key (DES-EDE3-CBC)",
    fixture("client.enc-rsa-des3.key"),
    "RSA PRIVATE KEY",
    PLAIN_RSA,
  ],
  [
    "traditional AES-128-CBC",
    vector("client.enc-rsa-aes128.key"),
    "RSA PRIVATE KEY",
    PLAIN_RSA,
  ],
  [
    "traditional AES-192-CBC",
    vector("client.enc-rsa-aes192.key"),
    "RSA PRIVATE KEY",
    PLAIN_RSA,
  ],
  [
    "traditional DES-CBC",
    vector("client.enc-rsa-des.key"),
    "RSA PRIVATE KEY",
    PLAIN_RSA,
  ],
  [
    "EC PRIVATE KEY, AES-256-CBC",
    vector("ec.enc-aes.key"),
    "EC PRIVATE KEY",
    PLAIN_EC_SEC1,
  ],
].map(([name, pem, label, plain]) => ({ name, pem, label, plain }));

function only(pem: string) {
  const blocks = parsePem(pem);
  assert.equal(blocks.length, 1);
  return blocks[0];
}

for (const c of CASES) {
  Deno.test({
    name: `decryptPrivateKey: ${c.name} gives OpenSSL's plain key`,
    permissions: "none",
    async fn() {
      const out = await decryptPrivateKey(c.pem, PASSPHRASE);
      const block = only(out);
      assert.equal(block.label, c.label);
      assert.equal(block.headers.size, 0);
      assert.deepEqual(block.der, only(c.plain).der);
      assert.match(
        out,
        /^-----BEGIN [A-Z ]+-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END [A-Z ]+-----\n$/,
      );
    },
  });

  Deno.test({
    name:
      `decryptPrivateKey: ${c.name} with a wrong passphrase is a CertificateError`,
    permissions: "none",
    async fn() {
      for (const wrong of ["wrong", "", "test-passphrasf", `${PASSPHRASE} `]) {
        await assert.rejects(
          decryptPrivateKey(c.pem, wrong),
          (error: unknown) => {
            assert.ok(error instanceof CertificateError);
            assert.equal(error.code, "ERR_APNS_CERTIFICATE");
            assert.match(error.message, /passphrase is wrong/);
            assert.ok(error.message.length < 200);
            return true;
          },
        );
      }
    },
  });
}

Deno.test({
  name:
    "decryptPrivateKey: data that decrypts with valid padding but is no key is refused",
  permissions: "none",
  async fn() {
    // Right passphrase, valid PKCS#7 padding, but the plaintext is text:
    // only the structure check can tell, and it must not return garbage.
    await assert.rejects(
      decryptPrivateKey(vector("not-a-key.enc-des3.pem"), PASSPHRASE),
      {
        name: "CertificateError",
        message: /decrypted data is not a private key/,
      },
    );
  },
});

Deno.test({
  name:
    "decryptPrivateKey: a bit flipped anywhere in the ciphertext is refused",
  permissions: "none",
  async fn() {
    // CBC has no integrity check: a flip in the middle garbles two blocks
    // and leaves the padding valid. The structure and RSA arithmetic checks
    // must still refuse every such file.
    for (const name of ["client.enc-rsa-des3.key", "client.enc-pkcs8.key"]) {
      const lines = fixture(name).split("\n");
      for (let i = 0; i < lines.length; i++) {
        if (!/^[A-Za-z0-9+/]{16,}/.test(lines[i])) continue;
        const tampered = [...lines];
        const at = 10;
        const ch = lines[i][at];
        tampered[i] = lines[i].slice(0, at) + (ch === "A" ? "B" : "A") +
          lines[i].slice(at + 1);
        await assert.rejects(
          decryptPrivateKey(tampered.join("\n"), PASSPHRASE),
          CertificateError,
          `${name} line ${i}`,
        );
      }
    }
  },
});

Deno.test({
  name: "decryptPrivateKey: unencrypted keys pass through unchanged",
  permissions: "none",
  async fn() {
    for (const pem of [PLAIN_PKCS8, PLAIN_RSA, PLAIN_EC_SEC1]) {
      const out = await decryptPrivateKey(pem, "ignored");
      assert.deepEqual(only(out).der, only(pem).der);
      assert.equal(only(out).label, only(pem).label);
    }
  },
});

Deno.test({
  name: "decryptPrivateKey: finds the key in a combined PEM",
  permissions: "none",
  async fn() {
    const combined = fixture("client.crt") + fixture("client.enc-rsa-aes.key");
    const out = await decryptPrivateKey(combined, PASSPHRASE);
    assert.deepEqual(only(out).der, only(PLAIN_RSA).der);
  },
});

Deno.test({
  name:
    "decryptPrivateKey: PBES1 and unknown ciphers are unsupported, not 'wrong passphrase'",
  permissions: "none",
  async fn() {
    await assert.rejects(
      decryptPrivateKey(vector("client.enc-pbes1.key"), PASSPHRASE),
      {
        name: "CertificateError",
        message:
          /unsupported key encryption 1\.2\.840\.113549\.1\.5\.3: only PBES2/,
      },
    );
    const rc2 = fixture("client.enc-rsa-aes.key").replace(
      /DEK-Info: AES-256-CBC,/,
      "DEK-Info: RC2-CBC,",
    );
    await assert.rejects(decryptPrivateKey(rc2, PASSPHRASE), {
      name: "CertificateError",
      message: /unsupported PEM key cipher "RC2-CBC"/,
    });
    const shortIv = fixture("client.enc-rsa-aes.key").replace(
      /(DEK-Info: AES-256-CBC,)[0-9A-F]{2}/,
      "$1",
    );
    await assert.rejects(decryptPrivateKey(shortIv, PASSPHRASE), {
      name: "CertificateError",
      message: /IV in DEK-Info has the wrong length/,
    });
  },
});

Deno.test({
  name: "decryptPrivateKey: no key, several keys, garbage",
  permissions: "none",
  async fn() {
    await assert.rejects(decryptPrivateKey(fixture("client.crt"), PASSPHRASE), {
      name: "CertificateError",
      message: /no private key/,
    });
    await assert.rejects(
      decryptPrivateKey("garbage", PASSPHRASE),
      CertificateError,
    );
    await assert.rejects(
      decryptPrivateKey(PLAIN_PKCS8 + PLAIN_RSA, PASSPHRASE),
      {
        name: "CertificateError",
        message: /more than one private key/,
      },
    );
    const junk =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAQIDBA==\n-----END ENCRYPTED PRIVATE KEY-----\n";
    await assert.rejects(decryptPrivateKey(junk, PASSPHRASE), {
      name: "CertificateError",
      message: /encrypted private key is malformed/,
    });
    await assert.rejects(
      decryptPrivateKey(1 as unknown as string, PASSPHRASE),
      TypeError,
    );
    await assert.rejects(
      decryptPrivateKey(PLAIN_PKCS8, undefined as unknown as string),
      TypeError,
    );
  },
});

Deno.test({
  name: "decryptPrivateKey: error messages carry no key material",
  permissions: "none",
  async fn() {
    const pem = fixture("client.enc-pkcs8.key");
    const bodyLines = pem.split("\n").filter((line) =>
      /^[A-Za-z0-9+/=]{16,}$/.test(line)
    );
    const error = await decryptPrivateKey(pem, "wrong").catch((e: unknown) =>
      e
    );
    assert.ok(error instanceof CertificateError);
    for (const line of bodyLines) {
      assert.ok(!error.message.includes(line.slice(0, 16)));
      assert.ok(!String(error.stack).includes(line.slice(0, 16)));
    }
    assert.ok(!error.message.includes("wrong passphrase value"));
  },
});
