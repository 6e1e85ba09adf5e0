/**
 * The Node transport: `node:tls` sockets adapted to WebStreams, for Node,
 * Bun and Deno's Node compatibility layer.
 *
 * @module
 */

import { isIP } from "node:net";
import * as tls from "node:tls";
import {
  abortError,
  connectFailed,
  formatAddress,
  handshakeFailed,
  isEndOfStream,
  streamFailed,
  unusableCertificate,
} from "./_errors.ts";
import { TlsConnection } from "./_tls_connection.ts";
import type { Connection, ConnectOptions, Transport } from "./types.ts";

/** Bytes the readable buffers before the socket is paused. */
const READ_HIGH_WATER_MARK = 64 * 1024;

/**
 * Deno 2.9's `node:tls` loses data or the EOF once a socket has been paused
 * and resumed (or read in paused mode) under load, so there the socket
 * stays flowing and the readable's queue is unbounded. This transport only
 * runs under Deno in tests; `defaultTransport()` picks `Deno.connectTls`.
 */
/**
 * Under Deno's Node compatibility: pausing a socket loses data there, and
 * every `ca` root is parsed again per handshake.
 */
const UNDER_DENO = "Deno" in globalThis;

/** Opens TLS connections with `node:tls` (Node, Bun, Deno). */
export class NodeTlsTransport implements Transport {
  /** Always `"node-tls"`. */
  readonly name = "node-tls";

  /**
   * Connects, completes the handshake and returns the connection.
   *
   * @param options where to connect and with which certificate
   * @returns the open connection
   */
  connect(options: ConnectOptions): Promise<Connection> {
    const { hostname, port, certificate, signal } = options;
    const where = formatAddress(hostname, port);
    const hadCertificate = certificate !== undefined;
    if (signal?.aborted) {
      return Promise.reject(abortError(signal, `connecting to ${where}`));
    }
    let socket: tls.TLSSocket;
    // `allowHalfOpen` is honoured by tls.connect but missing from its types.
    const connectOptions: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      host: hostname,
      port,
      ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}),
      // `ca` replaces the default roots. On Node keep them so both apply;
      // under Deno's Node compatibility every root is parsed again on each
      // handshake (about 7 ms per connection), so there `caCerts` (meant for
      // test servers) stand alone.
      ...(options.caCerts
        ? {
          ca: UNDER_DENO
            ? [...options.caCerts]
            : [...tls.rootCertificates, ...options.caCerts],
        }
        : {}),
      ...(options.alpnProtocols
        ? { ALPNProtocols: [...options.alpnProtocols] }
        : {}),
      ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
      allowHalfOpen: true,
    };
    try {
      socket = tls.connect(connectOptions);
    } catch (error) {
      // createSecureContext throws synchronously on unusable PEM.
      return Promise.reject(unusableCertificate(where, error));
    }
    return new Promise<Connection>((resolve, reject) => {
      let tcpConnected = false;
      const cleanup = () => {
        socket.off("connect", onConnect);
        socket.off("secureConnect", onSecure);
        socket.off("error", onError);
        socket.off("close", onClose);
        signal?.removeEventListener("abort", onAbort);
      };
      const fail = (error: unknown) => {
        cleanup();
        socket.on("error", () => {}); // late errors of a dead socket
        socket.destroy();
        reject(error);
      };
      const onConnect = () => {
        tcpConnected = true;
        socket.setNoDelay(true);
      };
      const onSecure = () => {
        cleanup();
        const alpn = socket.alpnProtocol;
        resolve(
          new NodeTlsConnection(
            socket,
            where,
            typeof alpn === "string" ? alpn : null,
            hadCertificate,
            options.readBufferSize ?? READ_HIGH_WATER_MARK,
          ),
        );
      };
      const onError = (error: Error) => {
        fail(
          tcpConnected
            ? handshakeFailed(where, error, hadCertificate)
            : connectFailed(where, error),
        );
      };
      const onClose = () => {
        const cause = new Error("socket closed during the TLS handshake");
        fail(
          tcpConnected
            ? handshakeFailed(where, cause, hadCertificate)
            : connectFailed(where, cause),
        );
      };
      const onAbort = () => {
        fail(
          abortError(
            signal!,
            tcpConnected
              ? `TLS handshake with ${where}`
              : `connecting to ${where}`,
          ),
        );
      };
      socket.on("connect", onConnect);
      socket.on("secureConnect", onSecure);
      socket.on("error", onError);
      socket.on("close", onClose);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** A `tls.TLSSocket` behind the {@linkcode Connection} interface. */
class NodeTlsConnection extends TlsConnection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly closed: Promise<void>;

  #socket: tls.TLSSocket;

  constructor(
    socket: tls.TLSSocket,
    where: string,
    alpnProtocol: string | null,
    hadCertificate: boolean,
    highWaterMark: number,
  ) {
    super(where, alpnProtocol, hadCertificate);
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once("close", () => resolve());
    });
    socket.on("error", (error) => this.#onError(error));
    socket.on("close", () => this.markClosed());

    const pausable = !UNDER_DENO;
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.readController = controller;
        socket.on("data", (chunk: Uint8Array) => {
          if (this.readDone) return;
          const bytes = new Uint8Array(
            chunk.buffer,
            chunk.byteOffset,
            chunk.byteLength,
          );
          // Reads are bounded by `readBufferSize`, as on the Deno transport.
          for (let at = 0; at < bytes.length; at += highWaterMark) {
            controller.enqueue(bytes.subarray(at, at + highWaterMark));
          }
          if (pausable && (controller.desiredSize ?? 0) <= 0) socket.pause();
        });
        socket.on("end", () => {
          if (this.readDone) return;
          this.readDone = true;
          controller.close();
        });
      },
      pull: () => {
        if (pausable && !this.readDone && socket.isPaused()) socket.resume();
      },
      cancel: () => {
        this.readDone = true;
        this.close();
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark }));
  }

  protected writeChunk(chunk: Uint8Array): Promise<void> {
    if (this.isClosed || this.writeDone || this.#socket.destroyed) {
      return Promise.reject(this.closedForWriting());
    }
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      const onClose = () => {
        socket.off("drain", onDrain);
        reject(this.#writeError());
      };
      const onDrain = () => {
        socket.off("close", onClose);
        resolve();
      };
      socket.write(chunk, (error) => {
        if (error) return reject(this.#writeError(error));
        // One write at a time: when its callback fires the buffer is
        // usually empty; wait for 'drain' if it still is not.
        if (!socket.writableNeedDrain) return resolve();
        socket.once("drain", onDrain);
        socket.once("close", onClose);
      });
    });
  }

  #writeError(error?: unknown): Error {
    if (this.isClosed || error === undefined) {
      return this.closedDuringWrite(error);
    }
    return streamFailed(this.where, error, this.hadCertificate);
  }

  #onError(error: Error): void {
    if (this.readDone || this.isClosed) return;
    this.readDone = true;
    if (isEndOfStream(error)) this.readController.close();
    else {
      this.readController.error(
        streamFailed(this.where, error, this.hadCertificate),
      );
    }
    this.close();
  }

  protected endWrite(): Promise<void> {
    const socket = this.#socket;
    return new Promise<void>((resolve) => {
      const done = () => {
        socket.off("finish", done);
        socket.off("close", done);
        resolve();
      };
      socket.once("finish", done);
      socket.once("close", done);
      socket.end();
    });
  }

  protected release(): void {
    this.#socket.destroy();
  }
}
