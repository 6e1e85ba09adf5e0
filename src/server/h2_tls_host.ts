/**
 * The `node:tls` server of the mock HTTP/2 gateway: {@linkcode TlsHost}'s
 * twin with ALPN `h2` (clients that do not select `h2` are refused), client
 * certificates optional, and a per-connection hook that says goodbye (GOAWAY)
 * before `close()` ends the connection. Private to `src/server`.
 *
 * @module
 */

import type { Socket } from "node:net";
import * as tls from "node:tls";
import type { ListenAddress, MockTlsOptions, Timer } from "./_tls_host.ts";

/** A live connection as the host sees it. */
export interface H2HostedConnection {
  /** Called by `close()`: send GOAWAY and end the socket. */
  shutdown(): void;
}

/** A tracked `node:tls` server speaking only h2. */
export class H2TlsHost {
  readonly #server: tls.Server;
  readonly #hostname: string;
  readonly #port: number;
  readonly #lingerMs: number;
  readonly #raw = new Set<Socket>();
  readonly #secure = new Map<tls.TLSSocket, H2HostedConnection | null>();
  readonly #draining = new WeakSet<tls.TLSSocket>();
  #address: ListenAddress | undefined;
  #closing: Promise<void> | undefined;
  #tlsErrors = 0;
  #refused = 0;

  /**
   * Creates the server (not yet listening).
   *
   * @param options TLS and address options
   * @param clientCerts `"require"`: a client certificate that chains to
   *   `ca` is required for the handshake; `"ask"`: asked for, optional, and
   *   not verified by the handshake (see `socket.authorized`); `"none"`:
   *   not asked for
   * @param onSecure called for every h2 connection whose handshake succeeded
   * @throws {TypeError} for missing certificates or a missing `ca`
   * @throws {RangeError} for a bad port
   */
  constructor(
    options: MockTlsOptions,
    clientCerts: "require" | "ask" | "none",
    onSecure: (socket: tls.TLSSocket) => H2HostedConnection,
  ) {
    if (typeof options?.cert !== "string" || typeof options.key !== "string") {
      throw new TypeError("cert and key must be PEM strings");
    }
    const requestCert = clientCerts !== "none";
    if (requestCert && options.ca === undefined) {
      throw new TypeError("ca is required to verify client certificates");
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
      rejectUnauthorized: clientCerts === "require",
      ALPNProtocols: ["h2"],
    }, (socket: tls.TLSSocket) => {
      this.#secure.set(socket, null);
      socket.on("close", () => this.#secure.delete(socket));
      socket.on("error", () => {});
      socket.setNoDelay(true);
      // APNs speaks only h2: a client that did not select it by ALPN gets
      // nothing (RFC 9113 §3.2: h2 over TLS is negotiated with ALPN).
      if (this.#closing !== undefined || socket.alpnProtocol !== "h2") {
        if (socket.alpnProtocol !== "h2") this.#refused++;
        socket.destroy();
        return;
      }
      this.#secure.set(socket, onSecure(socket));
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

  /** Connections refused because the client did not select h2. */
  get refusedAlpn(): number {
    return this.#refused;
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
   * Ends the socket and keeps reading and discarding input until the peer
   * closes or `lingerMs` passes, then destroys it (ending without draining
   * would let the kernel answer unread input with RST, which can destroy
   * the bytes just written).
   *
   * @param socket the connection
   */
  endAndDrain(socket: tls.TLSSocket): void {
    if (
      !this.#secure.has(socket) || socket.destroyed ||
      this.#draining.has(socket)
    ) {
      return;
    }
    this.#draining.add(socket);
    socket.removeAllListeners("data");
    socket.on("data", () => {});
    socket.end();
    socket.resume();
    const timer: Timer = setTimeout(() => socket.destroy(), this.#lingerMs);
    socket.once("close", () => clearTimeout(timer));
  }

  /**
   * Stops listening, says goodbye on every connection (GOAWAY, end) and
   * destroys those still open after a short grace period. Idempotent.
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
      for (const [socket, conn] of this.#secure) {
        if (conn !== null) conn.shutdown();
        else socket.end();
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
