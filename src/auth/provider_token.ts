/**
 * {@linkcode ProviderToken}: the ES256 JSON Web Token of APNs token-based
 * authentication, signed with WebCrypto from the `.p8` key string and shared
 * by every connection that uses the key.
 *
 * @module
 */

import { encodeBase64Url } from "../bytes/base64url.ts";
import { CertificateError } from "../errors.ts";
import { parsePem } from "./pem.ts";

/** What signs provider tokens. */
export interface ProviderTokenOptions {
  /** The 10-character key id from the developer account (`kid`). */
  readonly keyId: string;
  /** The 10-character team id (`iss`). */
  readonly teamId: string;
  /** The `.p8` file's content: a PKCS#8 PEM P-256 private key. */
  readonly signingKey: string;
  /**
   * Age in milliseconds after which the token is replaced. Apple rejects
   * tokens older than 60 minutes and refreshes more often than every 20
   * minutes. Default 50 minutes; must lie in [20, 60) minutes.
   */
  readonly refreshAfter?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

const MINUTE = 60_000;
const encoder = new TextEncoder();

/**
 * A cached provider token: signed on first use, reused until
 * `refreshAfter`, refreshed at most once for many concurrent callers.
 *
 * @example
 * ```ts ignore
 * const token = new ProviderToken({ keyId, teamId, signingKey: p8 });
 * headers.authorization = `bearer ${await token.get()}`;
 * ```
 */
export class ProviderToken {
  /** The key id. */
  readonly keyId: string;
  /** The team id. */
  readonly teamId: string;
  readonly #pem: string;
  readonly #refreshAfter: number;
  readonly #now: () => number;
  #key: Promise<CryptoKey> | undefined;
  #current: { jwt: string; issuedAt: number } | undefined;
  #pending: Promise<string> | undefined;
  #signed = 0;

  /**
   * Creates the token source; nothing is signed until first use.
   *
   * @param options key id, team id, the `.p8` PEM and the refresh age
   * @throws {TypeError} when an option is missing or has the wrong type
   * @throws {RangeError} when `refreshAfter` is outside [20, 60) minutes
   */
  constructor(options: ProviderTokenOptions) {
    const { keyId, teamId, signingKey } = options ?? {};
    for (
      const [name, value] of [["keyId", keyId], ["teamId", teamId], [
        "signingKey",
        signingKey,
      ]]
    ) {
      if (typeof value !== "string" || value === "") {
        throw new TypeError(`token.${name} must be a non-empty string`);
      }
    }
    const refreshAfter = options.refreshAfter ?? 50 * MINUTE;
    if (!(refreshAfter >= 20 * MINUTE && refreshAfter < 60 * MINUTE)) {
      throw new RangeError("refreshAfter must lie in [20, 60) minutes");
    }
    this.keyId = keyId;
    this.teamId = teamId;
    this.#pem = signingKey;
    this.#refreshAfter = refreshAfter;
    this.#now = options.now ?? Date.now;
  }

  /** How many tokens were signed so far. */
  get signedCount(): number {
    return this.#signed;
  }

  /**
   * The current token without waiting, or `undefined` when there is none or
   * it is due for replacement (then call {@linkcode ProviderToken.get}).
   *
   * @returns the JWT, or `undefined`
   */
  peek(): string | undefined {
    const current = this.#current;
    if (current && this.#now() - current.issuedAt < this.#refreshAfter) {
      return current.jwt;
    }
    return undefined;
  }

  /**
   * The current token, signing a new one when there is none or it is older
   * than `refreshAfter`.
   *
   * @returns the JWT (without the `bearer ` prefix)
   * @throws {CertificateError} when the signing key cannot be used
   */
  get(): Promise<string> {
    const current = this.#current;
    if (current && this.#now() - current.issuedAt < this.#refreshAfter) {
      return Promise.resolve(current.jwt);
    }
    return this.#sign();
  }

  /**
   * Replaces `stale` after the server rejected it (ExpiredProviderToken).
   * When the current token is already another one, that one is returned:
   * many requests failing at once cause one refresh, not one each.
   *
   * @param stale the token the server rejected
   * @returns a fresh token
   */
  refresh(stale: string): Promise<string> {
    if (this.#current && this.#current.jwt !== stale) {
      return Promise.resolve(this.#current.jwt);
    }
    return this.#sign();
  }

  #sign(): Promise<string> {
    this.#pending ??= this.#signNow().finally(() => this.#pending = undefined);
    return this.#pending;
  }

  async #signNow(): Promise<string> {
    const key = await (this.#key ??= importSigningKey(this.#pem));
    const issuedAt = this.#now();
    const header = encodeBase64Url(
      encoder.encode(JSON.stringify({ alg: "ES256", kid: this.keyId })),
    );
    const claims = encodeBase64Url(
      encoder.encode(
        JSON.stringify({ iss: this.teamId, iat: Math.floor(issuedAt / 1000) }),
      ),
    );
    const input = `${header}.${claims}`;
    const signature = new Uint8Array(
      await crypto.subtle.sign(
        { name: "ECDSA", hash: "SHA-256" },
        key,
        encoder.encode(input),
      ),
    );
    const jwt = `${input}.${encodeBase64Url(signature)}`;
    this.#current = { jwt, issuedAt };
    this.#signed++;
    return jwt;
  }
}

async function importSigningKey(pem: string): Promise<CryptoKey> {
  const block = parsePem(pem).find((b) => b.label === "PRIVATE KEY");
  if (!block) {
    throw new CertificateError(
      "the token signing key must be a .p8 PEM (-----BEGIN PRIVATE KEY-----)",
    );
  }
  try {
    return await crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array(block.der),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
  } catch (cause) {
    throw new CertificateError(
      "the token signing key is not a P-256 (ES256) private key",
      { cause },
    );
  }
}
