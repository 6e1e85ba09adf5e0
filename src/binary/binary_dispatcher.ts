/**
 * The binary-protocol engine behind `APNs.send`: it writes the notifications
 * of every pending `send` call onto one persistent connection, pins each
 * error response to the right message and token through per-connection
 * identifiers, resends what the server discarded on a fresh connection, and
 * proves acceptance early with an end-of-burst probe.
 *
 * Acceptance is silent in this protocol. When the queue runs dry the engine
 * writes a probe: a notification with an empty token, which the gateway
 * answers with status 2 and the probe's identifier. Gateways handle
 * notifications in order, so that answer proves every earlier one was
 * accepted, about one round trip after the last write. The cost is one
 * reconnect per burst, since the gateway closes after any error response.
 * A gateway that does not answer the probe within `readTailTimeout` is
 * handled the seed's way from then on: what was written is taken as accepted
 * once `readTailTimeout` passes without an error response.
 *
 * @module
 */

import {
  ApnsError,
  ConnectionClosedError,
  ProtocolError,
  TimeoutError,
  TlsError,
} from "../errors.ts";
import { binaryLog as log } from "../log.ts";
import type { Message } from "../message.ts";
import type { Result } from "../result.ts";
import type { Connection } from "../transport/types.ts";
import { BinaryLink } from "./binary_link.ts";
import { decodeErrorResponse, ERROR_RESPONSE_SIZE } from "./error_response.ts";
import {
  type BinaryCommand,
  NotificationEncoder,
} from "./notification_encoder.ts";
import type { PackedTokens } from "./packed_tokens.ts";
import { SendJob } from "./send_job.ts";
import { classifyStatus, statusText } from "./status.ts";

/** Settings of a {@linkcode BinaryDispatcher}. */
export interface BinaryDispatcherOptions {
  /** Opens a new connection to the gateway (TLS handshake done). */
  readonly open: () => Promise<Connection>;
  /** Label for logs and errors, e.g. `host:port`. */
  readonly label: string;
  /** Notification format. Default 2. */
  readonly command?: BinaryCommand;
  /** Bytes per socket write. Default 65536. */
  readonly writeBufferSize?: number;
  /** Milliseconds one write may take. Default 20000. */
  readonly writeTimeout?: number;
  /** Milliseconds to wait for a late error response. Default 3000. */
  readonly readTailTimeout?: number;
  /** Prove acceptance with an end-of-burst probe. Default true. */
  readonly probe?: boolean;
  /** Resend rounds in a row without progress before giving up. Default 3. */
  readonly retryLimit?: number;
  /**
   * Milliseconds to watch the first connection after its handshake before
   * writing, so that a server rejecting the client certificate (TLS 1.3
   * shows that only after the handshake, often as a bare EOF) fails the
   * send with a clear error instead of a lost connection. 0 disables.
   * Default 100.
   */
  readonly handshakeGrace?: number;
}

const TEXT = new TextEncoder();
let linkSerial = 0;

/** Schedules `send` calls onto connections to one gateway. */
export class BinaryDispatcher {
  readonly #open: () => Promise<Connection>;
  readonly #label: string;
  readonly #command: BinaryCommand;
  readonly #bufferSize: number;
  readonly #writeTimeout: number;
  readonly #tailTimeout: number;
  readonly #retryLimit: number;
  readonly #handshakeGrace: number;
  #verified = false;
  #probe: boolean;
  readonly #probeEncoder: NotificationEncoder;
  readonly #queue: SendJob[] = [];
  readonly #links = new Set<BinaryLink>();
  #link: BinaryLink | null = null;
  #pumping = false;
  #active = 0;
  #idleWaiters: (() => void)[] = [];
  #lastUsed = Date.now();
  #closed = false;

  /**
   * Creates the dispatcher; it connects on the first send.
   *
   * @param options how to connect and how to write
   */
  constructor(options: BinaryDispatcherOptions) {
    this.#open = options.open;
    this.#label = options.label;
    this.#command = options.command ?? 2;
    this.#bufferSize = options.writeBufferSize ?? 65536;
    this.#writeTimeout = options.writeTimeout ?? 20_000;
    this.#tailTimeout = options.readTailTimeout ?? 3000;
    this.#probe = options.probe ?? true;
    this.#retryLimit = options.retryLimit ?? 3;
    this.#handshakeGrace = options.handshakeGrace ?? 100;
    if (![0, 1, 2].includes(this.#command)) {
      throw new RangeError(`command must be 0, 1 or 2, got ${this.#command}`);
    }
    if (!Number.isInteger(this.#bufferSize) || this.#bufferSize < 256) {
      throw new RangeError("writeBufferSize must be a whole number >= 256");
    }
    this.#probeEncoder = new NotificationEncoder({
      command: this.#command === 2 ? 2 : 1,
      payload: TEXT.encode("{}"),
      expiry: 0,
      priority: 10,
    });
  }

  /** Whether some `send` is in flight. */
  get busy(): boolean {
    return this.#active > 0;
  }

  /** When the dispatcher was last used (ms since epoch). */
  get lastUsed(): number {
    return this.#lastUsed;
  }

  /** Whether the gateway answers the end-of-burst probe (as far as seen). */
  get probing(): boolean {
    return this.#probe;
  }

  /**
   * Sends a message to all its tokens.
   *
   * @param message the message
   * @param packed tokens to send it to instead of its own (a streamed
   *   batch, kept as bytes)
   * @returns the outcome, once every token is resolved
   * @throws {ApnsError} (rejects) when nothing could be sent: the
   *   connection could not be opened or the TLS handshake was refused
   */
  send(message: Message, packed: PackedTokens | null = null): Promise<Result> {
    this.#lastUsed = Date.now();
    let encoder: NotificationEncoder | null = null;
    let encodeError: string | null = null;
    try {
      encoder = new NotificationEncoder({
        command: this.#command,
        payload: message.payloadBytes,
        expiry: message.expiry,
        priority: message.priority,
      });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      encodeError =
        `Invalid payload size (${message.payloadBytes.length} bytes; ` +
        `the binary protocol cannot carry more than 65535)`;
    }
    const job = new SendJob(message, encoder, packed);
    if (encodeError !== null) {
      job.finalStatus = 7;
      job.addError(7, encodeError);
      job.abandonUnwritten();
    }
    if (job.outstanding === 0 || job.settled) {
      // Nothing to send (no tokens, or an unencodable payload).
      if (!job.settled) job.settleIfDone();
      return job.promise;
    }
    this.#active++;
    job.promise.then(() => this.#jobDone(), () => this.#jobDone());
    this.#enqueue(job);
    return job.promise;
  }

  /**
   * Resolves once no `send` is in flight.
   *
   * @returns a promise
   */
  whenIdle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Closes every open connection. Call only when idle: in-flight tokens of a
   * busy dispatcher would go to `retry()`.
   */
  close(): void {
    this.#closed = true;
    for (const link of this.#links) this.#drop(link, null, true);
    this.#link = null;
    this.#closed = false;
  }

  /** Number of open connections. */
  get openConnections(): number {
    return this.#links.size;
  }

  #jobDone(): void {
    this.#lastUsed = Date.now();
    if (--this.#active === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #enqueue(job: SendJob): void {
    if (!job.queued && job.hasWork) {
      job.queued = true;
      this.#queue.push(job);
    }
    if (!this.#pumping) void this.#pump();
  }

  #nextJob(): SendJob | undefined {
    while (this.#queue.length > 0) {
      const job = this.#queue[0];
      if (job.hasWork) return job;
      job.queued = false;
      this.#queue.shift();
    }
    return undefined;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#nextJob()) {
        let link = this.#link;
        if (!link || link.state !== "open" || link.exhausted) {
          if (link && link.state === "open") this.#finishBurst(link);
          try {
            link = this.#link = await this.#connect();
          } catch (error) {
            this.#connectFailed(error);
            continue;
          }
        }
        await this.#writeBurst(link);
      }
    } catch (error) {
      // A bug, not an I/O failure: fail loudly on every job rather than hang.
      log.error("binary dispatcher failed: {error}", { error });
      for (const job of this.#queue) job.rejectWith(error);
      this.#queue.length = 0;
    } finally {
      this.#pumping = false;
    }
  }

  async #connect(): Promise<BinaryLink> {
    const conn = await this.#open();
    const link = new BinaryLink(conn, ++linkSerial);
    this.#links.add(link);
    link.readerDone = this.#read(link);
    log.debug("link {serial} open to {label}", {
      serial: link.serial,
      label: this.#label,
    });
    if (!this.#verified && this.#handshakeGrace > 0) {
      await settleWithin(link.readerDone, this.#handshakeGrace);
      if (link.state === "dead") {
        const cause = link.failure;
        if (link.lastStatus !== null) {
          // The gateway spoke (e.g. status 10 while shutting down): it
          // took the certificate but will not take notifications now.
          throw new GatewayStatusError(link.lastStatus, this.#label);
        }
        if (cause instanceof TlsError) throw cause;
        throw new TlsError(
          `${this.#label} closed the connection right after the TLS handshake ` +
            `(${
              cause instanceof Error ? cause.message : "EOF"
            }): it most likely rejected the client certificate`,
          { cause },
        );
      }
      this.#verified = true;
    }
    return link;
  }

  /** A connection could not be opened: fail or shorten the queued jobs. */
  #connectFailed(error: unknown): void {
    log.debug("connect to {label} failed: {error}", {
      label: this.#label,
      error,
    });
    const message = error instanceof Error ? error.message : String(error);
    for (const job of this.#queue.splice(0)) {
      job.queued = false;
      if (error instanceof GatewayStatusError) {
        // Connected, but the gateway answered before anything was sent:
        // not a failure to connect; the tokens wait in retry().
        job.addError(error.status, statusText(error.status));
        job.abandonUnwritten();
      } else if (!job.written) {
        // Nothing of it reached a server: the caller gets the exception.
        job.rejectWith(error);
      } else {
        job.addError(null, message);
        job.abandonUnwritten();
      }
    }
  }

  /** Writes queued notifications onto `link` until the queue is empty. */
  async #writeBurst(link: BinaryLink): Promise<void> {
    // Writing resumes: the tail is measured from the end of this burst.
    clearTimeout(link.tailTimer);
    link.tailTimer = undefined;
    const size = this.#bufferSize;
    const buffers = [new Uint8Array(size), new Uint8Array(size)];
    let which = 0;
    let buf = buffers[0];
    let view = new DataView(buf.buffer);
    let offset = 0;
    let pending: Promise<void> | null = null;

    // Hands the filled part of `buf` to the socket; returns false when the
    // link died meanwhile (the ledger has handled what it held).
    const flush = async (): Promise<boolean> => {
      if (pending) {
        const ok = await this.#settleWrite(link, pending);
        pending = null;
        if (!ok) return false;
      }
      if (link.state === "dead") return false;
      if (offset === 0) return true;
      link.flushedUpTo = link.nextId - 1;
      pending = link.writer.write(buf.subarray(0, offset));
      which ^= 1;
      buf = buffers[which];
      view = new DataView(buf.buffer);
      offset = 0;
      return true;
    };

    let job: SendJob | undefined;
    while (link.state === "open" && !link.exhausted) {
      job = this.#nextJob();
      if (!job) break;
      const encoder = job.encoder!;
      const tokens = job.tokens;
      const packed = job.packed;
      job.written = true;
      let index: number;
      // The link's state only changes across an await (I/O and timers run
      // between turns), so it is checked after each flush, not per token.
      while ((index = job.take()) >= 0) {
        const token = packed === null ? tokens[index] : "";
        const need = encoder.frameSize(
          packed === null ? token.length >>> 1 : packed.byteLength(index),
        );
        if (offset + need > buf.length) {
          if (!await flush() || link.state !== "open") {
            job.requeue(index);
            break;
          }
          if (need > buf.length) {
            // One notification larger than the buffer: give it its own.
            buf = new Uint8Array(need);
            view = new DataView(buf.buffer);
          }
        }
        const id = link.register(job, index);
        const end = packed === null
          ? encoder.encode(buf, view, offset, token, id)
          : encoder.encodePacked(buf, view, offset, packed, index, id);
        if (end < 0) {
          link.unregister();
          job.fail(
            index,
            8,
            "Invalid token (not a hex string; not sent)",
            false,
          );
        } else {
          offset = end;
        }
        if (link.exhausted) break;
      }
    }
    if (link.state === "open") {
      if (this.#probe) {
        const need = this.#probeEncoder.frameSize(0);
        if (offset + need > buf.length && !await flush()) return;
        if (link.state === "open") {
          const id = link.probeId = link.register(undefined, -1);
          offset = this.#probeEncoder.encode(buf, view, offset, "", id);
          link.state = "probing";
        }
      }
    }
    if (await flush() && pending) await this.#settleWrite(link, pending);
    if (link.state !== "dead") this.#finishBurst(link);
  }

  /** The queue ran dry on `link`: arm the tail timer. */
  #finishBurst(link: BinaryLink): void {
    if (link.state === "open" && (this.#probe || link.exhausted)) {
      // Retired without a probe (identifiers ran out or probing was
      // switched off mid-burst): the tail decides, and the link closes.
      link.state = "probing";
    }
    if (this.#link === link && link.state !== "open") this.#link = null;
    clearTimeout(link.tailTimer);
    link.tailTimer = setTimeout(() => this.#onTail(link), this.#tailTimeout);
  }

  /** Awaits a write; on failure or timeout treats the link as dropped. */
  async #settleWrite(link: BinaryLink, write: Promise<void>): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        write,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new TimeoutError(
                  `writing to ${this.#label} took longer than ${this.#writeTimeout} ms`,
                ),
              ),
            this.#writeTimeout,
          );
        }),
      ]);
      return link.state !== "dead";
    } catch (error) {
      write.catch(() => {});
      if (link.state !== "dead" && !(error instanceof TimeoutError)) {
        // Let the reader report the cause (an error response or a TLS alert
        // often arrives just after the write fails).
        await settleWithin(link.readerDone, 250);
      }
      if (link.state !== "dead") this.#drop(link, error, false);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads error responses until the connection ends. */
  async #read(link: BinaryLink): Promise<void> {
    const reader = link.conn.readable.getReader();
    const frame = new Uint8Array(ERROR_RESPONSE_SIZE);
    let have = 0;
    let failure: unknown = null;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        link.received += value.length;
        let at = 0;
        while (at < value.length && link.state !== "dead") {
          const n = Math.min(ERROR_RESPONSE_SIZE - have, value.length - at);
          frame.set(value.subarray(at, at + n), have);
          have += n;
          at += n;
          if (have === ERROR_RESPONSE_SIZE) {
            have = 0;
            const { status, id } = decodeErrorResponse(frame);
            this.#onErrorResponse(link, status, id);
          }
        }
        if (link.state === "dead") break;
      }
    } catch (error) {
      failure = error;
    } finally {
      reader.releaseLock();
    }
    if (link.state !== "dead") {
      if (!failure && have > 0) {
        failure = new ProtocolError(
          `${this.#label} sent ${have} bytes that are not an error response`,
        );
      }
      this.#drop(link, failure, false);
    }
  }

  /** The gateway answered with an error response and closes the link. */
  #onErrorResponse(link: BinaryLink, status: number, id: number): void {
    if (link.state === "dead") return;
    link.lastStatus = status;
    this.#retire(link);
    const text = statusText(status);
    log.debug("link {serial}: status {status} for id {id}", {
      serial: link.serial,
      status,
      id,
    });
    if (link.probeId !== 0 && id === link.probeId) {
      // The probe's answer: everything before it was accepted.
      this.#acceptUpTo(link, id - 1);
      if (status !== 2) {
        log.debug("probe answered with status {status}", { status });
      }
    } else if (link.jobAt(id)) {
      const job = link.jobAt(id)!;
      const index = link.indexAt(id);
      const kind = classifyStatus(status);
      if (kind.kind === "shutdown") {
        this.#acceptUpTo(link, id);
      } else {
        this.#acceptUpTo(link, id - 1);
        link.resolveUpTo(id, () => {});
        // Innocent notifications after the failed one go back first.
        this.#discardRest(link);
        if (kind.kind === "token") {
          link.progressed = true;
          job.fail(index, status, text);
        } else {
          job.addError(status, text);
          if (!kind.retry) {
            job.finalStatus = status;
            job.toRetry(index);
            job.abandonUnwritten();
          } else if (kind.includeReported) {
            // The culprit is resent too; it stalls its own job only.
            this.#resend(job, index, link, true);
          } else {
            job.toRetry(index);
          }
        }
      }
    } else if (status === 10 && id <= link.resolvedUpTo) {
      // Shutdown naming an already-resolved notification (or 0): nothing new.
    } else if (id <= link.resolvedUpTo && id !== 0) {
      log.warn(
        "status {status} for id {id}, which was already counted as accepted " +
          "(readTailTimeout too short for this gateway?)",
        { status, id },
      );
    } else {
      // Not attributable (command 0 carries no identifier): the gateway
      // rejected something and discarded the rest; nothing is proven.
      this.#unproven(link, [status, `${text} (not attributable to a token)`]);
      link.close();
      this.#kick();
      return;
    }
    this.#discardRest(link);
    link.close();
    this.#kick();
  }

  /** Tail timer fired: no error response came for what was written. */
  #onTail(link: BinaryLink): void {
    link.tailTimer = undefined;
    if (link.state === "dead") return;
    this.#acceptUpTo(link, link.flushedUpTo);
    if (link.state === "probing") {
      if (link.probeId !== 0 && this.#probe) {
        this.#probe = false;
        log.info(
          "{label} did not answer the end-of-burst probe within {ms} ms; " +
            "using readTailTimeout from now on",
          { label: this.#label, ms: this.#tailTimeout },
        );
      }
      this.#retire(link);
      link.close();
    }
  }

  /** The connection ended without an error response (EOF, reset, TLS). */
  #drop(link: BinaryLink, error: unknown, byUs: boolean): void {
    if (link.state === "dead") {
      this.#links.delete(link);
      return;
    }
    this.#retire(link);
    link.failure = error;
    const rejected = error instanceof TlsError && link.received === 0 &&
      link.resolvedUpTo === 0;
    const what = error instanceof Error ? error.message : "connection closed";
    log.debug("link {serial} dropped: {what}", { serial: link.serial, what });
    if (rejected) {
      // The handshake was refused (seen at the first read with TLS 1.3):
      // nothing was delivered. Jobs that reached no server fail as a whole.
      link.resolveUpTo(link.nextId - 1, (job, index) => {
        if (!job.answered && !job.settled) {
          job.requeue(index);
          job.rejectWith(error);
        } else {
          job.addError(null, what);
          job.requeue(index);
        }
      });
      for (const job of this.#queue) {
        if (!job.answered) job.rejectWith(error);
      }
    } else {
      const explanation = byUs
        ? "connection closed by the client"
        : error instanceof ApnsError
        ? what
        : `connection lost without an error response (${what})`;
      this.#unproven(link, [null, explanation]);
    }
    link.close();
    this.#links.delete(link);
    this.#kick();
  }

  /**
   * What the link holds is not proven: notifications handed to the socket
   * go to `retry()` (they may have been delivered), the rest are resent.
   */
  #unproven(link: BinaryLink, error: [number | null, string]): void {
    const flushed = link.flushedUpTo;
    link.resolveUpTo(link.nextId - 1, (job, index, id) => {
      job.addError(error[0], error[1]);
      if (id <= flushed) job.toRetry(index);
      else this.#resend(job, index, link, true);
    });
  }

  /** After an error response: everything later was discarded, resend it. */
  #discardRest(link: BinaryLink): void {
    link.resolveUpTo(
      link.nextId - 1,
      (job, index) => this.#resend(job, index, link, false),
    );
  }

  /**
   * Puts a token back for a fresh connection. `stall` counts a resend round
   * against the job when the server resolved nothing on the link (a drop,
   * or the job's own token failing again); notifications discarded after
   * another notification's error are innocent and never stall.
   */
  #resend(job: SendJob, index: number, link: BinaryLink, stall: boolean): void {
    if (job.settled) return;
    if (stall && job.roundLink !== link.serial) {
      job.roundLink = link.serial;
      job.stalls = link.progressed ? 0 : job.stalls + 1;
    }
    if (job.stalls > this.#retryLimit) {
      job.addError(
        null,
        `gave up resending after ${this.#retryLimit} rounds without progress`,
      );
      job.toRetry(index);
      job.abandonUnwritten();
    } else {
      job.requeue(index);
      if (job.hasWork && !job.queued) {
        job.queued = true;
        this.#queue.push(job);
      }
    }
  }

  #acceptUpTo(link: BinaryLink, upTo: number): void {
    link.acceptUpTo(upTo, (job, count) => {
      link.progressed = true;
      job.accept(count);
    });
  }

  /** Marks a link dead and forgets it as the current one. */
  #retire(link: BinaryLink): void {
    clearTimeout(link.tailTimer);
    link.tailTimer = undefined;
    link.state = "dead";
    if (this.#link === link) this.#link = null;
    this.#links.delete(link);
  }

  #kick(): void {
    if (!this.#closed && !this.#pumping && this.#nextJob()) void this.#pump();
  }
}

/** The gateway answered with an error response before anything was sent. */
class GatewayStatusError extends ConnectionClosedError {
  readonly status: number;
  constructor(status: number, label: string) {
    super(
      `${label} answered status ${status} (${
        statusText(status)
      }) and closed right after the TLS handshake`,
    );
    this.status = status;
  }
}

/** Waits for `promise` (never rejects) for at most `ms`, leaving no timer. */
async function settleWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      promise.catch(() => {}),
      new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
