/**
 * {@linkcode PackedTokens}: device tokens kept as bytes while their
 * notifications are in flight, for tokens streamed from an iterable.
 *
 * The binary protocol proves acceptance only when a burst ends, so a
 * streamed token stays in flight for a while. Held as strings, tens of
 * thousands of them survive V8's young-generation collections, and V8 grows
 * that generation to its maximum (about 60 MiB); held as bytes in one buffer
 * they cost 32 bytes each and nothing to the collector. A token that is not
 * exactly 64 lower-case hex digits (upper case, another length, not hex) is
 * kept as the string it was, so every token comes back in a result exactly
 * as the caller gave it.
 *
 * @module
 */

import { encodeHex, writeHex } from "../bytes/hex.ts";

/** Apple's device tokens: 32 bytes, 64 hex digits. */
const TOKEN_BYTES = 32;

/** A batch of tokens, most of them packed as 32 bytes. */
export class PackedTokens {
  readonly #bytes: Uint8Array;
  /** Tokens kept as strings (not canonical), by index. */
  readonly #strings = new Map<number, string>();
  #length = 0;

  /**
   * Makes an empty batch.
   *
   * @param capacity most tokens it will hold
   */
  constructor(readonly capacity: number) {
    this.#bytes = new Uint8Array(capacity * TOKEN_BYTES);
  }

  /** Empties the batch for reuse (its buffer stays). */
  clear(): void {
    this.#length = 0;
    this.#strings.clear();
  }

  /** Tokens pushed so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends a token (any string; one that is not hex fails when written).
   *
   * @param token the token as the caller gave it
   * @throws {RangeError} when the batch is full
   */
  push(token: string): void {
    const index = this.#length;
    if (index >= this.capacity) throw new RangeError("the batch is full");
    // Packed when it is 64 lower-case hex digits: toLowerCase() returns the
    // very same string when there is nothing to lower (no allocation), and
    // the decoder rejects anything but hex.
    if (
      typeof token !== "string" || token.length !== 2 * TOKEN_BYTES ||
      token.toLowerCase() !== token ||
      writeHex(this.#bytes, index * TOKEN_BYTES, token) !== TOKEN_BYTES
    ) {
      this.#strings.set(index, token);
    }
    this.#length = index + 1;
  }

  /**
   * The token at `index`, as the caller gave it.
   *
   * @param index token index
   * @returns the token
   */
  at(index: number): string {
    return this.#strings.get(index) ??
      encodeHex(
        this.#bytes.subarray(index * TOKEN_BYTES, (index + 1) * TOKEN_BYTES),
      );
  }

  /** All tokens, as given (for results). */
  toArray(): string[] {
    return Array.from({ length: this.#length }, (_, i) => this.at(i));
  }

  /**
   * Length in bytes of the token at `index` (half its hex digits).
   *
   * @param index token index
   * @returns the byte length
   */
  byteLength(index: number): number {
    if (this.#strings.size === 0) return TOKEN_BYTES;
    const text = this.#strings.get(index);
    return text === undefined ? TOKEN_BYTES : String(text).length >>> 1;
  }

  /**
   * Writes the token's bytes at `out[offset]`.
   *
   * @param out destination
   * @param offset where the first byte goes
   * @param index token index
   * @returns bytes written, or -1 when the token is not even-length hex
   */
  write(out: Uint8Array, offset: number, index: number): number {
    if (this.#strings.size !== 0) {
      const text = this.#strings.get(index);
      if (text !== undefined) {
        return typeof text === "string" ? writeHex(out, offset, text) : -1;
      }
    }
    const bytes = this.#bytes;
    for (let i = 0, from = index * TOKEN_BYTES; i < TOKEN_BYTES; i++) {
      out[offset + i] = bytes[from + i];
    }
    return TOKEN_BYTES;
  }
}
