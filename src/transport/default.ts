/**
 * Picks the transport for the running runtime without loading the other
 * one: `Deno.connectTls` on Deno, `node:tls` elsewhere (Node, Bun). The Node
 * transport is imported on first use, so Deno never loads `node:tls` and
 * evaluating this module has no side effects anywhere.
 *
 * @module
 */

import { DenoTlsTransport } from "./deno_tls.ts";
import type { Connection, ConnectOptions, Transport } from "./types.ts";

/**
 * The transport for the running runtime, picked by measurement.
 *
 * On Deno: connections without a client certificate (HTTP/2 token auth) use
 * `DenoTlsTransport` (TCP_NODELAY through `Deno.startTls`); connections with
 * one use `node:tls`, the only way on Deno to combine a client certificate
 * with TCP_NODELAY. `Deno.connectTls` leaves Nagle's algorithm on, and the
 * last small write of every burst then waits about 40 ms for the peer's
 * delayed ACK (8x fewer notifications/s in `bench/compare_binary.ts`).
 * Elsewhere (Node, Bun): `node:tls`.
 *
 * @returns the transport
 */
export function defaultTransport(): Transport {
  const deno = (globalThis as { Deno?: { connectTls?: unknown } }).Deno;
  return typeof deno?.connectTls === "function"
    ? new DenoAutoTransport()
    : new LazyNodeTlsTransport();
}

/** Deno: `node:tls` for client certificates, `Deno.startTls` otherwise. */
class DenoAutoTransport implements Transport {
  readonly name = "deno-auto";
  readonly #deno = new DenoTlsTransport();
  readonly #node = new LazyNodeTlsTransport();

  connect(options: ConnectOptions): Promise<Connection> {
    return options.certificate
      ? this.#node.connect(options)
      : this.#deno.connect(options);
  }
}

/** Imports `./node_tls.ts` on the first connection attempt. */
class LazyNodeTlsTransport implements Transport {
  readonly name = "node-tls";
  #transport: Promise<Transport> | undefined;

  async connect(options: ConnectOptions): Promise<Connection> {
    this.#transport ??= import("./node_tls.ts").then((module) =>
      new module.NodeTlsTransport()
    );
    return (await this.#transport).connect(options);
  }
}
