// End-to-end proof that a decrypted key is usable: a node:tls server that
// requires a client certificate signed by ca.crt accepts Deno.connectTls
// with each decrypted key form. Needs -A (loopback sockets).
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { decryptPrivateKey } from "../../src/auth/key_decryption.ts";
import { loadCertificate } from "../../src/auth/certificate.ts";

const PASSPHRASE = "test-passphrase";
// `openssl x509 -in tests/fixtures/client.crt -outform DER | sha1sum`
const CLIENT_DIGEST = "fef9926b54f01175f72a43494a255b53eb203bef";
const read = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const CA = read("ca.crt");
const SERVER_CERT = read("server.crt");
const SERVER_KEY = read("server.key");
const CLIENT_CERT = read("client.crt");
const ENCRYPTED_KEYS = [
  "client.enc-pkcs8.key",
  "client.enc-pkcs8-sha1-3des.key",
  "client.enc-rsa-aes.key",
  "client.enc-rsa-des3.key",
].map((name) => [name, read(name)] as const);

interface Seen {
  authorized: boolean;
  peer: string | undefined;
  byte: number;
}

Deno.test({
  name:
    "tls: decrypted keys authenticate to a server that requires client certificates",
  async fn() {
    const seen: Seen[] = [];
    const server = tls.createServer({
      key: SERVER_KEY,
      cert: SERVER_CERT,
      ca: [CA],
      requestCert: true,
      rejectUnauthorized: true,
    }, (socket) => {
      socket.once("data", (data: Uint8Array) => {
        seen.push({
          authorized: socket.authorized,
          // SHA-1 fingerprint of the certificate the server verified.
          peer: socket.getPeerCertificate().fingerprint?.replaceAll(":", "")
            .toLowerCase(),
          byte: data[0],
        });
        // Answer, then close: the client reads the answer and EOF.
        socket.end(Uint8Array.of(0x2a));
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve)
    );
    const { port } = server.address() as AddressInfo;
    const timer = setTimeout(() => server.close(), 10_000);
    try {
      for (const [index, [name, pem]] of ENCRYPTED_KEYS.entries()) {
        const key = await decryptPrivateKey(pem, PASSPHRASE);
        assert.ok(!key.includes("ENCRYPTED"), name);
        const conn = await Deno.connectTls({
          hostname: "127.0.0.1",
          port,
          caCerts: [CA],
          cert: CLIENT_CERT,
          key,
        });
        try {
          await conn.write(Uint8Array.of(index + 1));
          // With TLS 1.3 a rejected certificate would only show here.
          const buffer = new Uint8Array(4);
          assert.equal(await conn.read(buffer), 1, name);
          assert.equal(buffer[0], 0x2a);
          assert.equal(await conn.read(buffer), null);
        } finally {
          conn.close();
        }
        assert.deepEqual(seen[index], {
          authorized: true,
          peer: CLIENT_DIGEST,
          byte: index + 1,
        }, name);
      }

      // The same through loadCertificate (combined, encrypted input).
      const loaded = await loadCertificate({
        certString: CLIENT_CERT + ENCRYPTED_KEYS[0][1],
        passphrase: PASSPHRASE,
        caCerts: CA,
      });
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port,
        caCerts: [...loaded.caCerts],
        cert: loaded.cert,
        key: loaded.key,
      });
      try {
        await conn.write(Uint8Array.of(99));
        const buffer = new Uint8Array(4);
        assert.equal(await conn.read(buffer), 1);
        assert.equal(await conn.read(buffer), null);
      } finally {
        conn.close();
      }
      assert.equal(loaded.digest, CLIENT_DIGEST);
      assert.deepEqual(seen.at(-1), {
        authorized: true,
        peer: CLIENT_DIGEST,
        byte: 99,
      });
    } finally {
      clearTimeout(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
});

Deno.test({
  name:
    "tls: Deno.connectTls itself refuses the still-encrypted key (why we decrypt)",
  async fn() {
    for (const [name, pem] of ENCRYPTED_KEYS) {
      // Deno reports InvalidData ("No keys found" / "Unable to decode key")
      // before it connects; a plain key would get ConnectionRefused here.
      await assert.rejects(
        Promise.resolve().then(() =>
          Deno.connectTls({
            hostname: "127.0.0.1",
            port: 9,
            caCerts: [CA],
            cert: CLIENT_CERT,
            key: pem,
          })
        ),
        Deno.errors.InvalidData,
        name,
      );
    }
  },
});
