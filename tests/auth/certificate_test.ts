import assert from "node:assert/strict";
import { CertificateError } from "../../src/errors.ts";
import {
  certificateDigest,
  loadCertificate,
} from "../../src/auth/certificate.ts";
import { encodePem, parsePem } from "../../src/auth/pem.ts";
import { DerReader, encodeDer } from "../../src/auth/der.ts";

// Fixtures are read once here (needs --allow-read); the tests themselves run
// with no permissions.
const PASSPHRASE = "test-passphrase";
const read = (path: string) =>
  Deno.readTextFileSync(new URL(path, import.meta.url));
const FILES = new Map<string, string>();
for (
  const entry of Deno.readDirSync(new URL("../fixtures/", import.meta.url))
) {
  if (/\.(crt|key|pem|p8)$/.test(entry.name)) {
    FILES.set(
      entry.name,
      read(`../fixtures/${entry.name}`),
    );
  }
}
for (const entry of Deno.readDirSync(new URL("./vectors/", import.meta.url))) {
  if (/\.(crt|key|pem)$/.test(entry.name)) {
    FILES.set(`vectors/${entry.name}`, read(`./vectors/${entry.name}`));
  }
}
const file = (name: string) =>
  FILES.get(name) ?? assert.fail(`no fixture ${name}`);

// Externally computed: `openssl x509 -in tests/fixtures/client.crt -outform DER | sha1sum`
// (also `openssl x509 -noout -fingerprint -sha1`). Not produced by our code.
const CLIENT_DIGEST = "fef9926b54f01175f72a43494a255b53eb203bef";
// Externally computed: `openssl x509 -noout -subject -nameopt RFC2253`.
const CLIENT_SUBJECT =
  "O=apns-deno tests,CN=Apple Push Services: com.example.app,UID=com.example.app";
const EC_SUBJECT = "CN=EC test,UID=com.example.ec";

const der = (pem: string) => {
  const blocks = parsePem(pem);
  assert.equal(blocks.length, 1);
  return blocks[0];
};

Deno.test({
  name: "certificateDigest: equals openssl's SHA-1 fingerprint of client.crt",
  permissions: "none",
  async fn() {
    assert.equal(await certificateDigest(file("client.crt")), CLIENT_DIGEST);
  },
});

Deno.test({
  name:
    "certificateDigest: CRLF, indentation and surrounding text do not change it",
  permissions: "none",
  async fn() {
    const pem = file("client.crt");
    const crlf = pem.replace(/\n/g, "\r\n");
    const indented = pem.split("\n").map((line) => `   ${line}  `).join("\n");
    const rewrapped = pem.replace(
      /\n(?!-----)/g,
      (m, offset: number) => offset % 3 === 0 ? "\n\n" : m,
    );
    const wrapped = `subject=whatever\n${pem}\ntrailing text`;
    for (const variant of [crlf, indented, wrapped, rewrapped]) {
      assert.equal(await certificateDigest(variant), CLIENT_DIGEST);
    }
    assert.notEqual(
      await certificateDigest(file("client2.crt")),
      CLIENT_DIGEST,
    );
    await assert.rejects(
      certificateDigest(file("client.key")),
      CertificateError,
    );
    await assert.rejects(certificateDigest(""), CertificateError);
  },
});

const KEY_FORMS: [string, string][] = [
  ["client.key", "PRIVATE KEY"],
  ["client.pkcs8.key", "PRIVATE KEY"],
  ["client.rsa.key", "RSA PRIVATE KEY"],
  ["client.enc-pkcs8.key", "PRIVATE KEY"],
  ["client.enc-pkcs8-sha1-3des.key", "PRIVATE KEY"],
  ["client.enc-rsa-aes.key", "RSA PRIVATE KEY"],
  ["client.enc-rsa-des3.key", "RSA PRIVATE KEY"],
  ["vectors/client.enc-pkcs8-sha224-aes128.key", "PRIVATE KEY"],
  ["vectors/client.enc-rsa-des.key", "RSA PRIVATE KEY"],
];

for (const [name, label] of KEY_FORMS) {
  Deno.test({
    name: `loadCertificate: client.crt with ${name}`,
    permissions: "none",
    async fn() {
      const loaded = await loadCertificate({
        certString: file("client.crt"),
        keyString: file(name),
        passphrase: PASSPHRASE,
      });
      assert.equal(loaded.digest, CLIENT_DIGEST);
      assert.equal(loaded.subject, CLIENT_SUBJECT);
      assert.equal(loaded.uid, "com.example.app");
      assert.deepEqual(loaded.caCerts, []);
      const key = der(loaded.key);
      assert.equal(key.label, label);
      // Same bytes as OpenSSL's own unencrypted form of the key.
      const plain = der(
        file(label === "PRIVATE KEY" ? "client.key" : "client.rsa.key"),
      );
      assert.deepEqual(key.der, plain.der);
      assert.deepEqual(der(loaded.cert).der, der(file("client.crt")).der);
      assert.ok(Object.isFrozen(loaded));
    },
  });
}

Deno.test({
  name: "loadCertificate: a combined PEM (cert + key) in certString",
  permissions: "none",
  async fn() {
    const loaded = await loadCertificate({
      certString: file("client.combined.pem"),
    });
    assert.equal(loaded.digest, CLIENT_DIGEST);
    assert.deepEqual(der(loaded.key).der, der(file("client.key")).der);
    assert.equal(parsePem(loaded.cert).length, 1);

    const encrypted = file("client.enc-rsa-aes.key") + file("client.crt");
    const fromEncrypted = await loadCertificate({
      certString: encrypted,
      passphrase: PASSPHRASE,
    });
    assert.deepEqual(
      der(fromEncrypted.key).der,
      der(file("client.rsa.key")).der,
    );
    assert.equal(fromEncrypted.digest, CLIENT_DIGEST);
  },
});

Deno.test({
  name: "loadCertificate: CRLF PEM gives the same digest and key",
  permissions: "none",
  async fn() {
    const crlf = file("client.combined.pem").replace(/\n/g, "\r\n");
    const loaded = await loadCertificate({ certString: crlf });
    assert.equal(loaded.digest, CLIENT_DIGEST);
    assert.ok(!loaded.cert.includes("\r") && !loaded.key.includes("\r"));
  },
});

Deno.test({
  name: "loadCertificate: a chain keeps its order and the digest is the leaf's",
  permissions: "none",
  async fn() {
    const loaded = await loadCertificate({
      certString: file("client.crt") + file("ca.crt"),
      keyString: file("client.key"),
      caCerts: [file("ca.crt"), file("rogue-ca.crt") + file("server.crt")],
    });
    assert.equal(loaded.digest, CLIENT_DIGEST);
    const chain = parsePem(loaded.cert);
    assert.equal(chain.length, 2);
    assert.deepEqual(chain[1].der, der(file("ca.crt")).der);
    assert.equal(loaded.caCerts.length, 3);
    assert.deepEqual(der(loaded.caCerts[2]).der, der(file("server.crt")).der);
    const single = await loadCertificate({
      certString: file("client.combined.pem"),
      caCerts: file("ca.crt"),
    });
    assert.equal(single.caCerts.length, 1);
  },
});

Deno.test({
  name: "loadCertificate: EC certificates with SEC1, PKCS#8 and encrypted keys",
  permissions: "none",
  async fn() {
    for (
      const name of [
        "ec.key",
        "ec.pkcs8.key",
        "ec.enc-aes.key",
        "ec.enc-pkcs8.key",
      ]
    ) {
      const loaded = await loadCertificate({
        certString: file("vectors/ec.crt"),
        keyString: file(`vectors/${name}`),
        passphrase: PASSPHRASE,
      });
      assert.equal(loaded.subject, EC_SUBJECT, name);
      assert.equal(loaded.uid, "com.example.ec");
    }
  },
});

Deno.test({
  name: "loadCertificate: P-384 and Ed25519 certificates",
  permissions: "none",
  async fn() {
    for (
      const [name, subject] of [["p384", "CN=P-384 test"], [
        "ed25519",
        "CN=Ed25519 test",
      ]]
    ) {
      const loaded = await loadCertificate({
        certString: file(`vectors/${name}.crt`),
        keyString: file(`vectors/${name}.key`),
      });
      assert.equal(loaded.subject, subject);
      assert.equal(loaded.uid, undefined);
    }
  },
});

Deno.test({
  name:
    "loadCertificate: a SEC1 key without curve parameters takes the certificate's curve",
  permissions: "none",
  async fn() {
    // ECPrivateKey { version, privateKey, [0] parameters, [1] publicKey }
    // rebuilt without [0], as some tools write it.
    const key = new DerReader(der(file("vectors/ec.key")).der).readSequence();
    const version = key.read().bytes;
    const scalar = key.read().bytes;
    assert.equal(key.read().tag, 0xa0);
    const publicKey = key.read().bytes;
    const bare = encodeDer(0x30, version, scalar, publicKey);
    const loaded = await loadCertificate({
      certString: file("vectors/ec.crt"),
      keyString: encodePem("EC PRIVATE KEY", bare),
    });
    assert.equal(loaded.subject, EC_SUBJECT);
    await rejects(
      {
        certString: file("vectors/p384.crt"),
        keyString: encodePem("EC PRIVATE KEY", bare),
      },
      /private key is malformed or unsupported|does not match/,
    );
  },
});

async function rejects(
  options: Parameters<typeof loadCertificate>[0],
  message: RegExp,
) {
  const error = await loadCertificate(options).catch((e: unknown) => e);
  assert.ok(
    error instanceof CertificateError,
    `expected CertificateError, got ${error}`,
  );
  assert.equal(error.code, "ERR_APNS_CERTIFICATE");
  assert.match(error.message, message);
  // No key material (no 16-character run of any key body) in message or stack.
  for (const [name, text] of FILES) {
    if (
      !name.endsWith(".key") && !name.endsWith(".pem") && !name.endsWith(".p8")
    ) continue;
    for (const line of text.split("\n")) {
      if (!/^[A-Za-z0-9+/=]{16,}$/.test(line)) continue;
      assert.ok(
        !String(error.stack).includes(line.slice(0, 16)),
        `key text leaked from ${name}`,
      );
    }
  }
  assert.ok(!error.message.includes(PASSPHRASE));
}

Deno.test({
  name: "loadCertificate: encrypted key without passphrase",
  permissions: "none",
  async fn() {
    for (const name of ["client.enc-pkcs8.key", "client.enc-rsa-des3.key"]) {
      await rejects(
        { certString: file("client.crt"), keyString: file(name) },
        /key is encrypted; pass passphrase/,
      );
    }
  },
});

Deno.test({
  name: "loadCertificate: wrong passphrase",
  permissions: "none",
  async fn() {
    for (
      const name of [
        "client.enc-pkcs8.key",
        "client.enc-pkcs8-sha1-3des.key",
        "client.enc-rsa-aes.key",
      ]
    ) {
      await rejects(
        {
          certString: file("client.crt"),
          keyString: file(name),
          passphrase: "nope",
        },
        /passphrase is wrong/,
      );
    }
  },
});

Deno.test({
  name: "loadCertificate: a key that belongs to another certificate",
  permissions: "none",
  async fn() {
    await rejects(
      { certString: file("client.crt"), keyString: file("client2.key") },
      /private key does not match the certificate/,
    );
    await rejects(
      { certString: file("client2.crt"), keyString: file("client.rsa.key") },
      /private key does not match the certificate/,
    );
    await rejects(
      { certString: file("client.crt"), keyString: file("token.p8") },
      /does not match the certificate \(different key algorithms\)/,
    );
    await rejects(
      { certString: file("vectors/ec.crt"), keyString: file("token.p8") },
      /private key does not match the certificate/,
    );
    await rejects(
      {
        certString: file("vectors/p384.crt"),
        keyString: file("vectors/ec.key"),
      },
      /does not match the certificate \(different EC curves\)/,
    );
    await rejects(
      {
        certString: file("vectors/ed25519.crt"),
        keyString: file("client.key"),
      },
      /different key algorithms/,
    );
    await rejects(
      { certString: file("client.crt") + file("client2.key") },
      /private key does not match the certificate/,
    );
  },
});

Deno.test({
  name: "loadCertificate: missing parts and garbage",
  permissions: "none",
  async fn() {
    const crt = file("client.crt");
    const key = file("client.key");
    await rejects({}, /no certificate given/);
    await rejects({ certString: "  \n" }, /no certificate given/);
    await rejects(
      { certString: "garbage", keyString: key },
      /certString holds no PEM block/,
    );
    await rejects({ certString: key }, /no CERTIFICATE block/);
    await rejects({ certString: crt }, /no private key given/);
    await rejects(
      { certString: crt, keyString: "garbage" },
      /keyString holds no PEM block/,
    );
    await rejects(
      { certString: crt, keyString: file("client2.crt") },
      /keyString holds no private key/,
    );
    await rejects(
      { certString: crt, keyString: key + file("client2.key") },
      /more than one private key/,
    );
    await rejects(
      {
        certString:
          "-----BEGIN CERTIFICATE-----\nAQIDBA==\n-----END CERTIFICATE-----\n",
        keyString: key,
      },
      /certificate is malformed/,
    );
    await rejects(
      {
        certString: crt,
        keyString:
          "-----BEGIN PRIVATE KEY-----\nAQIDBA==\n-----END PRIVATE KEY-----\n",
      },
      /PRIVATE KEY block is not a valid private key/,
    );
    await rejects(
      {
        certString: crt,
        keyString:
          "-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n",
      },
      /RSA PRIVATE KEY block is not a valid private key/,
    );
    await rejects(
      {
        certString: crt.replace(/\n([A-Za-z0-9+/]{10})/, "\n!$1"),
        keyString: key,
      },
      /invalid base64/,
    );
    await rejects(
      { certString: crt, keyString: key, caCerts: "garbage" },
      /caCerts\[0\] holds no CERTIFICATE/,
    );
    await rejects({
      certString: crt,
      keyString: key,
      caCerts: [file("ca.crt"), key],
    }, /caCerts\[1\] holds no CERTIFICATE/);
  },
});

Deno.test({
  name: "loadCertificate: a plain key with damaged numbers is refused",
  permissions: "none",
  async fn() {
    // Flip one base64 character deep inside the private exponent / primes:
    // the structure stays valid, the RSA arithmetic check must catch it.
    const lines = file("client.rsa.key").split("\n");
    lines[15] = lines[15].slice(0, 20) + (lines[15][20] === "A" ? "B" : "A") +
      lines[15].slice(21);
    await rejects(
      { certString: file("client.crt"), keyString: lines.join("\n") },
      /not a valid private key/,
    );
  },
});

Deno.test({
  name: "loadCertificate: bad option types are TypeErrors",
  permissions: "none",
  async fn() {
    await assert.rejects(loadCertificate(null as never), TypeError);
    await assert.rejects(
      loadCertificate({ certString: 1 as never }),
      TypeError,
    );
    await assert.rejects(
      loadCertificate({
        certString: file("client.combined.pem"),
        passphrase: 1 as never,
      }),
      TypeError,
    );
    await assert.rejects(
      loadCertificate({
        certString: file("client.combined.pem"),
        caCerts: 5 as never,
      }),
      TypeError,
    );
    await assert.rejects(
      loadCertificate({
        certString: file("client.combined.pem"),
        caCerts: [5] as never,
      }),
      TypeError,
    );
  },
});
