/**
 * DATA frames (RFC 9113 §6.1): type 0x0, flags PADDED and END_STREAM.
 *
 * ```
 * DATA Frame {
 *   Length (24), Type (8) = 0x00,
 *   Unused Flags (4), PADDED Flag (1), Unused Flags (2), END_STREAM Flag (1),
 *   Reserved (1), Stream Identifier (31),
 *   [Pad Length (8)], Data (..), Padding (..2040),
 * }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import { checkBytes, checkStreamId, writeFrameHeader } from "./frame_header.ts";
import {
  ErrorCode,
  Flag,
  FRAME_HEADER_LENGTH,
  FrameType,
  MAX_MAX_FRAME_SIZE,
} from "./types.ts";

/** A decoded DATA frame. */
export interface DataFrame {
  /** Frame type 0x0. */
  readonly type: typeof FrameType.DATA;
  /** Raw flags. */
  readonly flags: number;
  /** Stream the data belongs to (never 0). */
  readonly streamId: number;
  /** END_STREAM: the sender's last frame on this stream. */
  readonly endStream: boolean;
  /**
   * The data, padding removed: a view into the bytes the decoder was given
   * (see {@linkcode FrameDecoder.push} for how long it stays valid).
   */
  readonly data: Uint8Array;
  /**
   * Whole payload length, pad length octet and padding included: what counts
   * against both flow-control windows (RFC 9113 §6.9.1).
   */
  readonly flowControlLength: number;
}

/**
 * Decodes a DATA frame payload. No copy: `data` is a view into `bytes`.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} PROTOCOL_ERROR on stream 0 or padding too long,
 *   FRAME_SIZE_ERROR when PADDED but empty (connection errors)
 */
export function decodeData(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): DataFrame {
  // §6.1: If a DATA frame is received whose Stream Identifier field is 0x00,
  // the recipient MUST respond with a connection error of type
  // PROTOCOL_ERROR.
  if (streamId === 0) {
    throw connectionError(ErrorCode.PROTOCOL_ERROR, "DATA frame on stream 0");
  }
  let start = offset;
  let end = offset + length;
  if ((flags & Flag.PADDED) !== 0) {
    // §4.2: a frame too small to contain mandatory frame data (the pad
    // length octet) is a FRAME_SIZE_ERROR.
    if (length < 1) {
      throw connectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "padded DATA frame without a pad length",
      );
    }
    const pad = bytes[start++];
    // §6.1: If the length of the padding is the length of the frame payload
    // or greater, the recipient MUST treat this as a connection error of
    // type PROTOCOL_ERROR.
    if (pad >= length) {
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `DATA padding ${pad} does not fit a ${length}-byte payload`,
      );
    }
    end -= pad;
  }
  return {
    type: FrameType.DATA,
    flags,
    streamId,
    endStream: (flags & Flag.END_STREAM) !== 0,
    data: bytes.subarray(start, end),
    flowControlLength: length,
  };
}

/**
 * Writes one unpadded DATA frame carrying all of `data` (no splitting; the
 * caller keeps `data.length` within the peer's max frame size).
 *
 * @param out destination with `9 + data.length` bytes of room at `offset`
 * @param offset where the frame goes
 * @param streamId stream (1..2^31-1)
 * @param data payload
 * @param endStream set END_STREAM
 * @returns bytes written
 * @throws {RangeError} for a bad stream id or data over 16777215 bytes
 */
export function putData(
  out: Uint8Array,
  offset: number,
  streamId: number,
  data: Uint8Array,
  endStream: boolean,
): number {
  checkStreamId(streamId, false);
  checkBytes(data, MAX_MAX_FRAME_SIZE, "DATA payload");
  writeFrameHeader(
    out,
    offset,
    data.length,
    FrameType.DATA,
    endStream ? Flag.END_STREAM : 0,
    streamId,
  );
  out.set(data, offset + FRAME_HEADER_LENGTH);
  return FRAME_HEADER_LENGTH + data.length;
}

/**
 * Encodes one unpadded DATA frame (no splitting; see
 * `FrameWriter.writeData` for that).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodeData(1, new Uint8Array([0x68, 0x69]), true);
 * assert.equal(bytes.toHex(), "000002000100000001" + "6869");
 * ```
 *
 * @param streamId stream (1..2^31-1)
 * @param data payload
 * @param endStream set END_STREAM
 * @returns the frame's bytes
 * @throws {RangeError} for a bad stream id or data over 16777215 bytes
 */
export function encodeData(
  streamId: number,
  data: Uint8Array,
  endStream: boolean,
): Uint8Array {
  checkBytes(data, MAX_MAX_FRAME_SIZE, "DATA payload");
  const out = new Uint8Array(FRAME_HEADER_LENGTH + data.length);
  putData(out, 0, streamId, data, endStream);
  return out;
}
