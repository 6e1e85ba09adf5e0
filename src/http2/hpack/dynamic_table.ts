/**
 * The HPACK dynamic table (RFC 7541 Section 4): a FIFO of header fields in
 * a growable ring buffer, with the size accounting of Section 4.1 and the
 * evictions of Sections 4.3 and 4.4.
 *
 * @module
 */

import type { HeaderField } from "./static_table.ts";

/** Per-entry overhead of RFC 7541 Section 4.1, in octets. */
export const ENTRY_OVERHEAD = 32;

/**
 * Size of an entry: its name and value length in octets plus 32. Strings
 * hold one octet per char.
 *
 * @param name header name
 * @param value header value
 * @returns the entry size in octets
 */
export function entrySize(name: string, value: string): number {
  return ENTRY_OVERHEAD + name.length + value.length;
}

/**
 * Called for every entry the table evicts, oldest first.
 *
 * @param field the evicted entry
 * @param id its insertion number (see {@linkcode DynamicTable.insertCount})
 */
export type EvictionListener = (field: HeaderField, id: number) => void;

/**
 * The dynamic table. Index 1 is the newest entry. Every inserted entry
 * gets an insertion number (0, 1, 2, ...); the entry numbered `id` has
 * index `insertCount - id` while it is in the table.
 */
export class DynamicTable {
  #ring: (HeaderField | undefined)[] = new Array(16);
  #mask = 15;
  #head = 0; // insertion number of the next entry
  #tail = 0; // insertion number of the oldest entry
  #size = 0;
  #maxSize: number;
  #onEvict: EvictionListener | undefined;

  /**
   * Creates an empty table.
   *
   * @param maxSize maximum size in octets
   * @param onEvict optional listener for evictions
   */
  constructor(maxSize: number, onEvict?: EvictionListener) {
    checkSize(maxSize);
    this.#maxSize = maxSize;
    this.#onEvict = onEvict;
  }

  /** Number of entries. */
  get length(): number {
    return this.#head - this.#tail;
  }

  /** Current size in octets (Section 4.1). */
  get size(): number {
    return this.#size;
  }

  /** Maximum size in octets. */
  get maxSize(): number {
    return this.#maxSize;
  }

  /** Number of entries ever inserted; the next entry gets this insertion number. */
  get insertCount(): number {
    return this.#head;
  }

  /**
   * Entry at dynamic index `index` (1 is the newest).
   *
   * @param index 1-based dynamic index
   * @returns the entry, or `undefined` when there is none at that index
   */
  get(index: number): HeaderField | undefined {
    if (index < 1 || index > this.#head - this.#tail) return undefined;
    return this.#ring[(this.#head - index) & this.#mask];
  }

  /**
   * Inserts `field` as the newest entry, evicting the oldest ones until it
   * fits. An entry larger than the maximum size empties the table and is
   * not inserted (Section 4.4).
   *
   * @param field the entry
   * @returns its insertion number, or -1 when it was too large to insert
   */
  add(field: HeaderField): number {
    const size = ENTRY_OVERHEAD + field[0].length + field[1].length;
    if (size > this.#maxSize) {
      this.#evictTo(0);
      return -1;
    }
    this.#evictTo(this.#maxSize - size);
    if (this.#head - this.#tail > this.#mask) this.#grow();
    const id = this.#head++;
    this.#ring[id & this.#mask] = field;
    this.#size += size;
    return id;
  }

  /**
   * Changes the maximum size, evicting entries until the table fits
   * (Section 4.3).
   *
   * @param maxSize new maximum size in octets
   * @throws {RangeError} when `maxSize` is not a non-negative integer
   */
  setMaxSize(maxSize: number): void {
    checkSize(maxSize);
    this.#maxSize = maxSize;
    this.#evictTo(maxSize);
  }

  /**
   * The entries, newest first (for inspection and tests).
   *
   * @returns a new array of the entries
   */
  entries(): HeaderField[] {
    const out: HeaderField[] = [];
    for (let i = 1; i <= this.length; i++) out.push(this.get(i)!);
    return out;
  }

  #evictTo(limit: number): void {
    while (this.#size > limit) {
      const id = this.#tail++;
      const slot = id & this.#mask;
      const field = this.#ring[slot]!;
      this.#ring[slot] = undefined;
      this.#size -= ENTRY_OVERHEAD + field[0].length + field[1].length;
      if (this.#onEvict !== undefined) this.#onEvict(field, id);
    }
  }

  #grow(): void {
    const old = this.#ring;
    const oldMask = this.#mask;
    const ring = new Array<HeaderField | undefined>(old.length * 2);
    const mask = ring.length - 1;
    for (let id = this.#tail; id < this.#head; id++) {
      ring[id & mask] = old[id & oldMask];
    }
    this.#ring = ring;
    this.#mask = mask;
  }
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
    throw new RangeError(`invalid HPACK table size: ${size}`);
  }
}
