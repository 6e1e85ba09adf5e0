/**
 * The HPACK decoder (RFC 7541): decodes complete header blocks, keeping
 * the dynamic table in step with the peer's encoder.
 *
 * @module
 */

import { DynamicTable } from "./dynamic_table.ts";
import { HpackError } from "./error.ts";
import { huffmanDecodedLengthBound, huffmanDecodeInto } from "./huffman.ts";
import { decodeInteger, type IntegerCursor, MAX_INTEGER } from "./integer.ts";
import {
  type HeaderField,
  STATIC_TABLE,
  STATIC_TABLE_LENGTH,
} from "./static_table.ts";

/** Options of the {@linkcode HpackDecoder} constructor. */
export interface HpackDecoderOptions {
  /** Our SETTINGS_HEADER_TABLE_SIZE: the largest table the peer may use (default 4096). */
  maxTableSize?: number;
  /**
   * Largest decoded header list, counted as in HTTP/2 (name + value + 32
   * octets per field); default 65536.
   */
  maxHeaderListSize?: number;
}

/**
 * Decodes HPACK header blocks. One decoder per connection direction; blocks
 * must be decoded in the order they arrive. After an {@linkcode HpackError}
 * whose `tableIntact` is `false` the decoder refuses further blocks.
 *
 * @example
 * ```ts
 * import { HpackDecoder } from "./mod.ts";
 * const decoder = new HpackDecoder();
 * decoder.decode(Uint8Array.of(0x82, 0x86, 0x84)); // [[":method", "GET"], [":scheme", "http"], [":path", "/"]]
 * ```
 */
export class HpackDecoder {
  #table: DynamicTable;
  #limit: number;
  #maxListSize: number;
  #updateRequired = false;
  #failed = false;
  #cursor: IntegerCursor = { offset: 0 };
  /**
   * Where fields are collected; the caller gets an exact-size copy (a list
   * grown by `push` starts with room for 16 fields).
   */
  #fields: HeaderField[] = [];
  #scratch = new Uint8Array(256);

  /**
   * Creates a decoder with an empty dynamic table.
   *
   * @param options table size limit and header list size limit
   * @throws {RangeError} when a size is not an integer from 0 to 2^32 - 1
   */
  constructor(options: HpackDecoderOptions = {}) {
    const limit = options.maxTableSize ?? 4096;
    this.#table = new DynamicTable(limit);
    this.#limit = limit;
    const listSize = options.maxHeaderListSize ?? 65536;
    if (!Number.isInteger(listSize) || listSize < 0) {
      throw new RangeError(`invalid maxHeaderListSize: ${listSize}`);
    }
    this.#maxListSize = listSize;
  }

  /** The dynamic table (read it; do not modify it). */
  get table(): DynamicTable {
    return this.#table;
  }

  /**
   * Changes our SETTINGS_HEADER_TABLE_SIZE; call it when the peer has
   * acknowledged the SETTINGS frame carrying it. When it is below the size
   * the peer's encoder uses, the next block must start with a dynamic table
   * size update within the new limit.
   *
   * @param size the new limit in octets
   * @throws {RangeError} when `size` is not an integer from 0 to 2^32 - 1
   */
  setMaxTableSize(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > MAX_INTEGER) {
      throw new RangeError(`invalid HPACK table size: ${size}`);
    }
    this.#limit = size;
    if (size < this.#table.maxSize) this.#updateRequired = true;
  }

  /**
   * Decodes one complete header block (HEADERS plus CONTINUATION fragments,
   * concatenated).
   *
   * @param block the header block
   * @returns the header list, in order; static and indexed fields are
   * shared, frozen or table-owned tuples: do not modify them
   * @throws {HpackError} when the block is malformed or the list too large
   */
  decode(block: Uint8Array): HeaderField[] {
    if (this.#failed) {
      throw new HpackError("decoder is unusable after a compression error");
    }
    try {
      return this.#decode(block);
    } catch (error) {
      if (!(error instanceof HpackError && error.tableIntact)) {
        this.#failed = true;
      }
      throw error;
    }
  }

  #decode(block: Uint8Array): HeaderField[] {
    const end = block.length;
    const cursor = this.#cursor;
    const table = this.#table;
    const out = this.#fields;
    let count = 0;
    const maxListSize = this.#maxListSize;
    let listSize = 0;
    let tooLarge = false;
    let p = 0;

    // Dynamic table size updates: only at the start of a block (Section 4.2).
    while (p < end && (block[p] & 0xe0) === 0x20) {
      const size = decodeInteger(block, p, end, 5, cursor);
      p = cursor.offset;
      // Section 6.3: "The new maximum size MUST be lower than or equal to
      // the limit determined by the protocol using HPACK."
      if (size > this.#limit) {
        throw new HpackError(
          `dynamic table size update to ${size} exceeds the limit ${this.#limit}`,
        );
      }
      table.setMaxSize(size);
      this.#updateRequired = false;
    }
    if (this.#updateRequired && p < end) {
      throw new HpackError(
        "header block must start with a dynamic table size update after SETTINGS_HEADER_TABLE_SIZE was reduced",
      );
    }

    while (p < end) {
      const b = block[p];
      let field: HeaderField;
      if (b >= 0x80) {
        // Indexed header field (Section 6.1).
        const index = decodeInteger(block, p, end, 7, cursor);
        p = cursor.offset;
        field = this.#field(index);
      } else if (b >= 0x40) {
        // Literal with incremental indexing (Section 6.2.1).
        field = this.#literal(block, p, end, 6);
        p = cursor.offset;
        table.add(field);
      } else if (b >= 0x20) {
        throw new HpackError(
          "dynamic table size update after the start of the header block",
        );
      } else {
        // Literal without indexing (0000) or never indexed (0001).
        field = this.#literal(block, p, end, 4);
        p = cursor.offset;
      }
      if (!tooLarge) {
        listSize += 32 + field[0].length + field[1].length;
        if (listSize > maxListSize) tooLarge = true;
        else out[count++] = field;
      }
    }
    if (tooLarge) {
      // The whole block was processed, so the table is still in sync.
      throw new HpackError(
        `decoded header list exceeds ${maxListSize} octets`,
        true,
      );
    }
    const list = out.slice(0, count);
    // Later blocks overwrite the slots; only oversized leftovers are cut.
    if (out.length > 64) out.length = 0;
    return list;
  }

  #field(index: number): HeaderField {
    if (index === 0) {
      throw new HpackError("index 0 is not a valid header index");
    }
    if (index <= STATIC_TABLE_LENGTH) return STATIC_TABLE[index - 1];
    const field = this.#table.get(index - STATIC_TABLE_LENGTH);
    if (field === undefined) {
      throw new HpackError(
        `header index ${index} is beyond the tables (${STATIC_TABLE_LENGTH} static + ${this.#table.length} dynamic)`,
      );
    }
    return field;
  }

  /** Reads a literal field whose representation octet is at `p`; leaves the cursor after it. */
  #literal(
    block: Uint8Array,
    p: number,
    end: number,
    prefix: number,
  ): HeaderField {
    const cursor = this.#cursor;
    const index = decodeInteger(block, p, end, prefix, cursor);
    let name: string;
    if (index === 0) {
      name = this.#string(block, cursor.offset, end);
    } else {
      name = this.#field(index)[0];
    }
    const value = this.#string(block, cursor.offset, end);
    return [name, value];
  }

  /** Reads a string literal (Section 5.2) at `p`; leaves the cursor after it. */
  #string(block: Uint8Array, p: number, end: number): string {
    if (p >= end) {
      throw new HpackError("truncated header block: string literal expected");
    }
    const cursor = this.#cursor;
    const huffman = block[p] >= 0x80;
    const length = decodeInteger(block, p, end, 7, cursor);
    const start = cursor.offset;
    if (length > end - start) {
      throw new HpackError(
        `string literal length ${length} exceeds the ${
          end - start
        } octets left in the block`,
      );
    }
    cursor.offset = start + length;
    if (!huffman) return latin1(block, start, start + length);
    const bound = huffmanDecodedLengthBound(length);
    if (this.#scratch.length < bound) {
      this.#scratch = new Uint8Array(Math.max(bound, this.#scratch.length * 2));
    }
    const n = huffmanDecodeInto(block, start, start + length, this.#scratch, 0);
    return latin1(this.#scratch, 0, n);
  }
}

const CHUNK = 4096;
const SMALL = 256;
// Plain arrays, one per length, reused: `String.fromCharCode.apply` on
// them avoids the typed-array view a `subarray` would allocate (costly).
const charArrays: number[][] = [];

/** One char per octet. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= SMALL) {
    let chars = charArrays[n];
    if (chars === undefined) {
      chars = charArrays[n] = new Array<number>(n).fill(0);
    }
    for (let i = 0; i < n; i++) chars[i] = bytes[start + i];
    return String.fromCharCode.apply(null, chars);
  }
  let s = "";
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(i + CHUNK, end)) as unknown as number[],
    );
  }
  return s;
}
