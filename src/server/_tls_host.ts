/**
 * Shared plumbing of the mock servers: a `node:tls` server (Deno's own TLS
 * server cannot require client certificates) with socket tracking, optional
 * ALPN `h2` (clients that do not select it are refused), a bounded graceful
 * close that lets each connection say goodbye first, and an "end, then
 * drain until the peer closes" helper. Private to `src/server`.
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

/**
 * How a host treats client certificates: `"require"`: one that chains to
 * `ca` is required for the handshake; `"ask"`: asked for, optional, and not
 * verified by the handshake (see `socket.authorized`); `"none"`: not asked
 * for.
 */
export type ClientCertificateMode = "require" | "ask" | "none";

/** What a host needs beyond {@linkcode MockTlsOptions}. */
export interface TlsHostProfile {
  /** Client certificates; default: `"require"`, or `"none"` with `requestCert: false`. */
  readonly clientCerts?: ClientCertificateMode;
  /** Speak only h2: offer it by ALPN and refuse clients that do not select it. */
  readonly h2?: boolean;
}

/** A live connection as the host sees it. */
export interface HostedConnection {
  /** Called by `close()` instead of ending the socket: say goodbye, then end it. */
  shutdown(): void;
}

/** Per-socket bookkeeping kept by {@linkcode TlsHost}. */
interface Tracked {
  timer: Timer | undefined;
  draining: boolean;
  hosted: HostedConnection | undefined;
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
  #refused = 0;

  /**
   * Creates the server (not yet listening).
   *
   * @param options TLS and address options
   * @param onSecure called for every connection whose handshake succeeded
   *   (and that selected h2, with `profile.h2`); may return a hook for
   *   `close()`
   * @param profile client certificates and ALPN
   * @throws {TypeError} for missing certificates or a missing `ca`
   * @throws {RangeError} for a bad port
   */
  constructor(
    options: MockTlsOptions,
    onSecure: (socket: tls.TLSSocket) => HostedConnection | void,
    profile: TlsHostProfile = {},
  ) {
    if (typeof options?.cert !== "string" || typeof options.key !== "string") {
      throw new TypeError("cert and key must be PEM strings");
    }
    const clientCerts = profile.clientCerts ??
      (options.requestCert ?? true ? "require" : "none");
    if (clientCerts !== "none" && options.ca === undefined) {
      throw new TypeError(
        profile.clientCerts === undefined
          ? "ca is required when requestCert is true"
          : "ca is required to verify client certificates",
      );
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
    const h2 = profile.h2 === true;
    this.#server = tls.createServer({
      cert: options.cert,
      key: options.key,
      ca,
      requestCert: clientCerts !== "none",
      rejectUnauthorized: clientCerts === "require",
      ...(h2 ? { ALPNProtocols: ["h2"] } : {}),
    }, (socket: tls.TLSSocket) => {
      const tracked: Tracked = {
        timer: undefined,
        draining: false,
        hosted: undefined,
      };
      this.#secure.set(socket, tracked);
      socket.on("close", () => {
        if (tracked.timer !== undefined) clearTimeout(tracked.timer);
        this.#secure.delete(socket);
      });
      // Errors (ECONNRESET and the like) end the socket; nothing to report.
      socket.on("error", () => {});
      // APNs speaks only h2: a client that did not select it by ALPN gets
      // nothing (RFC 9113 §3.2: h2 over TLS is negotiated with ALPN).
      if (h2 && socket.alpnProtocol !== "h2") {
        this.#refused++;
        socket.destroy();
        return;
      }
      if (this.#closing !== undefined) {
        socket.destroy();
        return;
      }
      tracked.hosted = onSecure(socket) ?? undefined;
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
   * Ends the socket (after writing `last`, if given) and keeps reading and
   * discarding input until the peer closes or `lingerMs` passes, then
   * destroys it. Ending without draining would let the kernel answer
   * unread input with RST, which can destroy the bytes just written. Once
   * per socket; later calls do nothing.
   *
   * @param socket the connection
   * @param last bytes to write before ending
   */
  endAndDrain(socket: tls.TLSSocket, last?: Uint8Array): void {
    const tracked = this.#secure.get(socket);
    if (tracked === undefined || socket.destroyed || tracked.draining) return;
    tracked.draining = true;
    socket.removeAllListeners("data");
    socket.on("data", () => {});
    if (last !== undefined) socket.write(last);
    socket.end();
    socket.resume();
    tracked.timer = setTimeout(() => {
      tracked.timer = undefined;
      socket.destroy();
    }, this.#lingerMs);
  }

  /**
   * Stops listening, ends every connection (through its
   * {@linkcode HostedConnection} hook, if it has one) and destroys those
   * still open after a short grace period. Idempotent.
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
        if (tracked.hosted !== undefined) tracked.hosted.shutdown();
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
