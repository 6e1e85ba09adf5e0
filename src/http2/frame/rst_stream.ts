/**
 * RST_STREAM frames (RFC 9113 §6.4): type 0x3, no flags, a 32-bit error
 * code.
 *
 * ```
 * RST_STREAM Frame {
 *   Length (24) = 0x04, Type (8) = 0x03,
 *   Unused Flags (8),
 *   Reserved (1), Stream Identifier (31),
 *   Error Code (32),
 * }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import {
  checkInteger,
  checkStreamId,
  readUint32,
  writeFrameHeader,
  writeUint32,
} from "./frame_header.ts";
import { ErrorCode, FRAME_HEADER_LENGTH, FrameType } from "./types.ts";

/** Size of an RST_STREAM frame on the wire. */
export const RST_STREAM_FRAME_LENGTH: number = FRAME_HEADER_LENGTH + 4;

/** A decoded RST_STREAM frame. */
export interface RstStreamFrame {
  /** Frame type 0x3. */
  readonly type: typeof FrameType.RST_STREAM;
  /** Raw flags (none defined). */
  readonly flags: number;
  /** Stream being reset (never 0). */
  readonly streamId: number;
  /** Why; any 32-bit value (unknown codes are not errors, RFC 9113 §7). */
  readonly errorCode: number;
}

/**
 * Decodes an RST_STREAM frame payload.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} PROTOCOL_ERROR on stream 0, FRAME_SIZE_ERROR when
 *   the length is not 4 (connection errors)
 */
export function decodeRstStream(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): RstStreamFrame {
  // §6.4: If an RST_STREAM frame is received with a stream identifier of
  // 0x00, the recipient MUST treat this as a connection error of type
  // PROTOCOL_ERROR.
  if (streamId === 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      "RST_STREAM frame on stream 0",
    );
  }
  // §6.4: An RST_STREAM frame with a length other than 4 octets MUST be
  // treated as a connection error of type FRAME_SIZE_ERROR.
  if (length !== 4) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `RST_STREAM frame of ${length} bytes, expected 4`,
    );
  }
  return {
    type: FrameType.RST_STREAM,
    flags,
    streamId,
    errorCode: readUint32(bytes, offset),
  };
}

/**
 * Writes an RST_STREAM frame (13 bytes).
 *
 * @param out destination with 13 bytes of room at `offset`
 * @param offset where the frame goes
 * @param streamId stream to reset (1..2^31-1)
 * @param errorCode why (0..2^32-1)
 * @returns bytes written (13)
 * @throws {RangeError} for a bad stream id or error code
 */
export function putRstStream(
  out: Uint8Array,
  offset: number,
  streamId: number,
  errorCode: number,
): number {
  checkStreamId(streamId, false);
  checkInteger(errorCode, 0, 0xffffffff, "error code");
  writeFrameHeader(out, offset, 4, FrameType.RST_STREAM, 0, streamId);
  writeUint32(out, offset + FRAME_HEADER_LENGTH, errorCode);
  return RST_STREAM_FRAME_LENGTH;
}

/**
 * Encodes an RST_STREAM frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodeRstStream(5, 0x8); // CANCEL
 * assert.equal(bytes.toHex(), "000004030000000005" + "00000008");
 * ```
 *
 * @param streamId stream to reset (1..2^31-1)
 * @param errorCode why (0..2^32-1)
 * @returns the frame's 13 bytes
 * @throws {RangeError} for a bad stream id or error code
 */
export function encodeRstStream(
  streamId: number,
  errorCode: number,
): Uint8Array {
  const out = new Uint8Array(RST_STREAM_FRAME_LENGTH);
  putRstStream(out, 0, streamId, errorCode);
  return out;
}
