// Shared helpers of the integration tests: fixtures, a started mock gateway,
// token factories, time bounds and the one invariant every send must keep.

import assert from "node:assert/strict";
import type { Result } from "../../mod.ts";
import {
  MockBinaryGateway,
  type MockBinaryGatewayOptions,
} from "../../src/server/mod.ts";
import type {
  Connection,
  ConnectOptions,
  Transport,
} from "../../src/transport/types.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** Reads a file of `tests/fixtures/`. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** TLS options for the mock servers (server certificate, trusted client CA). */
export const SERVER_TLS = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};

/** Credentials of a client certificate signed by the trusted CA. */
export function credentials(
  who: "client" | "client2" | "rogue" = "client",
): { certString: string; keyString: string; caCerts: string } {
  return {
    certString: fixture(`${who}.crt`),
    keyString: fixture(`${who}.key`),
    caCerts: fixture("ca.crt"),
  };
}

/** Options of {@linkcode startGateway}: the gateway's, without TLS. */
export type GatewayOptions = Omit<
  MockBinaryGatewayOptions,
  "cert" | "key" | "ca"
>;

/** A listening gateway, its address, and disposal for `await using`. */
export interface StartedGateway extends AsyncDisposable {
  /** The mock gateway. */
  readonly gateway: MockBinaryGateway;
  /** Where it listens, as a `[hostname, port]` tuple. */
  readonly address: [string, number];
  /** Tokens of its accepted notifications, in order. */
  tokens(filter?: (payload: unknown) => boolean): string[];
}

/** Starts a mock gateway on 127.0.0.1 and an ephemeral port. */
export async function startGateway(
  options: GatewayOptions = {},
): Promise<StartedGateway> {
  const gateway = new MockBinaryGateway({ ...SERVER_TLS, ...options });
  const { hostname, port } = await gateway.listen();
  return {
    gateway,
    address: [hostname, port],
    tokens: (filter) =>
      gateway.accepted
        .filter((n) => !filter || filter(n.payload))
        .map((n) => n.token),
    [Symbol.asyncDispose]: () => gateway.close(),
  };
}

/**
 * `count` distinct 32-byte tokens (lower-case hex); `tag` (0-255) keeps
 * the tokens of different messages apart.
 */
export function makeTokens(count: number, tag = 0): string[] {
  const out: string[] = [];
  const prefix = tag.toString(16).padStart(2, "0");
  for (let i = 0; i < count; i++) {
    out.push((prefix + i.toString(16).padStart(6, "0")).repeat(8));
  }
  return out;
}

/** A port nothing listens on (bound, then released). */
export function refusedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
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

/** Waits until `cond` holds, polling; fails after `ms`. */
export async function until(
  cond: () => boolean,
  ms = 3000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The `aps.alert` of a recorded payload (messages are told apart by it). */
export function alertOf(payload: unknown): unknown {
  return (payload as { aps?: { alert?: unknown } } | null)?.aps?.alert;
}

/** Sorted copy. */
function sorted(list: Iterable<string>): string[] {
  return [...list].sort();
}

/**
 * The contract of every send: each token given ends up exactly once as
 * accepted, failed or in `retry()`, and the tokens the gateway accepted are
 * exactly those counted as accepted (each once).
 *
 * @param result the send's result
 * @param tokens the tokens given to `send` (distinct)
 * @param atGateway the gateway's accepted tokens for this message
 * @param options `unproven`: the retry tokens may have reached the gateway
 *   (a connection dropped after they were written), at most once each
 * @returns the tokens counted as accepted (lower-case)
 */
export function checkInvariant(
  result: Result,
  tokens: readonly string[],
  atGateway: readonly string[],
  options: { unproven?: boolean } = {},
): string[] {
  const lower = tokens.map((t) => t.toLowerCase());
  assert.equal(new Set(lower).size, lower.length, "test tokens are distinct");
  const retryTokens = [...result.retryTokens];
  assert.equal(
    result.accepted + result.failed.size + retryTokens.length,
    tokens.length,
    `accepted ${result.accepted} + failed ${result.failed.size} + retry ` +
      `${retryTokens.length} must equal ${tokens.length} tokens`,
  );
  const given = new Set(tokens);
  for (const token of result.failed.keys()) {
    assert.ok(given.has(token), `failed token ${token} was not sent`);
  }
  const retrySet = new Set(retryTokens);
  assert.equal(retrySet.size, retryTokens.length, "retry tokens are distinct");
  for (const token of retryTokens) {
    assert.ok(given.has(token), `retry token ${token} was not sent`);
    assert.ok(!result.failed.has(token), `${token} is failed and in retry`);
  }
  // retry() is the message again, for exactly those tokens, in send order.
  const again = result.retry();
  if (retryTokens.length === 0) assert.equal(again, null);
  else {
    assert.deepEqual([...again!.tokens], retryTokens);
    assert.equal(again!.payloadJson, result.message.payloadJson);
    const order = tokens.filter((t) => retrySet.has(t));
    assert.deepEqual(retryTokens, order, "retry tokens in send order");
  }
  const accepted = tokens
    .filter((t) => !result.failed.has(t) && !retrySet.has(t))
    .map((t) => t.toLowerCase());
  assert.equal(accepted.length, result.accepted);
  const seen = sorted(atGateway);
  assert.equal(
    new Set(seen).size,
    seen.length,
    "no token reached the gateway twice",
  );
  if (!options.unproven) {
    assert.deepEqual(
      seen,
      sorted(accepted),
      "the gateway accepted exactly the tokens counted as accepted",
    );
  } else {
    const seenSet = new Set(seen);
    for (const token of accepted) {
      assert.ok(seenSet.has(token), `accepted ${token} never reached gateway`);
    }
    const allowed = new Set([
      ...accepted,
      ...retryTokens.map((t) => t.toLowerCase()),
    ]);
    for (const token of seen) {
      assert.ok(allowed.has(token), `${token} at the gateway is unaccounted`);
    }
  }
  return accepted;
}

/** A transport that counts the connections it opened and that are still open. */
export class CountingTransport implements Transport {
  readonly name: string;
  readonly #inner: Transport;
  /** Connections opened. */
  opened = 0;
  /** Connections not yet fully closed. */
  open = 0;
  readonly #closed: Promise<void>[] = [];

  constructor(inner: Transport) {
    this.#inner = inner;
    this.name = `counting(${inner.name})`;
  }

  async connect(options: ConnectOptions): Promise<Connection> {
    const conn = await this.#inner.connect(options);
    this.opened++;
    this.open++;
    this.#closed.push(conn.closed.then(() => void this.open--));
    return conn;
  }

  /** Settles when every connection opened so far is closed. */
  async allClosed(): Promise<void> {
    await Promise.all(this.#closed);
  }
}
