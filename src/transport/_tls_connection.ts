/**
 * What the Deno and Node TLS connections share behind the
 * {@linkcode Connection} interface: the state of both directions, a
 * writable that serialises writes and remembers the last one, the
 * half-close that waits for it, and the idempotent close. Subclasses
 * supply the readable and the socket I/O. Private to `src/transport`.
 *
 * @module
 */

import { ConnectionClosedError } from "../errors.ts";
import type { Connection } from "./types.ts";

/** A TLS socket behind {@linkcode Connection}; subclasses do the I/O. */
export abstract class TlsConnection implements Connection {
  abstract readonly readable: ReadableStream<Uint8Array>;
  abstract readonly closed: Promise<void>;
  readonly writable: WritableStream<Uint8Array>;
  readonly alpnProtocol: string | null;

  /** `host:port`, for messages. */
  protected readonly where: string;
  /** Whether a client certificate was configured (for error mapping). */
  protected readonly hadCertificate: boolean;
  /** `close()` ran (or the socket closed). */
  protected isClosed = false;
  /** The readable has ended, errored or been cancelled. */
  protected readDone = false;
  /** No more writes: closed, or half-closed by `closeWrite()`. */
  protected writeDone = false;
  /** The readable's controller; the subclass's `start` sets it. */
  protected readController!: ReadableStreamDefaultController<Uint8Array>;
  #lastWrite: Promise<unknown> = Promise.resolve();
  #closingWrite: Promise<void> | null = null;

  /**
   * Sets up the writable; the subclass sets up the readable.
   *
   * @param where `host:port`
   * @param alpnProtocol the protocol the peer selected, or `null`
   * @param hadCertificate whether a client certificate was configured
   */
  constructor(
    where: string,
    alpnProtocol: string | null,
    hadCertificate: boolean,
  ) {
    this.where = where;
    this.alpnProtocol = alpnProtocol;
    this.hadCertificate = hadCertificate;
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        const done = this.writeChunk(chunk);
        this.#lastWrite = done.catch(() => {});
        return done;
      },
      close: () => this.close(),
      abort: () => this.close(),
    });
  }

  /** Writes one chunk (the writable runs one at a time). */
  protected abstract writeChunk(chunk: Uint8Array): Promise<void>;

  /** Sends EOF on the socket, keeping the read side open. */
  protected abstract endWrite(): Promise<void>;

  /** Closes the socket now. */
  protected abstract release(): void;

  /** Half-closes after the last write, once (later calls share it). */
  closeWrite(): Promise<void> {
    this.#closingWrite ??= (async () => {
      await this.#lastWrite;
      if (this.isClosed || this.writeDone) return;
      this.writeDone = true;
      await this.endWrite();
    })();
    return this.#closingWrite;
  }

  /** Closes both directions now and ends the readable. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.markClosed();
    this.release();
  }

  /** Marks both directions done and ends the readable, if it is open. */
  protected markClosed(): void {
    this.isClosed = true;
    this.writeDone = true;
    if (!this.readDone) {
      this.readDone = true;
      try {
        this.readController.close();
      } catch {
        // already closed or errored
      }
    }
  }

  /** The error for a write after the write side closed. */
  protected closedForWriting(): ConnectionClosedError {
    return new ConnectionClosedError(
      `${this.where}: cannot write, the connection is closed for writing`,
    );
  }

  /** The error for a write that `close()` cut short. */
  protected closedDuringWrite(cause?: unknown): ConnectionClosedError {
    return new ConnectionClosedError(
      `${this.where}: the connection was closed`,
      {
        cause,
      },
    );
  }
}
