/**
 * {@linkcode RequestQueue}: requests waiting for a stream slot, first in
 * first out, with O(1) push and shift and lazy removal (a record that
 * timed out while queued is skipped when its turn comes).
 *
 * @module
 */

import { type StreamRecord, StreamState } from "./stream.ts";

/** FIFO of queued {@linkcode StreamRecord}s. */
export class RequestQueue {
  #items: (StreamRecord | undefined)[] = [];
  #head = 0;
  #size = 0;

  /** Records still queued. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a queued record.
   *
   * @param rec a record in state QUEUED
   */
  push(rec: StreamRecord): void {
    this.#items.push(rec);
    this.#size++;
  }

  /**
   * Takes the oldest record still queued.
   *
   * @returns the record, or `null` when none is left
   */
  shift(): StreamRecord | null {
    const items = this.#items;
    while (this.#size > 0) {
      const rec = items[this.#head];
      items[this.#head++] = undefined;
      if (rec !== undefined && rec.state === StreamState.QUEUED) {
        this.#size--;
        this.#compact();
        return rec;
      }
    }
    this.#compact();
    return null;
  }

  /**
   * Accounts for a queued record that left the queue by other means (its
   * state is no longer QUEUED; its slot is skipped later).
   */
  forget(): void {
    this.#size--;
    this.#compact();
  }

  /**
   * Empties the queue.
   *
   * @returns the records that were still queued, oldest first
   */
  drain(): StreamRecord[] {
    const out: StreamRecord[] = [];
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const rec = items[i];
      if (rec !== undefined && rec.state === StreamState.QUEUED) out.push(rec);
    }
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
    return out;
  }

  #compact(): void {
    if (this.#size === 0) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
