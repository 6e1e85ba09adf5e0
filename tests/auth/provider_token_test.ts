import assert from "node:assert/strict";
import { verify } from "node:crypto";
import { ProviderToken } from "../../src/auth/provider_token.ts";
import { CertificateError } from "../../src/errors.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const p8 = fixture("token.p8");
const publicKey = fixture("token.pub.pem");
const rsaKey = fixture("client.pkcs8.key");

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

Deno.test("ProviderToken: ES256 JWT with kid, iss and iat, verified by node:crypto", async () => {
  const now = 1_700_000_123_456;
  const token = new ProviderToken({
    keyId: "KEY1234567",
    teamId: "TEAM123456",
    signingKey: p8,
    now: () => now,
  });
  const jwt = await token.get();
  const [header, claims, signature] = jwt.split(".");
  assert.deepEqual(decodeSegment(header), { alg: "ES256", kid: "KEY1234567" });
  assert.deepEqual(decodeSegment(claims), {
    iss: "TEAM123456",
    iat: 1_700_000_123,
  });
  assert.doesNotMatch(jwt, /[=+/]/);
  // An independent verifier: OpenSSL through node:crypto, IEEE P1363 form.
  const ok = verify(
    "sha256",
    Buffer.from(`${header}.${claims}`),
    { key: publicKey, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  assert.equal(ok, true);
});

Deno.test({
  name: "ProviderToken: reused until refreshAfter, then re-signed",
  permissions: "none",
  async fn() {
    let now = 0;
    const token = new ProviderToken({
      keyId: "K",
      teamId: "T",
      signingKey: p8,
      refreshAfter: 20 * 60_000,
      now: () => now,
    });
    const first = await token.get();
    now = 19 * 60_000;
    assert.equal(await token.get(), first);
    now = 20 * 60_000;
    const second = await token.get();
    assert.notEqual(second, first);
    assert.equal(token.signedCount, 2);
  },
});

Deno.test({
  name: "ProviderToken: many concurrent refreshes of one stale token sign once",
  permissions: "none",
  async fn() {
    let now = 1_000_000;
    const token = new ProviderToken({
      keyId: "K",
      teamId: "T",
      signingKey: p8,
      now: () => now,
    });
    const stale = await token.get();
    now += 61 * 60_000; // the server said it expired
    const fresh = await Promise.all(
      Array.from({ length: 50 }, () => token.refresh(stale)),
    );
    assert.equal(new Set(fresh).size, 1);
    assert.notEqual(fresh[0], stale);
    assert.equal(token.signedCount, 2);
    // A late caller with the old token gets the current one, no new signing.
    assert.equal(await token.refresh(stale), fresh[0]);
    assert.equal(token.signedCount, 2);
  },
});

Deno.test({
  name: "ProviderToken: bad keys and options are clear errors",
  permissions: "none",
  async fn() {
    assert.throws(
      () => new ProviderToken({ keyId: "", teamId: "T", signingKey: p8 }),
      TypeError,
    );
    assert.throws(
      () =>
        new ProviderToken({
          keyId: "K",
          teamId: "T",
          signingKey: p8,
          refreshAfter: 60 * 60_000,
        }),
      RangeError,
    );
    await assert.rejects(
      new ProviderToken({ keyId: "K", teamId: "T", signingKey: "garbage" })
        .get(),
      CertificateError,
    );
    await assert.rejects(
      new ProviderToken({ keyId: "K", teamId: "T", signingKey: rsaKey }).get(),
      (e: unknown) =>
        e instanceof CertificateError && /P-256/.test((e as Error).message),
    );
  },
});
