/**
 * The 9-byte frame header (RFC 9113 §4.1) and the argument checks shared by
 * the frame encoders.
 *
 * ```
 * HTTP Frame {
 *   Length (24),
 *   Type (8),
 *   Flags (8),
 *   Reserved (1),
 *   Stream Identifier (31),
 *   Frame Payload (..),
 * }
 * ```
 *
 * @module
 */

import {
  FRAME_HEADER_LENGTH,
  MAX_MAX_FRAME_SIZE,
  MAX_STREAM_ID,
} from "./types.ts";

/**
 * Writes a frame header at `offset`. The reserved bit is sent unset
 * (RFC 9113 §4.1: it MUST remain unset when sending).
 *
 * @param out destination, with 9 bytes of room at `offset`
 * @param offset where the header goes
 * @param length payload length (0..2^24-1, not checked)
 * @param type frame type code
 * @param flags frame flags
 * @param streamId stream identifier (0..2^31-1, not checked)
 */
export function writeFrameHeader(
  out: Uint8Array,
  offset: number,
  length: number,
  type: number,
  flags: number,
  streamId: number,
): void {
  out[offset] = length >>> 16;
  out[offset + 1] = length >>> 8;
  out[offset + 2] = length;
  out[offset + 3] = type;
  out[offset + 4] = flags;
  out[offset + 5] = (streamId >>> 24) & 0x7f;
  out[offset + 6] = streamId >>> 16;
  out[offset + 7] = streamId >>> 8;
  out[offset + 8] = streamId;
}

/**
 * Allocates a whole frame and writes its header.
 *
 * @param length payload length
 * @param type frame type code
 * @param flags frame flags
 * @param streamId stream identifier
 * @returns `9 + length` bytes, header filled in, payload zeroed
 */
export function allocFrame(
  length: number,
  type: number,
  flags: number,
  streamId: number,
): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_LENGTH + length);
  writeFrameHeader(out, 0, length, type, flags, streamId);
  return out;
}

/**
 * Reads a big-endian unsigned 32-bit integer.
 *
 * @param bytes source
 * @param offset where the integer starts (4 bytes must be there)
 * @returns the value, 0..2^32-1
 */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) |
    (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/**
 * Writes a big-endian unsigned 32-bit integer.
 *
 * @param out destination
 * @param offset where the integer goes
 * @param value 0..2^32-1 (not checked)
 */
export function writeUint32(
  out: Uint8Array,
  offset: number,
  value: number,
): void {
  out[offset] = value >>> 24;
  out[offset + 1] = value >>> 16;
  out[offset + 2] = value >>> 8;
  out[offset + 3] = value;
}

/**
 * Checks an integer argument's range.
 *
 * @param value the argument
 * @param min smallest allowed
 * @param max largest allowed
 * @param what its name, for the message
 * @throws {TypeError} when not a number
 * @throws {RangeError} when not an integer in `min..max`
 */
export function checkInteger(
  value: number,
  min: number,
  max: number,
  what: string,
): void {
  if (typeof value !== "number") {
    throw new TypeError(`${what} must be a number, got ${typeof value}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be in ${min}..${max}, got ${value}`);
  }
}

/**
 * Checks a stream identifier argument.
 *
 * @param streamId the argument
 * @param allowZero whether the connection (0) is allowed
 * @throws {TypeError} when not a number
 * @throws {RangeError} when not an integer in 1..2^31-1 (0..2^31-1 with `allowZero`)
 */
export function checkStreamId(streamId: number, allowZero: boolean): void {
  checkInteger(streamId, allowZero ? 0 : 1, MAX_STREAM_ID, "stream id");
}

/**
 * Checks a byte-array argument.
 *
 * @param bytes the argument
 * @param max largest allowed length
 * @param what its name, for the message
 * @throws {TypeError} when not a Uint8Array
 * @throws {RangeError} when longer than `max`
 */
export function checkBytes(bytes: Uint8Array, max: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array`);
  }
  if (bytes.length > max) {
    throw new RangeError(`${what} is ${bytes.length} bytes, at most ${max}`);
  }
}

/**
 * Checks a frame-size argument (the peer's SETTINGS_MAX_FRAME_SIZE when
 * splitting). Values below 16384 are accepted so tests can split small.
 *
 * @param n the argument
 * @throws {RangeError} when out of 1..16777215
 */
export function checkMaxFrameSize(n: number): void {
  checkInteger(n, 1, MAX_MAX_FRAME_SIZE, "max frame size");
}
