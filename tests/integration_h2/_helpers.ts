// Shared helpers of the HTTP/2 provider-API integration tests: fixtures, a
// started MockHttp2Gateway, token factories, time bounds and the one
// contract every send must keep (checkContract).

import assert from "node:assert/strict";
import type { Result } from "../../mod.ts";
import {
  MockHttp2Gateway,
  type MockHttp2GatewayOptions,
} from "../../src/server/mod.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** Reads a file of `tests/fixtures/`. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** Absolute path of a file of `tests/fixtures/`. */
export function fixturePath(name: string): string {
  return new URL(name, FIXTURES).pathname;
}

/** TLS options for the mock gateway (server certificate, trusted client CA). */
export const SERVER_TLS = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};

/** Key id and team id of the test token key. */
export const KEY_ID = "ABC123DEFG";
/** Team id of the test token key. */
export const TEAM_ID = "DEF123GHIJ";
/** The `.p8` signing key. */
export const TOKEN_P8 = fixture("token.p8");
/** Its public half (SPKI PEM). */
export const TOKEN_PUB = fixture("token.pub.pem");

/** Certificate credentials (UID com.example.app) trusting the test CA. */
export function certCredentials(): {
  certString: string;
  keyString: string;
  caCerts: string;
} {
  return {
    certString: fixture("client.crt"),
    keyString: fixture("client.key"),
    caCerts: fixture("ca.crt"),
  };
}

/** Token credentials trusting the test CA. */
export function tokenCredentials(
  over: { keyId?: string; teamId?: string } = {},
): {
  token: { keyId: string; teamId: string; signingKey: string };
  caCerts: string;
} {
  return {
    token: {
      keyId: over.keyId ?? KEY_ID,
      teamId: over.teamId ?? TEAM_ID,
      signingKey: TOKEN_P8,
    },
    caCerts: fixture("ca.crt"),
  };
}

/** The gateway's token-auth settings for the test key. */
export function gatewayTokenAuth(
  over: Record<string, unknown> = {},
): { keyId: string; teamId: string; publicKey: string } {
  return { keyId: KEY_ID, teamId: TEAM_ID, publicKey: TOKEN_PUB, ...over };
}

/** An h2 address for `session.getConnection`. */
export function h2Address(
  port: number,
): { hostname: string; port: number; protocol: "h2" } {
  return { hostname: "127.0.0.1", port, protocol: "h2" };
}

/** Starts a mock HTTP/2 gateway on 127.0.0.1 and an ephemeral port. */
export async function startH2(
  options: Omit<MockHttp2GatewayOptions, "cert" | "key" | "ca">,
): Promise<{ gateway: MockHttp2Gateway; port: number } & AsyncDisposable> {
  const gateway = new MockHttp2Gateway({ ...SERVER_TLS, ...options });
  const { port } = await gateway.listen();
  return {
    gateway,
    port,
    [Symbol.asyncDispose]: () => gateway.close(),
  };
}

/**
 * `count` distinct 32-byte tokens (lower-case hex); `tag` (0-255) keeps
 * the tokens of different messages apart.
 */
export function makeTokens(count: number, tag = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(tokenAt(i, tag));
  return out;
}

/** The `i`-th token of {@linkcode makeTokens}. */
export function tokenAt(i: number, tag = 0): string {
  const prefix = tag.toString(16).padStart(2, "0");
  return (prefix + i.toString(16).padStart(6, "0")).repeat(8);
}

/** Rejects when `promise` takes longer than `ms`; leaves no timer behind. */
export async function within<T>(
  ms: number,
  promise: Promise<T>,
  what = "operation",
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not finish within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of {@linkcode checkContract}. */
export interface ContractOptions {
  /**
   * The fate of some tokens is unknown (a connection dropped after they
   * were written): tokens in `retry()` may have reached the gateway, at
   * most once each; every accepted one did.
   */
  unproven?: boolean;
}

/**
 * The contract of every send: each token given ends up exactly once —
 * accepted (counted; the gateway accepted exactly those tokens, each once),
 * in `failed`, or in `retry()`; `unregistered` ⊆ `failed` keys.
 *
 * @param result the send's result
 * @param tokens the tokens given to `send` (distinct)
 * @param atGateway the tokens the gateway accepted for this send
 * @param options see {@linkcode ContractOptions}
 * @returns the tokens counted as accepted (lower-case)
 */
export function checkContract(
  result: Result,
  tokens: readonly string[],
  atGateway: readonly string[],
  options: ContractOptions = {},
): string[] {
  const lower = tokens.map((t) => t.toLowerCase());
  assert.equal(new Set(lower).size, lower.length, "test tokens are distinct");
  const given = new Set(tokens);
  const retryTokens = [...result.retryTokens];
  const retrySet = new Set(retryTokens);
  assert.equal(retrySet.size, retryTokens.length, "retry tokens distinct");
  for (const t of result.failed.keys()) {
    assert.ok(given.has(t), `failed token ${t} was not sent`);
  }
  for (const t of retryTokens) {
    assert.ok(given.has(t), `retry token ${t} was not sent`);
    assert.ok(!result.failed.has(t), `${t} is both failed and in retry()`);
  }
  for (const t of result.unregistered.keys()) {
    assert.ok(result.failed.has(t), `unregistered ${t} is not in failed`);
  }
  assert.equal(
    result.accepted + result.failed.size + retryTokens.length,
    tokens.length,
    `accepted ${result.accepted} + failed ${result.failed.size} + retry ` +
      `${retryTokens.length} must equal ${tokens.length} tokens`,
  );
  const again = result.retry();
  if (retryTokens.length === 0) assert.equal(again, null);
  else {
    assert.deepEqual(new Set(again!.tokens), retrySet);
    assert.equal(again!.payloadJson, result.message.payloadJson);
  }
  const accepted = tokens
    .filter((t) => !result.failed.has(t) && !retrySet.has(t))
    .map((t) => t.toLowerCase());
  assert.equal(accepted.length, result.accepted);
  const seen = [...atGateway].sort();
  const seenSet = new Set(seen);
  assert.equal(seenSet.size, seen.length, "no token reached the gateway twice");
  if (!options.unproven) {
    assert.deepEqual(
      seen,
      [...accepted].sort(),
      "the gateway accepted exactly the tokens counted as accepted",
    );
  } else {
    for (const t of accepted) {
      assert.ok(seenSet.has(t), `accepted ${t} never reached the gateway`);
    }
    const allowed = new Set([
      ...accepted,
      ...retryTokens.map((t) => t.toLowerCase()),
    ]);
    for (const t of seen) {
      assert.ok(allowed.has(t), `${t} at the gateway is unaccounted for`);
    }
  }
  return accepted;
}
