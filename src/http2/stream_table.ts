/**
 * {@linkcode StreamTable}: the connection's open streams by id, in an
 * open-addressing hash table that never reallocates while its size stays
 * within capacity.
 *
 * A `Map` under constant insert/delete churn rehashes every few thousand
 * operations; each retired table still points at the streams that were
 * open when it was replaced, and once such a table has aged into V8's old
 * generation it keeps those records (and all they reference) alive across
 * young-generation collections until the next full collection. At tens of
 * thousands of requests a second that is megabytes promoted per scavenge.
 * Here the slots are cleared on delete (backward-shift deletion, no
 * tombstones), so nothing outlives its stream.
 *
 * @module
 */

import type { StreamRecord } from "./stream.ts";

/** Open streams by stream id (ids are positive; client ids are odd). */
export class StreamTable {
  #ids: Int32Array;
  #records: (StreamRecord | undefined)[];
  #mask: number;
  #size = 0;

  /**
   * Makes an empty table.
   *
   * @param capacity initial slots (rounded up to a power of two, at least 16)
   */
  constructor(capacity = 256) {
    let slots = 16;
    while (slots < capacity) slots *= 2;
    this.#ids = new Int32Array(slots);
    this.#records = new Array(slots).fill(undefined);
    this.#mask = slots - 1;
  }

  /** Streams in the table. */
  get size(): number {
    return this.#size;
  }

  #home(id: number): number {
    // Client stream ids go up by two: id >>> 1 spreads them over the slots.
    return (id >>> 1) & this.#mask;
  }

  /**
   * The record of stream `id`, or `undefined`.
   *
   * @param id stream id
   * @returns the record
   */
  get(id: number): StreamRecord | undefined {
    const ids = this.#ids;
    const mask = this.#mask;
    for (let i = this.#home(id);; i = (i + 1) & mask) {
      const at = ids[i];
      if (at === id) return this.#records[i];
      if (at === 0) return undefined;
    }
  }

  /**
   * Adds (or replaces) the record of stream `id`.
   *
   * @param id stream id (> 0)
   * @param rec the record
   */
  set(id: number, rec: StreamRecord): void {
    if ((this.#size + 1) * 2 > this.#ids.length) this.#grow();
    const ids = this.#ids;
    const mask = this.#mask;
    for (let i = this.#home(id);; i = (i + 1) & mask) {
      const at = ids[i];
      if (at === id) {
        this.#records[i] = rec;
        return;
      }
      if (at === 0) {
        ids[i] = id;
        this.#records[i] = rec;
        this.#size++;
        return;
      }
    }
  }

  /**
   * Removes stream `id`.
   *
   * @param id stream id
   * @returns whether it was there
   */
  delete(id: number): boolean {
    const ids = this.#ids;
    const records = this.#records;
    const mask = this.#mask;
    let i = this.#home(id);
    while (ids[i] !== id) {
      if (ids[i] === 0) return false;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: pull later entries of the probe run into the
    // hole unless their home slot lies cyclically in (hole, their slot].
    for (let j = (i + 1) & mask; ids[j] !== 0; j = (j + 1) & mask) {
      const home = this.#home(ids[j]);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      ids[i] = ids[j];
      records[i] = records[j];
      i = j;
    }
    ids[i] = 0;
    records[i] = undefined;
    this.#size--;
    return true;
  }

  /**
   * The records, in stream id order (a copy: the table may change while
   * the caller walks it).
   *
   * @returns the records
   */
  records(): StreamRecord[] {
    const out: StreamRecord[] = [];
    for (const rec of this.#records) if (rec !== undefined) out.push(rec);
    return out.sort((a, b) => a.id - b.id);
  }

  /** Removes every record. */
  clear(): void {
    this.#ids.fill(0);
    this.#records.fill(undefined);
    this.#size = 0;
  }

  #grow(): void {
    const ids = this.#ids;
    const records = this.#records;
    const slots = ids.length * 2;
    this.#ids = new Int32Array(slots);
    this.#records = new Array(slots).fill(undefined);
    this.#mask = slots - 1;
    this.#size = 0;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] !== 0) this.set(ids[i], records[i]!);
    }
  }
}
