/**
 * The Deno transport: `Deno.connectTls` with the client certificate passed
 * as PEM strings. Nothing here touches `Deno` until a method runs, so the
 * module can be imported (not used) on other runtimes.
 *
 * @module
 */

import {
  abortError,
  connectFailed,
  errorMessage,
  formatAddress,
  handshakeFailed,
  isEndOfStream,
  streamFailed,
  unusableCertificate,
} from "./_errors.ts";
import { TlsConnection } from "./_tls_connection.ts";
import type { Connection, ConnectOptions, Transport } from "./types.ts";

/** Size of the scratch buffer each read fills (four full TLS records). */
const READ_BUFFER_SIZE = 64 * 1024;

/** Opens TLS connections with `Deno.connectTls` (Deno only). */
export class DenoTlsTransport implements Transport {
  /** Always `"deno-tls"`. */
  readonly name = "deno-tls";

  /**
   * Connects, completes the handshake and returns the connection.
   *
   * @param options where to connect and with which certificate
   * @returns the open connection
   */
  async connect(options: ConnectOptions): Promise<Connection> {
    const { hostname, port, certificate, signal } = options;
    const where = formatAddress(hostname, port);
    if (signal?.aborted) throw abortError(signal, `connecting to ${where}`);

    const tlsOptions = {
      hostname,
      ...(options.caCerts ? { caCerts: [...options.caCerts] } : {}),
      ...(options.alpnProtocols
        ? { alpnProtocols: [...options.alpnProtocols] }
        : {}),
    };
    // `Deno.connectTls` never sets TCP_NODELAY, and a TlsConn cannot: small
    // writes after a burst then wait ~40 ms for the peer's delayed ACK.
    // `Deno.startTls` over a TCP socket with `setNoDelay(true)` avoids that,
    // but ignores client certificates, so it serves connections without one.
    const opening = certificate
      ? Deno.connectTls({
        ...tlsOptions,
        port,
        cert: certificate.cert,
        key: certificate.key,
      })
      : startTlsNoDelay(hostname, port, tlsOptions);

    let conn: Deno.TlsConn | undefined;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      // A connection that opens after the abort is closed at once.
      if (conn === undefined) {
        opening.then((late) => closeQuietly(late), () => {});
      } else closeQuietly(conn);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      try {
        conn = await abortable(opening, signal);
      } catch (error) {
        if (aborted && signal) {
          throw abortError(signal, `connecting to ${where}`);
        }
        throw openFailed(where, error);
      }
      let alpnProtocol: string | null;
      try {
        ({ alpnProtocol } = await abortable(conn.handshake(), signal));
      } catch (error) {
        closeQuietly(conn);
        if (aborted && signal) {
          throw abortError(signal, `TLS handshake with ${where}`);
        }
        throw handshakeFailed(where, error, certificate !== undefined);
      }
      return new DenoTlsConnection(
        conn,
        where,
        alpnProtocol,
        certificate !== undefined,
        options.readBufferSize ?? READ_BUFFER_SIZE,
      );
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

/** TCP with TCP_NODELAY, then TLS on top (no client certificate). */
async function startTlsNoDelay(
  hostname: string,
  port: number,
  tlsOptions: Deno.StartTlsOptions,
): Promise<Deno.TlsConn> {
  const tcp = await Deno.connect({ hostname, port });
  try {
    tcp.setNoDelay(true);
    return await Deno.startTls(tcp, tlsOptions);
  } catch (error) {
    closeQuietly(tcp);
    throw error;
  }
}

/** A `Deno.TlsConn` behind the {@linkcode Connection} interface. */
class DenoTlsConnection extends TlsConnection {
  readonly readable: ReadableStream<Uint8Array>;
  readonly closed: Promise<void>;

  #conn: Deno.TlsConn;
  #resolveClosed!: () => void;

  constructor(
    conn: Deno.TlsConn,
    where: string,
    alpnProtocol: string | null,
    hadCertificate: boolean,
    readBufferSize: number,
  ) {
    super(where, alpnProtocol, hadCertificate);
    this.#conn = conn;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    const buffer = new Uint8Array(readBufferSize);
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.readController = controller;
      },
      pull: (controller) => this.#pull(controller, buffer),
      cancel: () => {
        this.readDone = true;
        this.close();
      },
    }, { highWaterMark: 0 });
  }

  async #pull(
    controller: ReadableStreamDefaultController<Uint8Array>,
    buffer: Uint8Array,
  ): Promise<void> {
    if (this.readDone) return;
    let n: number | null;
    try {
      n = await this.#conn.read(buffer);
    } catch (error) {
      if (this.readDone) return;
      this.readDone = true;
      if (this.isClosed || isEndOfStream(error)) {
        // rustls reports a close without close_notify as an error; like
        // Node, treat it as the end of the stream.
        controller.close();
        this.#finishIfDone();
      } else {
        controller.error(streamFailed(this.where, error, this.hadCertificate));
        this.close();
      }
      return;
    }
    if (this.readDone) return;
    if (n === null) {
      this.readDone = true;
      controller.close();
      this.#finishIfDone();
      return;
    }
    controller.enqueue(buffer.slice(0, n));
  }

  protected async writeChunk(chunk: Uint8Array): Promise<void> {
    if (this.isClosed || this.writeDone) throw this.closedForWriting();
    try {
      let offset = 0;
      while (offset < chunk.byteLength) {
        offset += await this.#conn.write(chunk.subarray(offset));
      }
    } catch (error) {
      if (this.isClosed) throw this.closedDuringWrite(error);
      const mapped = streamFailed(this.where, error, this.hadCertificate);
      this.close();
      throw mapped;
    }
  }

  protected async endWrite(): Promise<void> {
    try {
      await this.#conn.closeWrite();
    } catch (error) {
      if (!this.isClosed) {
        this.close();
        throw streamFailed(this.where, error, this.hadCertificate);
      }
    }
    this.#finishIfDone();
  }

  protected release(): void {
    closeQuietly(this.#conn);
    this.#resolveClosed();
  }

  #finishIfDone(): void {
    if (this.readDone && this.writeDone) this.close();
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Bad certificate or key strings fail before any socket is opened. */
function openFailed(where: string, error: unknown): Error {
  const message = errorMessage(error);
  if (
    /certificate|key/i.test(message) &&
    !/lookup|refused|unreachable/i.test(message)
  ) {
    return unusableCertificate(where, error);
  }
  return connectFailed(where, error);
}

/** Rejects as soon as `signal` aborts (the caller maps the reason). */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}
