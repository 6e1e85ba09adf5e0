/**
 * {@linkcode Session}: a pool of persistent, lazily opened connections keyed
 * by address and the SHA-1 digest of the client certificate.
 *
 * @module
 */

import {
  type Address,
  resolveAddress,
  type ResolvedAddress,
} from "./address.ts";
import {
  type CertificateOptions,
  loadCertificate,
  type LoadedCertificate,
} from "./auth/certificate.ts";
import { certificateDigestOfText } from "./auth/text_digest.ts";
import { ProviderToken } from "./auth/provider_token.ts";
import { BinaryDispatcher } from "./binary/binary_dispatcher.ts";
import type { BinaryCommand } from "./binary/notification_encoder.ts";
import { CertificateError, TimeoutError } from "./errors.ts";
import { sessionLog as log } from "./log.ts";
import { Http2Dispatcher } from "./provider/http2_dispatcher.ts";
import type { Connection, Transport } from "./transport/types.ts";

/** Settings of a {@linkcode Session}; all optional. Times in milliseconds. */
export interface SessionOptions {
  /** Time allowed to open a connection and finish TLS. Default 10000. */
  connectTimeout?: number;
  /**
   * Bytes per socket write. Default 65536 (the seed used 2048; larger
   * chunks mean fewer writes and the same error handling).
   */
  writeBufferSize?: number;
  /** Time allowed for one write. Default 20000. */
  writeTimeout?: number;
  /**
   * Most bytes taken from the socket per read (feedback, error responses,
   * HTTP/2 frames). Default 65536 (the seed read 2048 at a time).
   */
  readBufferSize?: number;
  /** Time allowed to wait for the next feedback bytes. Default 20000. */
  readTimeout?: number;
  /**
   * Time to wait for a late error response after the last write, when the
   * gateway does not answer the end-of-burst probe. Default 3000.
   */
  readTailTimeout?: number;
  /** Back-end that opens connections. Default: `Deno.connectTls` on Deno, `node:tls` elsewhere. */
  transport?: Transport;
  /** Binary notification format: 2 (frame, default), 1 (enhanced) or 0 (simple). */
  command?: BinaryCommand;
  /**
   * Prove acceptance with an end-of-burst probe (a notification with an
   * empty token, answered with status 2) instead of waiting
   * `readTailTimeout`. Costs a reconnect per burst. Default true.
   */
  probe?: boolean;
  /** Resend rounds in a row without progress before tokens go to `retry()`. Default 3. */
  retryLimit?: number;
  /**
   * Milliseconds to watch a pool entry's first connection after the TLS
   * handshake before writing: TLS 1.3 servers reject a client certificate
   * only after the handshake, so this turns a rejection into a clear
   * `TlsError` instead of a lost connection. 0 disables. Default 100.
   */
  handshakeGrace?: number;
  /** HTTP/2: most connections per pool entry. Default 2. */
  maxConnections?: number;
  /** HTTP/2: time allowed for one request's answer. Default 30000. */
  requestTimeout?: number;
  /** HTTP/2: idle time before a keep-alive PING (0: none). Default 60000. */
  pingInterval?: number;
  /** HTTP/2: time allowed for a PING's answer before the connection is dropped. Default 10000. */
  pingTimeout?: number;
}

/** Token-based authentication (HTTP/2): the key from the developer account. */
export interface TokenCredentials {
  /** The key id (10 characters). */
  keyId: string;
  /** The team id (10 characters). */
  teamId: string;
  /** The `.p8` file's content (PKCS#8 PEM, P-256). */
  signingKey: string;
  /** Token age in ms before it is replaced; within [20, 60) minutes. Default 50 minutes. */
  refreshAfter?: number;
}

/**
 * Credentials for a connection: a client certificate (PEM strings or
 * files), or, for HTTP/2, a provider token key. Either may add `caCerts`.
 */
export interface Credentials extends CertificateOptions {
  /** Path of the PEM certificate (or combined certificate and key), instead of `certString`. */
  certFile?: string;
  /** Path of the PEM key, instead of `keyString`. */
  keyFile?: string;
  /** Token-based authentication (HTTP/2 only), instead of a certificate. */
  token?: TokenCredentials;
}

/** A pool entry: the live state shared by equal address + credential pairs. */
class PoolEntry {
  readonly key: string;
  readonly address: ResolvedAddress;
  /** Binary protocol engine (binary and feedback addresses). */
  readonly binary: BinaryDispatcher | null;
  /** HTTP/2 provider API engine (h2 addresses). */
  readonly http2: Http2Dispatcher | null;
  readonly #open: () => Promise<Connection>;
  feedbackActive = 0;
  /** Set once the session dropped this entry; handles then look up anew. */
  retired = false;
  /** Milliseconds to wait for the next feedback bytes. */
  readonly readTimeout: number;
  #lastUsed = Date.now();

  constructor(
    key: string,
    address: ResolvedAddress,
    open: () => Promise<Connection>,
    options: SessionOptions,
    http2: { token?: ProviderToken; defaultTopic?: string } | null,
  ) {
    this.key = key;
    this.address = address;
    this.#open = open;
    this.readTimeout = options.readTimeout ?? 20_000;
    const label = `${address.hostname}:${address.port}`;
    if (http2) {
      this.binary = null;
      this.http2 = new Http2Dispatcher({
        open,
        authority: address.hostname,
        token: http2.token,
        defaultTopic: http2.defaultTopic,
        clientCertificate: http2.token === undefined,
        maxConnections: options.maxConnections,
        retryLimit: options.retryLimit,
        connection: {
          requestTimeout: options.requestTimeout,
          pingInterval: options.pingInterval,
          pingTimeout: options.pingTimeout,
        },
      });
    } else {
      this.http2 = null;
      this.binary = new BinaryDispatcher({
        open,
        label,
        command: options.command,
        writeBufferSize: options.writeBufferSize,
        writeTimeout: options.writeTimeout,
        readTailTimeout: options.readTailTimeout,
        probe: options.probe,
        retryLimit: options.retryLimit,
        handshakeGrace: options.handshakeGrace,
      });
    }
  }

  get busy(): boolean {
    return (this.binary?.busy ?? false) || (this.http2?.busy ?? false) ||
      this.feedbackActive > 0;
  }

  get lastUsed(): number {
    return Math.max(
      this.#lastUsed,
      this.binary?.lastUsed ?? 0,
      this.http2?.lastUsed ?? 0,
    );
  }

  touch(): void {
    this.#lastUsed = Date.now();
  }

  openRaw(): Promise<Connection> {
    this.touch();
    return this.#open();
  }

  async whenIdle(): Promise<void> {
    while (this.busy) {
      await this.binary?.whenIdle();
      await this.http2?.whenIdle();
      if (this.feedbackActive > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.retired = true;
    this.binary?.close();
    void this.http2?.close();
  }
}

/**
 * A connection handle from {@linkcode Session.getConnection} or
 * {@linkcode Session.newConnection}: lazy, it opens a socket on first use.
 * Pass it to `new APNs(connection)`.
 */
export class SessionConnection {
  /** The address this handle talks to. */
  readonly address: ResolvedAddress;
  /** Whether the connection is shared through the session's pool. */
  readonly cached: boolean;
  readonly #session: Session;
  readonly #credentials: Credentials;
  #entry: Promise<PoolEntry> | undefined;
  #current: PoolEntry | undefined;

  /** @internal Use {@linkcode Session.getConnection}. */
  constructor(
    session: Session,
    address: ResolvedAddress,
    credentials: Credentials,
    cached: boolean,
  ) {
    this.#session = session;
    this.address = address;
    this.#credentials = credentials;
    this.cached = cached;
  }

  /**
   * The pool entry behind this handle (loads the certificate on first use).
   *
   * @internal
   * @returns the entry
   */
  entry(): Promise<PoolEntry> {
    if (this.#current?.retired) {
      // outdate()/shutdown() dropped it: come back under the session's care.
      this.#entry = this.#current = undefined;
    }
    if (!this.#entry) {
      this.#entry = this.#session._entryFor(
        this.address,
        this.#credentials,
        this.cached,
      ).then((entry) => this.#current = entry);
      // A failure (bad certificate) is reported to every caller, and the
      // next use tries again.
      this.#entry.catch(() => this.#entry = undefined);
    }
    return this.#entry;
  }

  /**
   * Ends one use of an uncached connection: closes it once idle.
   *
   * @internal
   */
  async release(entry: PoolEntry): Promise<void> {
    if (this.cached) return;
    await entry.whenIdle();
    if (!entry.retired) this.#session._forget(entry);
  }
}

async function readCredentials(
  credentials: Credentials,
): Promise<CertificateOptions> {
  const { certFile, keyFile, ...rest } = credentials;
  if (certFile === undefined && keyFile === undefined) return rest;
  const { readTextFile } = await import("./runtime/read_text_file.ts");
  const read = async (path: string, what: string) => {
    try {
      return await readTextFile(path);
    } catch (cause) {
      throw new CertificateError(
        `cannot read the ${what} file ${path}: ${
          (cause as Error)?.message ?? cause
        }`,
        { cause },
      );
    }
  };
  return {
    ...rest,
    certString: certFile !== undefined
      ? await read(certFile, "certificate")
      : rest.certString,
    keyString: keyFile !== undefined
      ? await read(keyFile, "key")
      : rest.keyString,
  };
}

let defaultTransportPromise: Promise<Transport> | undefined;

/**
 * The front-end of the connection pool.
 *
 * @example
 * ```ts ignore
 * import { APNs, Message, Session } from "jsr:@apns/client";
 * await using session = new Session();
 * const con = session.getConnection("push_sandbox", { certString, keyString });
 * const result = await new APNs(con).send(new Message(tokens, { alert: "Hi" }));
 * ```
 */
export class Session {
  readonly #options: SessionOptions;
  readonly #pool = new Map<string, PoolEntry>();
  readonly #uncached = new Set<PoolEntry>();
  readonly #tokens = new Map<string, ProviderToken>();
  readonly #connectTimeout: number;

  /**
   * Creates a session; connections open lazily on first use.
   *
   * @param options timeouts, buffer sizes, transport and protocol settings
   */
  constructor(options: SessionOptions = {}) {
    this.#options = { ...options };
    this.#connectTimeout = options.connectTimeout ?? 10_000;
    for (
      const key of [
        "connectTimeout",
        "writeTimeout",
        "readTimeout",
        "readTailTimeout",
      ] as const
    ) {
      const value = options[key];
      if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
        throw new RangeError(
          `${key} must be a positive number of milliseconds`,
        );
      }
    }
  }

  /** The session's settings. */
  get options(): Readonly<SessionOptions> {
    return this.#options;
  }

  /** Number of pooled (cached) connection entries. */
  get size(): number {
    return this.#pool.size;
  }

  /**
   * A cached, lazy connection: equal address and certificate share one
   * persistent connection; the socket opens on first use.
   *
   * @param address `push_sandbox`, `push_production`, `feedback_sandbox`,
   *   `feedback_production`, or `[hostname, port]`
   * @param credentials certificate and key (strings or files), passphrase, caCerts
   * @returns a connection handle for `new APNs(...)`
   * @throws {AddressError} for an unknown address
   * @throws {CertificateError} when no certificate is given
   */
  getConnection(
    address: Address = "push_sandbox",
    credentials?: Credentials,
  ): SessionConnection {
    return this.#handle(address, credentials, true);
  }

  /**
   * A new connection that is not cached: it closes after each use.
   * Suits feedback and one-off sends.
   *
   * @param address as for {@linkcode Session.getConnection}
   * @param credentials as for {@linkcode Session.getConnection}
   * @returns a connection handle
   */
  newConnection(
    address: Address = "feedback_sandbox",
    credentials?: Credentials,
  ): SessionConnection {
    return this.#handle(address, credentials, false);
  }

  #handle(
    address: Address,
    credentials: Credentials | undefined,
    cached: boolean,
  ): SessionConnection {
    const resolved = resolveAddress(address);
    const hasCertificate = credentials !== undefined &&
      (credentials.certString !== undefined ||
        credentials.certFile !== undefined);
    if (credentials?.token !== undefined) {
      if (resolved.protocol !== "h2") {
        throw new CertificateError(
          "token authentication is for the HTTP/2 API (api_sandbox, " +
            "api_production); the binary protocol needs a client certificate",
        );
      }
      const { keyId, teamId, signingKey } = credentials.token;
      for (
        const [name, value] of [
          ["keyId", keyId],
          ["teamId", teamId],
          ["signingKey", signingKey],
        ]
      ) {
        if (typeof value !== "string" || value === "") {
          throw new CertificateError(
            `token.${name} must be a non-empty string`,
          );
        }
      }
    } else if (!hasCertificate) {
      throw new CertificateError(
        "credentials are required: a client certificate (certString or certFile)" +
          (resolved.protocol === "h2"
            ? " or a token ({ keyId, teamId, signingKey })"
            : ""),
      );
    }
    return new SessionConnection(this, resolved, { ...credentials }, cached);
  }

  /**
   * Finds or makes the pool entry for an address and certificate.
   *
   * @internal
   */
  async _entryFor(
    address: ResolvedAddress,
    credentials: Credentials,
    cached: boolean,
  ): Promise<PoolEntry> {
    const http2 = address.protocol === "h2";
    let identity: string;
    let loaded: LoadedCertificate | null = null;
    let token: ProviderToken | undefined;
    const caCerts = credentials.caCerts === undefined
      ? []
      : typeof credentials.caCerts === "string"
      ? [credentials.caCerts]
      : [...credentials.caCerts];
    if (credentials.token) {
      const { keyId, teamId, signingKey, refreshAfter } = credentials.token;
      identity = `token:${teamId}:${keyId}:${await certificateDigestOfText(
        signingKey,
      )}`;
      token = this.#tokens.get(identity);
      if (!token) {
        token = new ProviderToken({ keyId, teamId, signingKey, refreshAfter });
        await token.get(); // fail early on a bad key, with a clear error
        this.#tokens.set(identity, token);
      }
    } else {
      loaded = await loadCertificate(await readCredentials(credentials));
      identity = loaded.digest;
    }
    const key = `${address.hostname}:${address.port}#${identity}`;
    if (cached) {
      const existing = this.#pool.get(key);
      if (existing) return existing;
    }
    const certificate = loaded
      ? { cert: loaded.cert, key: loaded.key }
      : undefined;
    const trust = loaded ? loaded.caCerts : caCerts;
    const entry = new PoolEntry(
      key,
      address,
      () =>
        this.#connect(address, certificate, trust, http2 ? ["h2"] : undefined),
      this.#options,
      http2 ? { token, defaultTopic: loaded?.uid } : null,
    );
    if (cached) this.#pool.set(key, entry);
    else this.#uncached.add(entry);
    log.debug("pool entry {key} created", { key });
    return entry;
  }

  /**
   * Closes an uncached entry and forgets it.
   *
   * @internal
   */
  _forget(entry: PoolEntry): void {
    entry.close();
    this.#uncached.delete(entry);
  }

  async #transport(): Promise<Transport> {
    if (this.#options.transport) return this.#options.transport;
    defaultTransportPromise ??= import("./transport/default.ts").then((m) =>
      m.defaultTransport()
    );
    return await defaultTransportPromise;
  }

  async #connect(
    address: ResolvedAddress,
    certificate: { cert: string; key: string } | undefined,
    caCerts: readonly string[],
    alpnProtocols: string[] | undefined,
  ): Promise<Connection> {
    const transport = await this.#transport();
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new TimeoutError(
            `connecting to ${address.hostname}:${address.port} took longer than ${this.#connectTimeout} ms`,
          ),
        ),
      this.#connectTimeout,
    );
    try {
      return await transport.connect({
        hostname: address.hostname,
        port: address.port,
        certificate,
        caCerts,
        alpnProtocols,
        signal: controller.signal,
        readBufferSize: this.#options.readBufferSize,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Closes connections left unused for longer than `maxIdle` milliseconds.
   * Connections in use are never closed.
   *
   * @param maxIdle idle time in milliseconds
   */
  outdate(maxIdle: number): Promise<void> {
    const now = Date.now();
    for (const [key, entry] of this.#pool) {
      if (!entry.busy && now - entry.lastUsed >= maxIdle) {
        entry.close();
        this.#pool.delete(key);
        log.debug("pool entry {key} outdated", { key });
      }
    }
    for (const entry of this.#uncached) {
      if (!entry.busy) {
        entry.close();
        this.#uncached.delete(entry);
      }
    }
    return Promise.resolve();
  }

  /**
   * Closes every connection: idle ones now, busy ones as soon as their
   * sends finish (the promise resolves then). The session stays usable.
   */
  async shutdown(): Promise<void> {
    const entries = [...this.#pool.values(), ...this.#uncached];
    this.#pool.clear();
    this.#uncached.clear();
    await Promise.all(entries.map(async (entry) => {
      await entry.whenIdle();
      entry.close();
    }));
  }

  /** Same as {@linkcode Session.shutdown}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

export type { PoolEntry };
