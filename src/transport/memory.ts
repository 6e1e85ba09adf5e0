/**
 * An in-memory {@linkcode Connection} pair: what one side writes, the other
 * reads. For tests of protocol logic without sockets (no permissions).
 *
 * @module
 */

import type { Connection, Transport } from "./types.ts";

class MemoryConnection implements Connection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly alpnProtocol: string | null;
  readonly closed: Promise<void>;
  #inbound!: ReadableStreamDefaultController<Uint8Array>;
  #peer!: MemoryConnection;
  #readOpen = true;
  #writeOpen = true;
  #markClosed!: () => void;

  constructor(alpn: string | null) {
    this.alpnProtocol = alpn;
    this.closed = new Promise((resolve) => this.#markClosed = resolve);
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#inbound = controller;
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (!this.#writeOpen) throw new Error("connection closed");
        this.#peer.#deliver(chunk.slice());
      },
      close: () => this.close(),
    });
  }

  static pair(alpn: string | null): [MemoryConnection, MemoryConnection] {
    const a = new MemoryConnection(alpn);
    const b = new MemoryConnection(alpn);
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  #deliver(chunk: Uint8Array): void {
    if (this.#readOpen) this.#inbound.enqueue(chunk);
  }

  #endRead(error?: Error): void {
    if (!this.#readOpen) return;
    this.#readOpen = false;
    try {
      if (error) this.#inbound.error(error);
      else this.#inbound.close();
    } catch {
      // the reader already cancelled
    }
    this.#settle();
  }

  #settle(): void {
    if (!this.#readOpen && !this.#writeOpen) this.#markClosed();
  }

  closeWrite(): Promise<void> {
    if (this.#writeOpen) {
      this.#writeOpen = false;
      this.#peer.#endRead();
      this.#settle();
    }
    return Promise.resolve();
  }

  close(): void {
    void this.closeWrite();
    this.#endRead();
  }

  /** Ends both directions with an error on the peer's reads (a reset). */
  reset(error: Error): void {
    this.#writeOpen = false;
    this.#peer.#endRead(error);
    this.#peer.#writeOpen = false;
    this.#peer.#settle();
    this.#endRead();
  }
}

/** Both ends of an in-memory connection; `reset` simulates a broken socket. */
export interface MemoryPair {
  /** The client's end. */
  readonly client: Connection;
  /** The server's end. */
  readonly server: Connection;
  /** Breaks the connection: the client's reads fail with `error`. */
  reset(error: Error): void;
}

/**
 * Makes a connected in-memory pair.
 *
 * @param alpn the ALPN protocol both ends report
 * @returns the pair
 */
export function memoryPair(alpn: string | null = null): MemoryPair {
  const [client, server] = MemoryConnection.pair(alpn);
  return { client, server, reset: (error) => server.reset(error) };
}

/**
 * A transport whose every connection is handed to `accept` as the server
 * end of a fresh in-memory pair.
 *
 * @param accept called with the server end of each new connection
 * @returns the transport
 */
export function memoryTransport(
  accept: (server: Connection, pair: MemoryPair) => void,
): Transport {
  return {
    name: "memory",
    connect(options) {
      if (options.signal?.aborted) return Promise.reject(options.signal.reason);
      const pair = memoryPair(options.alpnProtocols?.[0] ?? null);
      accept(pair.server, pair);
      return Promise.resolve(pair.client);
    },
  };
}
