/**
 * HPACK prefix integers (RFC 7541 Section 5.1).
 *
 * @module
 */

import { HpackError } from "./error.ts";

/** The largest integer the decoder accepts (and the encoder writes): 2^32 - 1. */
export const MAX_INTEGER = 0xffffffff;

/** Cursor that {@linkcode decodeInteger} advances past the integer it reads. */
export interface IntegerCursor {
  /** Offset of the next unread octet. */
  offset: number;
}

/**
 * Writes `value` as a prefix integer at `offset`: the first octet holds
 * `flags` in its high bits and the value (or the all-ones marker) in its
 * low `prefixBits` bits. At most 6 octets are written.
 *
 * @param value integer from 0 to {@linkcode MAX_INTEGER}
 * @param prefixBits prefix size, 1 to 8
 * @param flags bits of the first octet above the prefix
 * @param out destination buffer (room for the result is the caller's task)
 * @param offset where the first octet goes
 * @returns the offset after the last octet written
 * @throws {RangeError} when `value` is not an integer in range
 */
export function encodeInteger(
  value: number,
  prefixBits: number,
  flags: number,
  out: Uint8Array,
  offset: number,
): number {
  const max = (1 << prefixBits) - 1;
  if (value < max && value >= 0 && Number.isInteger(value)) {
    out[offset] = flags | value;
    return offset + 1;
  }
  if (!(Number.isInteger(value) && value >= 0 && value <= MAX_INTEGER)) {
    throw new RangeError(`HPACK integer out of range: ${value}`);
  }
  out[offset++] = flags | max;
  value -= max;
  while (value >= 128) {
    out[offset++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}

/**
 * Number of octets {@linkcode encodeInteger} writes for `value`.
 *
 * @param value integer from 0 to {@linkcode MAX_INTEGER}
 * @param prefixBits prefix size, 1 to 8
 * @returns the encoded length in octets
 */
export function integerLength(value: number, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) return 1;
  let n = 2;
  for (value -= max; value >= 128; value = Math.floor(value / 128)) n++;
  return n;
}

/**
 * Reads a prefix integer whose first octet is `bytes[offset]` (which must
 * exist) and sets `cursor.offset` past it. At most 5 continuation octets
 * are accepted.
 *
 * @param bytes source octets
 * @param offset offset of the first octet
 * @param end end of the readable octets (exclusive)
 * @param prefixBits prefix size, 1 to 8
 * @param cursor receives the offset after the integer
 * @returns the value
 * @throws {HpackError} when the integer is truncated or exceeds {@linkcode MAX_INTEGER}
 */
export function decodeInteger(
  bytes: Uint8Array,
  offset: number,
  end: number,
  prefixBits: number,
  cursor: IntegerCursor,
): number {
  const max = (1 << prefixBits) - 1;
  let value = bytes[offset++] & max;
  if (value < max) {
    cursor.offset = offset;
    return value;
  }
  let multiplier = 1;
  for (let i = 0;; i++) {
    if (offset >= end) throw new HpackError("truncated integer");
    if (i === 5) throw new HpackError("integer overflow (too many octets)");
    const b = bytes[offset++];
    value += (b & 127) * multiplier;
    if (b < 128) break;
    multiplier *= 128;
  }
  if (value > MAX_INTEGER) {
    throw new HpackError(`integer overflow (${value} > ${MAX_INTEGER})`);
  }
  cursor.offset = offset;
  return value;
}
