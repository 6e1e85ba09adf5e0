/**
 * {@linkcode StreamTable}: the connection's open streams by id.
 *
 * Client stream ids go up by two, so a ring indexed by `(id >>> 1) & mask`
 * holds the open streams without collisions as long as they span fewer ids
 * than the ring has slots; every operation is then one array access. A
 * stream that stays open while ids wrap past it (a slow request among
 * thousands) makes a newer id land on its slot: that one waits in a small
 * overflow map, and the ring doubles when the overflow grows.
 *
 * A `Map` would do the same job, but under constant insert/delete churn it
 * rehashes every few thousand operations, and each retired table still
 * points at the streams that were open when it was replaced: once such a
 * table has aged into V8's old generation it keeps those records alive
 * across young-generation collections. Here slots are cleared on delete.
 *
 * @module
 */

import type { StreamRecord } from "./stream.ts";

/** Open streams by stream id (ids are positive). */
export class StreamTable {
  #ids: Int32Array;
  #records: (StreamRecord | undefined)[];
  #mask: number;
  /** Streams whose slot was taken by an older open stream. */
  #overflow: Map<number, StreamRecord> | null = null;
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

  /**
   * The record of stream `id`, or `undefined`.
   *
   * @param id stream id
   * @returns the record
   */
  get(id: number): StreamRecord | undefined {
    const slot = (id >>> 1) & this.#mask;
    if (this.#ids[slot] === id) return this.#records[slot];
    return this.#overflow?.get(id);
  }

  /**
   * Adds (or replaces) the record of stream `id`.
   *
   * @param id stream id (> 0)
   * @param rec the record
   */
  set(id: number, rec: StreamRecord): void {
    const slot = (id >>> 1) & this.#mask;
    const at = this.#ids[slot];
    if (at === id) {
      this.#records[slot] = rec;
      return;
    }
    if (at === 0) {
      this.#ids[slot] = id;
      this.#records[slot] = rec;
      this.#size++;
      return;
    }
    const overflow = this.#overflow ??= new Map();
    const size = overflow.size;
    overflow.set(id, rec);
    if (overflow.size === size) return; // replaced
    this.#size++;
    if (overflow.size * 8 > this.#ids.length) this.#grow();
  }

  /**
   * Removes stream `id`.
   *
   * @param id stream id
   * @returns whether it was there
   */
  delete(id: number): boolean {
    const slot = (id >>> 1) & this.#mask;
    if (this.#ids[slot] === id) {
      this.#ids[slot] = 0;
      this.#records[slot] = undefined;
    } else if (!this.#overflow?.delete(id)) {
      return false;
    }
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
    if (this.#overflow) out.push(...this.#overflow.values());
    return out.sort((a, b) => a.id - b.id);
  }

  /** Removes every record. */
  clear(): void {
    this.#ids.fill(0);
    this.#records.fill(undefined);
    this.#overflow = null;
    this.#size = 0;
  }

  /** Doubles the ring until the overflow fits in it again. */
  #grow(): void {
    const entries: [number, StreamRecord][] = [];
    for (let i = 0; i < this.#ids.length; i++) {
      if (this.#ids[i] !== 0) entries.push([this.#ids[i], this.#records[i]!]);
    }
    if (this.#overflow) entries.push(...this.#overflow);
    let slots = this.#ids.length * 2;
    for (;;) {
      const mask = slots - 1;
      const taken = new Set<number>();
      let clashes = 0;
      for (const [id] of entries) {
        const slot = (id >>> 1) & mask;
        if (taken.has(slot)) clashes++;
        else taken.add(slot);
      }
      if (clashes * 8 <= slots) break;
      slots *= 2;
    }
    this.#ids = new Int32Array(slots);
    this.#records = new Array(slots).fill(undefined);
    this.#mask = slots - 1;
    this.#overflow = null;
    this.#size = 0;
    for (const [id, rec] of entries) this.set(id, rec);
  }
}
