/**
 * {@linkcode PingTracker}: our outstanding PINGs (RFC 9113 §6.7), each with
 * a unique 8-byte payload and a deadline for its ACK.
 *
 * @module
 */

import { TimeoutError } from "../errors.ts";

type Timer = ReturnType<typeof setTimeout>;

interface PingEntry {
  readonly sentAt: number;
  readonly resolve: ((ms: number) => void) | null;
  readonly reject: ((error: Error) => void) | null;
  readonly timer: Timer;
}

/** Outstanding PINGs: payloads out, ACKs matched, missing ACKs reported. */
export class PingTracker {
  #pending = new Map<number, PingEntry>();
  #counter = 0;
  #keepalives = 0;
  #payload = new Uint8Array(8);
  #view = new DataView(this.#payload.buffer);
  #timeout: number;
  #onTimeout: (error: TimeoutError) => void;

  /**
   * Makes an empty tracker.
   *
   * @param timeout ms to wait for each ACK
   * @param onTimeout called when an ACK is late (after the PING's own
   *   `reject`); the connection is dead then
   */
  constructor(timeout: number, onTimeout: (error: TimeoutError) => void) {
    this.#timeout = timeout;
    this.#onTimeout = onTimeout;
  }

  /** Whether a keep-alive PING (one without a caller) awaits its ACK. */
  get keepalivePending(): boolean {
    return this.#keepalives > 0;
  }

  /**
   * Registers a PING and returns the payload to send (a shared buffer:
   * write it before the next call).
   *
   * @param resolve receives the round trip in ms, or `null` for keep-alive
   * @param reject receives the error when the ACK is late or the
   *   connection ends, or `null`
   * @returns the 8-byte payload
   */
  start(
    resolve: ((ms: number) => void) | null,
    reject: ((error: Error) => void) | null,
  ): Uint8Array {
    const key = ++this.#counter;
    this.#view.setUint32(0, Math.floor(key / 0x100000000));
    this.#view.setUint32(4, key >>> 0);
    const timeout = this.#timeout;
    const timer = setTimeout(() => {
      if (!this.#remove(key)) return;
      const error = new TimeoutError(`no PING ACK within ${timeout} ms`);
      reject?.(error);
      this.#onTimeout(error);
    }, timeout);
    this.#pending.set(key, {
      sentAt: performance.now(),
      resolve,
      reject,
      timer,
    });
    if (resolve === null) this.#keepalives++;
    return this.#payload;
  }

  /**
   * Matches a PING ACK to its PING (unknown payloads are ignored).
   *
   * @param payload the ACK's 8 bytes
   * @returns whether it answered one of ours
   */
  ack(payload: Uint8Array): boolean {
    const p = payload;
    const key = ((p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]) >>> 0) *
        0x100000000 +
      ((p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7]) >>> 0);
    const entry = this.#pending.get(key);
    if (entry === undefined) return false;
    this.#remove(key);
    clearTimeout(entry.timer);
    entry.resolve?.(performance.now() - entry.sentAt);
    return true;
  }

  /**
   * Fails every outstanding PING and clears the timers.
   *
   * @param error what their callers get
   */
  rejectAll(error: Error): void {
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    this.#keepalives = 0;
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.reject?.(error);
    }
  }

  #remove(key: number): boolean {
    const entry = this.#pending.get(key);
    if (entry === undefined) return false;
    this.#pending.delete(key);
    if (entry.resolve === null) this.#keepalives--;
    return true;
  }
}
