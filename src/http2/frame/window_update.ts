/**
 * WINDOW_UPDATE frames (RFC 9113 §6.9): type 0x8, no flags, a 31-bit
 * window size increment for a stream or (on stream 0) the connection.
 *
 * ```
 * WINDOW_UPDATE Frame {
 *   Length (24) = 0x04, Type (8) = 0x08,
 *   Unused Flags (8),
 *   Reserved (1), Stream Identifier (31),
 *   Reserved (1), Window Size Increment (31),
 * }
 * ```
 *
 * @module
 */

import { connectionError, streamError } from "./error.ts";
import {
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
  MAX_WINDOW_SIZE,
} from "./types.ts";

/** Size of a WINDOW_UPDATE frame on the wire. */
export const WINDOW_UPDATE_FRAME_LENGTH: number = FRAME_HEADER_LENGTH + 4;

/** A decoded WINDOW_UPDATE frame. */
export interface WindowUpdateFrame {
  /** Frame type 0x8. */
  readonly type: typeof FrameType.WINDOW_UPDATE;
  /** Raw flags (none defined). */
  readonly flags: number;
  /** Stream whose window grows; 0 for the connection window. */
  readonly streamId: number;
  /** Increment, 1..2^31-1. */
  readonly increment: number;
}

/**
 * Decodes a WINDOW_UPDATE frame payload.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} FRAME_SIZE_ERROR connection error when the length is
 *   not 4; PROTOCOL_ERROR for an increment of 0, a stream error on a stream
 *   and a connection error on stream 0
 */
export function decodeWindowUpdate(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): WindowUpdateFrame {
  // §6.9: A WINDOW_UPDATE frame with a length other than 4 octets MUST be
  // treated as a connection error of type FRAME_SIZE_ERROR.
  if (length !== 4) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `WINDOW_UPDATE frame of ${length} bytes, expected 4`,
    );
  }
  const increment = readUint32(bytes, offset) & 0x7fffffff;
  // §6.9: A receiver MUST treat the receipt of a WINDOW_UPDATE frame with a
  // flow-control window increment of 0 as a stream error of type
  // PROTOCOL_ERROR; errors on the connection flow-control window MUST be
  // treated as a connection error.
  if (increment === 0) {
    const message = `WINDOW_UPDATE increment of 0 on stream ${streamId}`;
    throw streamId === 0
      ? connectionError(ErrorCode.PROTOCOL_ERROR, message)
      : streamError(ErrorCode.PROTOCOL_ERROR, streamId, message);
  }
  return { type: FrameType.WINDOW_UPDATE, flags, streamId, increment };
}

/**
 * Writes a WINDOW_UPDATE frame (13 bytes).
 *
 * @param out destination with 13 bytes of room at `offset`
 * @param offset where the frame goes
 * @param streamId stream, or 0 for the connection window
 * @param increment 1..2^31-1
 * @returns bytes written (13)
 * @throws {RangeError} for a bad stream id or increment
 */
export function putWindowUpdate(
  out: Uint8Array,
  offset: number,
  streamId: number,
  increment: number,
): number {
  checkStreamId(streamId, true);
  checkInteger(increment, 1, MAX_WINDOW_SIZE, "window increment");
  writeFrameHeader(out, offset, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  writeUint32(out, offset + FRAME_HEADER_LENGTH, increment);
  return WINDOW_UPDATE_FRAME_LENGTH;
}

/**
 * Encodes a WINDOW_UPDATE frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodeWindowUpdate(0, 65535);
 * assert.equal(bytes.toHex(), "000004080000000000" + "0000ffff");
 * ```
 *
 * @param streamId stream, or 0 for the connection window
 * @param increment 1..2^31-1
 * @returns the frame's 13 bytes
 * @throws {RangeError} for a bad stream id or increment
 */
export function encodeWindowUpdate(
  streamId: number,
  increment: number,
): Uint8Array {
  const out = new Uint8Array(WINDOW_UPDATE_FRAME_LENGTH);
  putWindowUpdate(out, 0, streamId, increment);
  return out;
}
