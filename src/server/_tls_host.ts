/**
 * Shared plumbing of the mock servers: a `node:tls` server (Deno's own TLS
 * server cannot require client certificates) with socket tracking, a
 * bounded graceful close and an "end, then drain until the peer closes"
 * helper. Private to `src/server`.
 *
 * @module
 */

import type { Socket } from "node:net";
import * as tls from "node:tls";

/** TLS and listening options shared by the mock servers. */
export interface MockTlsOptions {
  /** PEM server certificate chain. */
  readonly cert: string;
  /** PEM server private key (unencrypted). */
  readonly key: string;
  /** PEM CA certificate(s) that client certificates must chain to (required when `requestCert`). */
  readonly ca?: string | readonly string[];
  /** Address to bind; default `"127.0.0.1"`. */
  readonly hostname?: string;
  /** Port to bind; default 0 (ephemeral). */
  readonly port?: number;
  /**
   * Require a client certificate and verify it against `ca` (default
   * `true`). Clients without one, or with one that does not chain to `ca`,
   * fail the handshake.
   */
  readonly requestCert?: boolean;
  /**
   * How long a socket may stay open, draining input, after the server ended
   * it while the peer keeps it open, in milliseconds (default 2000).
   * `close()` destroys sockets still open after `min(lingerMs, 250)` ms.
   */
  readonly lingerMs?: number;
}

/** Where a mock server listens. */
export interface ListenAddress {
  /** Bound address. */
  readonly hostname: string;
  /** Bound port. */
  readonly port: number;
}

/** A timer handle from either the web or the Node typing of `setTimeout`. */
export type Timer = ReturnType<typeof setTimeout>;

/** Per-socket bookkeeping kept by {@linkcode TlsHost}. */
interface Tracked {
  timer: Timer | undefined;
}

/** A tracked `node:tls` server. */
export class TlsHost {
  readonly #server: tls.Server;
  readonly #hostname: string;
  readonly #port: number;
  readonly #lingerMs: number;
  readonly #raw = new Set<Socket>();
  readonly #secure = new Map<tls.TLSSocket, Tracked>();
  #address: ListenAddress | undefined;
  #closing: Promise<void> | undefined;
  #tlsErrors = 0;

  /**
   * Creates the server (not yet listening).
   *
   * @param options TLS and address options
   * @param onSecure called for every connection whose handshake succeeded
   */
  constructor(
    options: MockTlsOptions,
    onSecure: (socket: tls.TLSSocket) => void,
  ) {
    if (typeof options?.cert !== "string" || typeof options.key !== "string") {
      throw new TypeError("cert and key must be PEM strings");
    }
    const requestCert = options.requestCert ?? true;
    if (requestCert && options.ca === undefined) {
      throw new TypeError("ca is required when requestCert is true");
    }
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`port must be 0-65535, got ${port}`);
    }
    this.#hostname = options.hostname ?? "127.0.0.1";
    this.#port = port;
    this.#lingerMs = options.lingerMs ?? 2000;
    const ca = options.ca === undefined
      ? undefined
      : typeof options.ca === "string"
      ? [options.ca]
      : [...options.ca];
    this.#server = tls.createServer({
      cert: options.cert,
      key: options.key,
      ca,
      requestCert,
      rejectUnauthorized: requestCert,
    }, (socket: tls.TLSSocket) => {
      this.#secure.set(socket, { timer: undefined });
      socket.on("close", () => {
        const tracked = this.#secure.get(socket);
        if (tracked?.timer !== undefined) clearTimeout(tracked.timer);
        this.#secure.delete(socket);
      });
      // Errors (ECONNRESET and the like) end the socket; nothing to report.
      socket.on("error", () => {});
      if (this.#closing !== undefined) {
        socket.destroy();
        return;
      }
      onSecure(socket);
    });
    this.#server.on("connection", (raw: Socket) => {
      this.#raw.add(raw);
      raw.on("close", () => this.#raw.delete(raw));
      raw.on("error", () => {});
    });
    this.#server.on("tlsClientError", () => {
      this.#tlsErrors++;
    });
  }

  /** Handshakes that failed (e.g. rejected client certificates). */
  get tlsErrors(): number {
    return this.#tlsErrors;
  }

  /** Open TLS connections. */
  get connections(): number {
    return this.#secure.size;
  }

  /**
   * Starts listening.
   *
   * @returns the bound address
   */
  listen(): Promise<ListenAddress> {
    if (this.#address !== undefined) return Promise.resolve(this.#address);
    if (this.#closing !== undefined) {
      return Promise.reject(new Error("server is closed"));
    }
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once("error", onError);
      this.#server.listen(this.#port, this.#hostname, () => {
        this.#server.off("error", onError);
        const a = this.#server.address();
        const port = typeof a === "object" && a !== null ? a.port : this.#port;
        this.#address = { hostname: this.#hostname, port };
        resolve(this.#address);
      });
    });
  }

  /** The bound address, once listening. */
  get address(): ListenAddress | undefined {
    return this.#address;
  }

  /**
   * Ends the socket (after writing `last`, if given) and keeps reading and
   * discarding input until the peer closes or `lingerMs` passes, then
   * destroys it. Ending without draining would let the kernel answer
   * unread input with RST, which can destroy the bytes just written.
   *
   * @param socket the connection
   * @param last bytes to write before ending
   */
  endAndDrain(socket: tls.TLSSocket, last?: Uint8Array): void {
    const tracked = this.#secure.get(socket);
    if (tracked === undefined || socket.destroyed) return;
    socket.removeAllListeners("data");
    socket.on("data", () => {});
    if (last !== undefined) socket.write(last);
    socket.end();
    socket.resume();
    if (tracked.timer === undefined) {
      tracked.timer = setTimeout(() => {
        tracked.timer = undefined;
        socket.destroy();
      }, this.#lingerMs);
    }
  }

  /**
   * Stops listening, ends every connection and destroys those still open
   * after a short grace period. Idempotent.
   *
   * @returns settles once every socket is closed
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      let timer: Timer | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      if (this.#address === undefined) {
        done();
        return;
      }
      this.#server.close(() => done());
      for (const [socket, tracked] of this.#secure) {
        if (tracked.timer !== undefined) clearTimeout(tracked.timer);
        tracked.timer = undefined;
        socket.end();
      }
      timer = setTimeout(() => {
        timer = undefined;
        for (const socket of this.#secure.keys()) socket.destroy();
        for (const raw of this.#raw) raw.destroy();
      }, Math.min(this.#lingerMs, 250));
    });
    return this.#closing;
  }
}
