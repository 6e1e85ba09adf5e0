/**
 * Flow-control arithmetic (RFC 9113 §5.2, §6.9): the receive side's window
 * accounting with batched WINDOW_UPDATEs, and the overflow check for
 * windows that grow.
 *
 * @module
 */

import { MAX_WINDOW_SIZE } from "./frame/types.ts";

/**
 * Adds `delta` to a flow-control window.
 *
 * RFC 9113 §6.9.1: a sender MUST NOT allow a flow-control window to exceed
 * 2^31-1 octets; §6.9.2: a change of SETTINGS_INITIAL_WINDOW_SIZE can make
 * a window negative.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(growWindow(65535, -65635), -100);
 * assert.ok(Number.isNaN(growWindow(0x7fffffff, 1)));
 * ```
 *
 * @param window the current window (may be negative)
 * @param delta the change (increment, or settings difference)
 * @returns the new window, or `NaN` when it would exceed 2^31-1
 */
export function growWindow(window: number, delta: number): number {
  const next = window + delta;
  return next > MAX_WINDOW_SIZE ? NaN : next;
}

/**
 * A receive window whose consumed bytes are given back to the peer in
 * batches: a WINDOW_UPDATE once half the window has been consumed, as
 * hyperium/h2 does, so small responses cost no extra frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const w = new ReceiveWindow(100);
 * assert.ok(w.consume(40));
 * assert.equal(w.takeUpdate(), 0);
 * assert.ok(w.consume(20));
 * assert.equal(w.takeUpdate(), 60);
 * assert.equal(w.available, 100);
 * assert.ok(!w.consume(101));
 * ```
 */
export class ReceiveWindow {
  #size: number;
  #available: number;
  #unacked = 0;

  /**
   * Makes a window of `size` bytes, all available.
   *
   * @param size the window we announce (0..2^31-1)
   * @param available what the peer may send now (default `size`)
   */
  constructor(size: number, available = size) {
    this.#size = size;
    this.#available = available;
  }

  /** Bytes the peer may still send. */
  get available(): number {
    return this.#available;
  }

  /**
   * Accounts for received flow-controlled bytes (consumed at once).
   *
   * @param n the frame's flow-controlled length (payload and padding)
   * @returns `false` when the peer overran the window (FLOW_CONTROL_ERROR)
   */
  consume(n: number): boolean {
    this.#available -= n;
    if (this.#available < 0) return false;
    this.#unacked += n;
    return true;
  }

  /**
   * Returns the increment to send now (and counts it as sent), or 0 while
   * less than half the window has been consumed.
   *
   * @returns the WINDOW_UPDATE increment, or 0
   */
  takeUpdate(): number {
    const n = this.#unacked;
    if (n === 0 || n < this.#size / 2) return 0;
    this.#unacked = 0;
    this.#available += n;
    return n;
  }
}
