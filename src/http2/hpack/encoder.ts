/**
 * The HPACK encoder (RFC 7541), modelled on hyperium/h2's: static and
 * dynamic lookups through maps, incremental indexing of repeating fields,
 * never-indexed literals for sensitive ones, Huffman coding when shorter.
 *
 * @module
 */

import { DynamicTable } from "./dynamic_table.ts";
import { huffmanEncodedLength, huffmanEncodeInto } from "./huffman.ts";
import { encodeInteger } from "./integer.ts";
import {
  type HeaderField,
  STATIC_TABLE_LENGTH,
  staticLookup,
} from "./static_table.ts";

/** How the encoder represents fields. Per-call values replace the encoder's defaults. */
export interface EncodeOptions {
  /**
   * Huffman-code string literals: `true` whenever the coding is not longer
   * than the raw octets, `false` never; by default only when it is shorter.
   */
  huffman?: boolean;
  /**
   * Names whose fields use never-indexed literals (RFC 7541 Section 7.1.3),
   * so no intermediary may index them. Default: none.
   */
  neverIndex?: ReadonlySet<string>;
  /**
   * Names whose fields are sent as literals without indexing unless the
   * exact field is already in a table, because their values rarely repeat.
   * Default: {@linkcode DEFAULT_NO_INDEX}.
   */
  noIndex?: ReadonlySet<string>;
}

/** Options of the {@linkcode HpackEncoder} constructor. */
export interface HpackEncoderOptions extends EncodeOptions {
  /**
   * The peer's SETTINGS_HEADER_TABLE_SIZE at the start of the connection
   * (default 4096, the HTTP/2 initial value). No size update is sent for
   * it unless the cap below is smaller.
   */
  maxTableSize?: number;
  /**
   * The largest dynamic table this encoder uses, whatever the peer allows
   * (default 4096, like nghttp2); it signals the smaller size to the peer.
   */
  tableSizeCap?: number;
}

/**
 * Names not indexed by default: per-request values (device-token paths,
 * notification ids, body lengths).
 */
export const DEFAULT_NO_INDEX: ReadonlySet<string> = Object.freeze(
  new Set([":path", "apns-id", "apns-unique-id", "content-length"]),
);

const EMPTY_SET: ReadonlySet<string> = Object.freeze(new Set<string>());

/**
 * Per name: the insertion number of the newest entry and of each value, and
 * an upper bound of the values' length (longer values skip the lookup).
 */
interface NameEntries {
  newest: number;
  readonly values: Map<string, number>;
  longest: number;
}

// Worst case per field beyond its name and value octets: one representation
// integer and two length integers of at most 6 octets, minus the shared
// first octet of a new-name literal.
const FIELD_OVERHEAD = 13;
// Two dynamic table size updates.
const BLOCK_OVERHEAD = 12;

/**
 * Encodes header lists into HPACK header blocks. One encoder per
 * connection direction; blocks must be sent in the order they are encoded.
 *
 * @example
 * ```ts
 * import { HpackDecoder, HpackEncoder } from "./mod.ts";
 * const encoder = new HpackEncoder();
 * const block = encoder.encode([[":method", "POST"], ["apns-topic", "com.example"]]);
 * const fields = new HpackDecoder().decode(block);
 * ```
 */
export class HpackEncoder {
  #table: DynamicTable;
  #byName = new Map<string, NameEntries>();
  #huffman: boolean | undefined;
  #neverIndex: ReadonlySet<string>;
  #noIndex: ReadonlySet<string>;
  /** Smallest size set since the last block, or -1 when none is pending. */
  #pendingMin = -1;
  #cap: number;
  #scratch = new Uint8Array(1024);

  /**
   * Creates an encoder with an empty dynamic table.
   *
   * @param options initial table size, cap and default representation options
   * @throws {RangeError} when `maxTableSize` or `tableSizeCap` is not an
   * integer from 0 to 2^32 - 1
   */
  constructor(options: HpackEncoderOptions = {}) {
    const initial = checkTableSize(options.maxTableSize ?? 4096);
    this.#cap = checkTableSize(options.tableSizeCap ?? 4096);
    const size = Math.min(initial, this.#cap);
    this.#table = new DynamicTable(
      size,
      (field, id) => this.#forget(field, id),
    );
    if (size < initial) this.#pendingMin = size;
    this.#huffman = options.huffman;
    this.#neverIndex = options.neverIndex ?? EMPTY_SET;
    this.#noIndex = options.noIndex ?? DEFAULT_NO_INDEX;
  }

  /** The dynamic table (read it; do not modify it). */
  get table(): DynamicTable {
    return this.#table;
  }

  /**
   * Signals a SETTINGS_HEADER_TABLE_SIZE from the peer; the next block
   * starts with a dynamic table size update to the smaller of it and the
   * cap (two updates when the size went down and up again in between,
   * RFC 7541 Section 4.2).
   *
   * @param peerSize the peer's new SETTINGS_HEADER_TABLE_SIZE
   * @throws {RangeError} when `peerSize` is not an integer from 0 to 2^32 - 1
   */
  setMaxTableSize(peerSize: number): void {
    const size = Math.min(checkTableSize(peerSize), this.#cap);
    this.#table.setMaxSize(size);
    if (this.#pendingMin < 0 || size < this.#pendingMin) {
      this.#pendingMin = size;
    }
  }

  /**
   * Encodes one header block.
   *
   * @param headers the header list, in order; names should be lower case
   * @param options representation options for this block
   * @returns the header block
   * @throws {TypeError} when a name or value is not a string or holds a char above 0xff
   */
  encode(headers: Iterable<HeaderField>, options?: EncodeOptions): Uint8Array {
    const list = Array.isArray(headers)
      ? headers as readonly HeaderField[]
      : [...headers];
    const bound = this.#prepare(list);
    if (this.#scratch.length < bound) {
      this.#scratch = new Uint8Array(Math.max(bound, this.#scratch.length * 2));
    }
    const end = this.#write(list, this.#scratch, 0, options);
    return this.#scratch.slice(0, end);
  }

  /**
   * Encodes one header block into `out` at `offset`, without allocating.
   * Nothing is written and the encoder is unchanged when `out` lacks room
   * for the worst case (at most {@linkcode maxEncodedLength}), in which
   * case -1 is returned.
   *
   * @param headers the header list, in order; names should be lower case
   * @param out destination buffer
   * @param offset where the block starts
   * @param options representation options for this block
   * @returns the offset after the block, or -1 when it may not fit
   * @throws {TypeError} when a name or value is not a string or holds a char above 0xff
   */
  encodeInto(
    headers: readonly HeaderField[],
    out: Uint8Array,
    offset: number,
    options?: EncodeOptions,
  ): number {
    if (out.length - offset < this.#prepare(headers)) return -1;
    return this.#write(headers, out, offset, options);
  }

  /**
   * Bounds the encoded length and checks the strings before anything
   * changes, so that a bad field leaves the encoder as it was. Fields that
   * exactly match a table entry need no check: whatever representation
   * they get, their strings equal those of an entry, checked when it was
   * inserted (or static).
   */
  #prepare(headers: readonly HeaderField[]): number {
    let n = BLOCK_OVERHEAD;
    for (let i = 0; i < headers.length; i++) {
      const field = headers[i];
      const name = field[0];
      const value = field[1];
      if (typeof name !== "string" || typeof value !== "string") {
        throw new TypeError("header names and values must be strings");
      }
      n += FIELD_OVERHEAD + name.length + value.length;
      const stat = staticLookup(name);
      const dyn = this.#byName.get(name);
      if (
        (stat !== undefined && value.length <= stat.longest &&
          stat.values.has(value)) ||
        (dyn !== undefined && value.length <= dyn.longest &&
          dyn.values.has(value))
      ) {
        continue;
      }
      checkOctets(name);
      checkOctets(value);
    }
    return n;
  }

  #write(
    headers: readonly HeaderField[],
    out: Uint8Array,
    p: number,
    options: EncodeOptions | undefined,
  ): number {
    const huffman = options?.huffman ?? this.#huffman;
    const neverIndex = options?.neverIndex ?? this.#neverIndex;
    const noIndex = options?.noIndex ?? this.#noIndex;
    const table = this.#table;

    if (this.#pendingMin >= 0) {
      if (this.#pendingMin < table.maxSize) {
        p = encodeInteger(this.#pendingMin, 5, 0x20, out, p);
      }
      p = encodeInteger(table.maxSize, 5, 0x20, out, p);
      this.#pendingMin = -1;
    }

    for (let i = 0; i < headers.length; i++) {
      const field = headers[i];
      const name = field[0];
      const value = field[1];
      const stat = staticLookup(name);
      const dyn = this.#byName.get(name);
      const never = neverIndex.size !== 0 && neverIndex.has(name);

      if (!never) {
        // Exact match: indexed representation (Section 6.1).
        let index = stat !== undefined && value.length <= stat.longest
          ? stat.values.get(value) ?? 0
          : 0;
        if (index === 0 && dyn !== undefined && value.length <= dyn.longest) {
          const id = dyn.values.get(value);
          if (id !== undefined) {
            index = STATIC_TABLE_LENGTH + table.insertCount - id;
          }
        }
        if (index !== 0) {
          p = encodeInteger(index, 7, 0x80, out, p);
          continue;
        }
      }

      const nameIndex = stat !== undefined
        ? stat.index
        : dyn !== undefined
        ? STATIC_TABLE_LENGTH + table.insertCount - dyn.newest
        : 0;

      if (
        never || (noIndex.size !== 0 && noIndex.has(name)) ||
        // Like nghttp2: an entry above 3/4 of the table would flush it.
        (32 + name.length + value.length) * 4 > table.maxSize * 3
      ) {
        // Literal without indexing (0000) or never indexed (0001), Section 6.2.2/6.2.3.
        const flags = never ? 0x10 : 0x00;
        if (nameIndex !== 0) {
          p = encodeInteger(nameIndex, 4, flags, out, p);
        } else {
          out[p++] = flags;
          p = writeString(name, huffman, out, p);
        }
        p = writeString(value, huffman, out, p);
        continue;
      }

      // Literal with incremental indexing (01), Section 6.2.1.
      if (nameIndex !== 0) {
        p = encodeInteger(nameIndex, 6, 0x40, out, p);
      } else {
        out[p++] = 0x40;
        p = writeString(name, huffman, out, p);
      }
      p = writeString(value, huffman, out, p);
      this.#remember(name, value);
    }
    return p;
  }

  #remember(name: string, value: string): void {
    const id = this.#table.add([name, value]);
    if (id < 0) return;
    const entries = this.#byName.get(name);
    if (entries === undefined) {
      this.#byName.set(name, {
        newest: id,
        values: new Map([[value, id]]),
        longest: value.length,
      });
    } else {
      entries.newest = id;
      entries.values.set(value, id);
      if (value.length > entries.longest) entries.longest = value.length;
    }
  }

  #forget(field: HeaderField, id: number): void {
    const entries = this.#byName.get(field[0]);
    if (entries === undefined) return;
    // Eviction is oldest first: when the newest entry of a name goes, all go.
    if (entries.newest === id) {
      this.#byName.delete(field[0]);
    } else if (entries.values.get(field[1]) === id) {
      entries.values.delete(field[1]);
    }
  }
}

/**
 * Upper bound of the encoded length of a header list, whatever the table
 * state. Also checks that every name and value is a string of chars
 * 0x00-0xff.
 *
 * @param headers the header list
 * @returns the bound in octets
 * @throws {TypeError} when a name or value is not such a string
 */
export function maxEncodedLength(headers: readonly HeaderField[]): number {
  let n = BLOCK_OVERHEAD;
  for (let i = 0; i < headers.length; i++) {
    const field = headers[i];
    const name = field[0];
    const value = field[1];
    if (typeof name !== "string" || typeof value !== "string") {
      throw new TypeError("header names and values must be strings");
    }
    checkOctets(name);
    checkOctets(value);
    n += FIELD_OVERHEAD + name.length + value.length;
  }
  return n;
}

// V8 answers this at once for strings stored one octet per char.
const NON_OCTET = /[\u0100-\uffff]/;

function checkTableSize(size: number): number {
  if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
    throw new RangeError(`invalid HPACK table size: ${size}`);
  }
  return size;
}

function checkOctets(s: string): void {
  if (NON_OCTET.test(s)) {
    const i = s.search(NON_OCTET);
    throw new TypeError(
      `header field char ${
        s.charCodeAt(i)
      } at ${i} is not an octet (0x00-0xff)`,
    );
  }
}

/** Writes a string literal (Section 5.2). */
function writeString(
  s: string,
  huffman: boolean | undefined,
  out: Uint8Array,
  p: number,
): number {
  const n = s.length;
  if (huffman !== false && n !== 0) {
    const coded = huffmanEncodedLength(s);
    // `true` takes the coding unless it is longer (keeps maxEncodedLength a bound).
    if (coded < n || (huffman === true && coded === n)) {
      p = encodeInteger(coded, 7, 0x80, out, p);
      return huffmanEncodeInto(s, out, p);
    }
  }
  p = encodeInteger(n, 7, 0x00, out, p);
  for (let i = 0; i < n; i++) out[p + i] = s.charCodeAt(i);
  return p + n;
}
