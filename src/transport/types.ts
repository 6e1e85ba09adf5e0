/**
 * The transport seam: everything above it speaks WebStreams, everything
 * below it is runtime-specific socket code.
 *
 * @module
 */

/** An open, bidirectional byte stream (usually TLS over TCP). */
export interface Connection {
  /** Bytes from the peer. Ends on EOF; errors on a transport failure. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. Closing it closes the whole connection. */
  readonly writable: WritableStream<Uint8Array>;
  /** The ALPN protocol the peer selected, or `null`. */
  readonly alpnProtocol: string | null;
  /** Settles once the connection is fully closed. Never rejects. */
  readonly closed: Promise<void>;
  /** Half-close: send EOF (TLS close_notify + FIN) but keep reading. */
  closeWrite(): Promise<void>;
  /** Close both directions now, dropping anything unsent. Idempotent. */
  close(): void;
}

/** A client certificate and its decrypted private key, as PEM strings. */
export interface ClientCertificate {
  /** PEM certificate chain (leaf first). */
  readonly cert: string;
  /** PEM private key, never encrypted (the library decrypts it first). */
  readonly key: string;
}

/** What a transport needs to open one connection. */
export interface ConnectOptions {
  /** Host name or IP address. */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** Client certificate for mutual TLS, if any. */
  readonly certificate?: ClientCertificate;
  /** Extra PEM trust roots (test servers); the system roots still apply. */
  readonly caCerts?: readonly string[];
  /** ALPN protocols to offer, e.g. `["h2"]`. */
  readonly alpnProtocols?: readonly string[];
  /** Aborts the connection attempt (the connect timeout uses it). */
  readonly signal?: AbortSignal;
  /** Most bytes taken from the socket per read (a hint). Default 65536. */
  readonly readBufferSize?: number;
}

/** A pluggable back-end that opens connections. */
export interface Transport {
  /** Short name for logs, e.g. `"deno-tls"`. */
  readonly name: string;
  /**
   * Opens a connection and completes the TLS handshake.
   *
   * Rejects with a `ConnectError` (refused, unreachable, DNS), a `TlsError`
   * (handshake failed) or a `TimeoutError` (aborted by `signal`).
   */
  connect(options: ConnectOptions): Promise<Connection>;
}
