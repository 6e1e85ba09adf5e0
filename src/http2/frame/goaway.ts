/**
 * GOAWAY frames (RFC 9113 §6.8): type 0x7, no flags, on stream 0: the last
 * stream the sender processed, an error code and opaque debug data (APNs
 * sometimes puts a JSON reason there, e.g. `{"reason":"Shutdown"}`).
 *
 * ```
 * GOAWAY Frame {
 *   Length (24), Type (8) = 0x07,
 *   Unused Flags (8),
 *   Reserved (1), Stream Identifier (31) = 0,
 *   Reserved (1), Last-Stream-ID (31),
 *   Error Code (32),
 *   Additional Debug Data (..),
 * }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import {
  checkBytes,
  checkInteger,
  checkStreamId,
  readUint32,
  writeFrameHeader,
  writeUint32,
} from "./frame_header.ts";
import {
  ErrorCode,
  FRAME_HEADER_LENGTH,
  FrameType,
  MIN_MAX_FRAME_SIZE,
} from "./types.ts";

/**
 * Most debug data {@linkcode encodeGoaway} sends: what fits the smallest
 * max frame size (16384 - 8).
 */
export const MAX_GOAWAY_DEBUG_LENGTH: number = MIN_MAX_FRAME_SIZE - 8;

const EMPTY = new Uint8Array(0);

/** A decoded GOAWAY frame. */
export interface GoawayFrame {
  /** Frame type 0x7. */
  readonly type: typeof FrameType.GOAWAY;
  /** Raw flags (none defined). */
  readonly flags: number;
  /** Always 0. */
  readonly streamId: 0;
  /** Highest stream the sender may have acted on; higher ones can be retried. */
  readonly lastStreamId: number;
  /** Why; any 32-bit value (unknown codes are not errors, RFC 9113 §7). */
  readonly errorCode: number;
  /** Additional debug data (a copy, safe to keep; often empty). */
  readonly debugData: Uint8Array;
}

/**
 * Decodes a GOAWAY frame payload. The debug data is copied.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} (connection errors) PROTOCOL_ERROR on a stream other
 *   than 0, FRAME_SIZE_ERROR when shorter than 8 bytes
 */
export function decodeGoaway(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): GoawayFrame {
  // §6.8: An endpoint MUST treat a GOAWAY frame with a stream identifier
  // other than 0x00 as a connection error of type PROTOCOL_ERROR.
  if (streamId !== 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      `GOAWAY frame on stream ${streamId}`,
    );
  }
  // §4.2: a frame too small to contain mandatory frame data; frames on
  // stream 0 MUST be treated as a connection error.
  if (length < 8) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `GOAWAY frame of ${length} bytes, at least 8 needed`,
    );
  }
  return {
    type: FrameType.GOAWAY,
    flags,
    streamId: 0,
    lastStreamId: readUint32(bytes, offset) & 0x7fffffff,
    errorCode: readUint32(bytes, offset + 4),
    debugData: bytes.slice(offset + 8, offset + length),
  };
}

/**
 * Writes a GOAWAY frame.
 *
 * @param out destination with `17 + debugData.length` bytes of room
 * @param offset where the frame goes
 * @param lastStreamId last stream processed (0..2^31-1)
 * @param errorCode why (0..2^32-1)
 * @param debugData opaque debug data, at most 16376 bytes
 * @returns bytes written
 * @throws {RangeError} for an argument out of range
 */
export function putGoaway(
  out: Uint8Array,
  offset: number,
  lastStreamId: number,
  errorCode: number,
  debugData: Uint8Array = EMPTY,
): number {
  checkStreamId(lastStreamId, true);
  checkInteger(errorCode, 0, 0xffffffff, "error code");
  checkBytes(debugData, MAX_GOAWAY_DEBUG_LENGTH, "GOAWAY debug data");
  const length = 8 + debugData.length;
  writeFrameHeader(out, offset, length, FrameType.GOAWAY, 0, 0);
  writeUint32(out, offset + FRAME_HEADER_LENGTH, lastStreamId);
  writeUint32(out, offset + FRAME_HEADER_LENGTH + 4, errorCode);
  out.set(debugData, offset + FRAME_HEADER_LENGTH + 8);
  return FRAME_HEADER_LENGTH + length;
}

/**
 * Encodes a GOAWAY frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodeGoaway(7, 0x0);
 * assert.equal(bytes.toHex(), "000008070000000000" + "00000007" + "00000000");
 * ```
 *
 * @param lastStreamId last stream processed (0..2^31-1)
 * @param errorCode why (0..2^32-1)
 * @param debugData opaque debug data, at most 16376 bytes
 * @returns the frame's bytes
 * @throws {RangeError} for an argument out of range
 */
export function encodeGoaway(
  lastStreamId: number,
  errorCode: number,
  debugData: Uint8Array = EMPTY,
): Uint8Array {
  checkBytes(debugData, MAX_GOAWAY_DEBUG_LENGTH, "GOAWAY debug data");
  const out = new Uint8Array(FRAME_HEADER_LENGTH + 8 + debugData.length);
  putGoaway(out, 0, lastStreamId, errorCode, debugData);
  return out;
}
