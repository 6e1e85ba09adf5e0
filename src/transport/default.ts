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
 * The transport for the running runtime.
 *
 * @returns a `DenoTlsTransport` on Deno, else a transport that loads
 * `NodeTlsTransport` on its first `connect`
 */
export function defaultTransport(): Transport {
  const deno = (globalThis as { Deno?: { connectTls?: unknown } }).Deno;
  return typeof deno?.connectTls === "function"
    ? new DenoTlsTransport()
    : new LazyNodeTlsTransport();
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
