/**
 * {@linkcode ProviderTokenVerifier}: checks APNs provider tokens (ES256
 * JWTs, PROTOCOL.md §2) the way Apple does for the mock HTTP/2 gateway:
 * header `{"alg":"ES256","kid":<key id>}`, claims `{"iss":<team id>,
 * "iat":<seconds>}`, a P-256 signature by the key, and an age limit.
 * Signatures are verified once per distinct token (cached), so that a token
 * reused for thousands of requests costs one WebCrypto call.
 *
 * @module
 */

import { decodeBase64Url } from "../bytes/base64url.ts";
import { parsePem } from "../auth/pem.ts";

/** Token-auth settings of the mock gateway. */
export interface H2TokenAuth {
  /** The key id the token's `kid` must name. */
  readonly keyId: string;
  /** The team id the token's `iss` must name. */
  readonly teamId: string;
  /**
   * The verification key: a PEM `PUBLIC KEY` (SPKI), or the `.p8` PEM
   * `PRIVATE KEY` itself (its public half is derived).
   */
  readonly publicKey: string;
  /** Age in seconds after which a token is expired (default 3600, as Apple). */
  readonly maxTokenAgeSeconds?: number;
  /** Topics (bundle ids) the key may push to; default any. Others get TopicDisallowed. */
  readonly topics?: readonly string[];
  /**
   * Reject a new token (a later `iat` than the newest accepted) issued less
   * than this many seconds after it with 429 TooManyProviderTokenUpdates;
   * Apple asks for at least 1200 (20 minutes). Default: no limit.
   */
  readonly minRefreshSeconds?: number;
  /** Send GOAWAY and close after answering ExpiredProviderToken, as Apple does (default false). */
  readonly goawayOnExpired?: boolean;
}

/** The verifier's answer. */
export type TokenVerdict =
  | { readonly ok: true }
  | {
    readonly ok: false;
    readonly reason:
      | "MissingProviderToken"
      | "InvalidProviderToken"
      | "ExpiredProviderToken"
      | "TooManyProviderTokenUpdates";
  };

interface Checked {
  readonly valid: boolean;
  readonly iat: number;
}

const OK: TokenVerdict = Object.freeze({ ok: true });
const MISSING: TokenVerdict = Object.freeze({
  ok: false,
  reason: "MissingProviderToken",
});
const INVALID: TokenVerdict = Object.freeze({
  ok: false,
  reason: "InvalidProviderToken",
});
const EXPIRED: TokenVerdict = Object.freeze({
  ok: false,
  reason: "ExpiredProviderToken",
});
const TOO_MANY: TokenVerdict = Object.freeze({
  ok: false,
  reason: "TooManyProviderTokenUpdates",
});
const CACHE_LIMIT = 256;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const ascii = new TextEncoder();

/**
 * Verifies provider tokens against one key.
 *
 * @example
 * ```ts ignore
 * const verifier = new ProviderTokenVerifier({ keyId, teamId, publicKey: p8 });
 * await verifier.ready();
 * const verdict = await verifier.check(`bearer ${jwt}`);
 * ```
 */
export class ProviderTokenVerifier {
  readonly #keyId: string;
  readonly #teamId: string;
  readonly #maxAgeMs: number;
  readonly #minRefresh: number;
  #newestIat = -Infinity;
  readonly #pem: string;
  readonly #now: () => number;
  #key: Promise<CryptoKey> | undefined;
  readonly #cache = new Map<string, Checked | Promise<Checked>>();

  /**
   * Creates a verifier (the key is imported on first use or `ready()`).
   *
   * @param options key id, team id, key and age limit
   * @param now clock in milliseconds (default `Date.now`)
   * @throws {TypeError} when a field is missing or of the wrong type
   * @throws {RangeError} when the age limit is not a positive integer
   */
  constructor(options: H2TokenAuth, now: () => number = Date.now) {
    for (const name of ["keyId", "teamId", "publicKey"] as const) {
      if (typeof options?.[name] !== "string" || options[name] === "") {
        throw new TypeError(`auth.${name} must be a non-empty string`);
      }
    }
    const age = options.maxTokenAgeSeconds ?? 3600;
    if (!Number.isSafeInteger(age) || age <= 0) {
      throw new RangeError(
        `maxTokenAgeSeconds must be a positive integer, got ${age}`,
      );
    }
    this.#keyId = options.keyId;
    this.#teamId = options.teamId;
    this.#pem = options.publicKey;
    this.#maxAgeMs = age * 1000;
    const refresh = options.minRefreshSeconds ?? 0;
    if (!Number.isSafeInteger(refresh) || refresh < 0) {
      throw new RangeError(
        `minRefreshSeconds must be a non-negative integer, got ${refresh}`,
      );
    }
    this.#minRefresh = refresh;
    this.#now = now;
  }

  /**
   * Imports the key (once).
   *
   * @returns settles when the key is usable
   * @throws {TypeError} when the PEM holds no usable P-256 key
   */
  async ready(): Promise<void> {
    await (this.#key ??= importVerifyKey(this.#pem));
  }

  /**
   * Checks an `authorization` header value.
   *
   * @param authorization the header's value, `bearer <JWT>`; undefined when absent
   * @returns the verdict: synchronously for a token seen before, else a promise
   */
  check(
    authorization: string | undefined,
  ): TokenVerdict | Promise<TokenVerdict> {
    if (authorization === undefined || authorization === "") return MISSING;
    const m = /^bearer\s+(\S+)$/i.exec(authorization);
    if (m === null) return INVALID;
    const jwt = m[1];
    const cached = this.#cache.get(jwt);
    if (cached !== undefined && !(cached instanceof Promise)) {
      return this.#judge(cached);
    }
    let pending = cached as Promise<Checked> | undefined;
    if (pending === undefined) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      pending = this.#verify(jwt).then((checked) => {
        this.#cache.set(jwt, checked);
        return checked;
      });
      this.#cache.set(jwt, pending);
    }
    return pending.then((checked) => this.#judge(checked));
  }

  #judge(checked: Checked): TokenVerdict {
    if (!checked.valid) return INVALID;
    if (this.#now() - checked.iat * 1000 > this.#maxAgeMs) return EXPIRED;
    if (checked.iat > this.#newestIat) {
      if (checked.iat - this.#newestIat < this.#minRefresh) return TOO_MANY;
      this.#newestIat = checked.iat;
    }
    return OK;
  }

  async #verify(jwt: string): Promise<Checked> {
    const invalid: Checked = { valid: false, iat: 0 };
    const parts = jwt.split(".");
    if (parts.length !== 3) return invalid;
    let header: unknown, claims: unknown, signature: Uint8Array;
    try {
      header = JSON.parse(utf8.decode(decodeBase64Url(parts[0])));
      claims = JSON.parse(utf8.decode(decodeBase64Url(parts[1])));
      signature = decodeBase64Url(parts[2]);
    } catch {
      return invalid;
    }
    if (!isObject(header) || !isObject(claims)) return invalid;
    if (header.alg !== "ES256" || header.kid !== this.#keyId) return invalid;
    const iat = claims.iat;
    if (claims.iss !== this.#teamId || !Number.isSafeInteger(iat)) {
      return invalid;
    }
    if (signature.length !== 64) return invalid;
    const key = await (this.#key ??= importVerifyKey(this.#pem));
    const ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      new Uint8Array(signature),
      ascii.encode(`${parts[0]}.${parts[1]}`),
    );
    return { valid: ok, iat: iat as number };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function importVerifyKey(pem: string): Promise<CryptoKey> {
  const alg = { name: "ECDSA", namedCurve: "P-256" };
  let blocks;
  try {
    blocks = parsePem(pem);
  } catch (cause) {
    throw new TypeError("auth.publicKey is not PEM", { cause });
  }
  const spki = blocks.find((b) => b.label === "PUBLIC KEY");
  try {
    if (spki !== undefined) {
      return await crypto.subtle.importKey(
        "spki",
        new Uint8Array(spki.der),
        alg,
        false,
        ["verify"],
      );
    }
    const p8 = blocks.find((b) => b.label === "PRIVATE KEY");
    if (p8 !== undefined) {
      const priv = await crypto.subtle.importKey(
        "pkcs8",
        new Uint8Array(p8.der),
        alg,
        true,
        ["sign"],
      );
      const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", priv);
      return await crypto.subtle.importKey(
        "jwk",
        { kty, crv, x, y },
        alg,
        false,
        ["verify"],
      );
    }
  } catch (cause) {
    throw new TypeError("auth.publicKey is not a P-256 key", { cause });
  }
  throw new TypeError(
    "auth.publicKey must hold a PUBLIC KEY or PRIVATE KEY PEM block",
  );
}
