/**
 * {@linkcode WriteCoalescer}: everything the connection writes in one turn
 * leaves in one socket write. Frames accumulate in a `FrameWriter`; a
 * microtask (or a buffer past 64 KiB) hands them to the socket; while one
 * write is in flight the next frames wait behind it and go out together
 * when it completes. Small writes in a row are what Nagle plus delayed ACK
 * punish with 40 ms stalls, so there is never more than one in flight.
 *
 * A producer that knows more frames follow across turns (requests fed from
 * an async iterable, one token per turn) corks the coalescer: frames then
 * wait for `uncork()` or the 64 KiB threshold instead of the microtask.
 *
 * @module
 */

import { FrameWriter } from "./frame/frame_writer.ts";

/** Buffered bytes past which a flush starts at once instead of on a microtask. */
export const FLUSH_THRESHOLD = 65536;

/** Coalesces frames into as few writes as possible, one write in flight. */
export class WriteCoalescer {
  /** Where the connection appends frames; call `schedule()` after. */
  readonly frames: FrameWriter = new FrameWriter(16384);
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #onError: (error: unknown) => void;
  #inFlight = false;
  #scheduled = false;
  #stopped = false;
  #corks = 0;
  #generation = 0;
  #writes = 0;
  #idle: (() => void)[] = [];
  #flush = () => {
    this.#scheduled = false;
    if (this.#corks === 0) this.#doFlush();
  };
  #written = () => this.#onWritten();
  #failed = (error: unknown) => this.#onFailed(error);

  /**
   * Makes a coalescer over a locked writer.
   *
   * @param writer the connection's writer (this class owns it)
   * @param onError called once when a write fails; nothing is written after
   */
  constructor(
    writer: WritableStreamDefaultWriter<Uint8Array>,
    onError: (error: unknown) => void,
  ) {
    this.#writer = writer;
    this.#onError = onError;
  }

  /**
   * How many buffers have been handed to the socket. Frames appended while
   * it is `g` have left once it is above `g`.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Socket writes so far (for tests and metrics). */
  get writes(): number {
    return this.#writes;
  }

  /** Whether frames are held back by `cork()`. */
  get corked(): boolean {
    return this.#corks > 0;
  }

  /**
   * Holds frames back until `uncork()` (or 64 KiB of them): for a producer
   * that will add more in the next turns. Corks nest.
   */
  cork(): void {
    this.#corks++;
  }

  /** Releases one `cork()`; the last one schedules the held frames. */
  uncork(): void {
    if (this.#corks === 0) return;
    if (--this.#corks === 0) this.schedule();
  }

  /** Arranges for the buffered frames to be written (now when past the threshold). */
  schedule(): void {
    if (this.#inFlight || this.#stopped) return;
    if (this.frames.length >= FLUSH_THRESHOLD) {
      this.#doFlush();
    } else if (this.#corks === 0 && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /**
   * Resolves once everything appended so far has been written (or the
   * coalescer stopped), corked or not. Never rejects.
   *
   * @returns a promise of the drained state
   */
  drained(): Promise<void> {
    if (this.#stopped || (!this.#inFlight && this.frames.length === 0)) {
      return Promise.resolve();
    }
    if (!this.#inFlight) this.#doFlush();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Writes nothing more; buffered frames are dropped. */
  stop(): void {
    this.#stopped = true;
    this.frames.take();
    this.#wake();
  }

  #doFlush(): void {
    this.#scheduled = false;
    if (this.#inFlight || this.#stopped) return;
    if (this.frames.length === 0) {
      this.#wake();
      return;
    }
    const bytes = this.frames.take();
    this.#generation++;
    this.#writes++;
    this.#inFlight = true;
    this.#writer.write(bytes).then(this.#written, this.#failed);
  }

  #onWritten(): void {
    this.#inFlight = false;
    if (this.#stopped) return;
    const pending = this.frames.length;
    if (
      pending > 0 &&
      (this.#corks === 0 || pending >= FLUSH_THRESHOLD || this.#idle.length > 0)
    ) this.#doFlush();
    else if (pending === 0) this.#wake();
  }

  #onFailed(error: unknown): void {
    this.#inFlight = false;
    if (this.#stopped) return;
    this.stop();
    this.#onError(error);
  }

  #wake(): void {
    if (this.#idle.length === 0) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }
}
