/**
 * CONTINUATION frames (RFC 9113 §6.10): type 0x9, flag END_HEADERS; the
 * rest of a field block started by HEADERS or PUSH_PROMISE.
 *
 * ```
 * CONTINUATION Frame {
 *   Length (24), Type (8) = 0x09,
 *   Unused Flags (5), END_HEADERS Flag (1), Unused Flags (2),
 *   Reserved (1), Stream Identifier (31),
 *   Field Block Fragment (..),
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

/** A decoded CONTINUATION frame. */
export interface ContinuationFrame {
  /** Frame type 0x9. */
  readonly type: typeof FrameType.CONTINUATION;
  /** Raw flags. */
  readonly flags: number;
  /** Stream (never 0). */
  readonly streamId: number;
  /** END_HEADERS: the field block ends with this frame. */
  readonly endHeaders: boolean;
  /** The next field block fragment (a view into the decoder's input). */
  readonly fragment: Uint8Array;
}

/**
 * Decodes a CONTINUATION frame payload. No copy: `fragment` is a view.
 * Whether a CONTINUATION may come here at all is the sequencing rule that
 * `FrameDecoder` and `ContinuationAssembler` enforce.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} PROTOCOL_ERROR connection error on stream 0
 */
export function decodeContinuation(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): ContinuationFrame {
  // §6.10: If a CONTINUATION frame is received with a Stream Identifier
  // field of 0x00, the recipient MUST respond with a connection error of
  // type PROTOCOL_ERROR.
  if (streamId === 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      "CONTINUATION frame on stream 0",
    );
  }
  return {
    type: FrameType.CONTINUATION,
    flags,
    streamId,
    endHeaders: (flags & Flag.END_HEADERS) !== 0,
    fragment: bytes.subarray(offset, offset + length),
  };
}

/**
 * Writes one CONTINUATION frame.
 *
 * @param out destination with `9 + fragment.length` bytes of room
 * @param offset where the frame goes
 * @param streamId stream (1..2^31-1)
 * @param fragment field block fragment
 * @param endHeaders set END_HEADERS
 * @returns bytes written
 * @throws {RangeError} for a bad stream id or a fragment over 16777215 bytes
 */
export function putContinuation(
  out: Uint8Array,
  offset: number,
  streamId: number,
  fragment: Uint8Array,
  endHeaders: boolean,
): number {
  checkStreamId(streamId, false);
  checkBytes(fragment, MAX_MAX_FRAME_SIZE, "CONTINUATION fragment");
  writeFrameHeader(
    out,
    offset,
    fragment.length,
    FrameType.CONTINUATION,
    endHeaders ? Flag.END_HEADERS : 0,
    streamId,
  );
  out.set(fragment, offset + FRAME_HEADER_LENGTH);
  return FRAME_HEADER_LENGTH + fragment.length;
}

/**
 * Encodes one CONTINUATION frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodeContinuation(1, new Uint8Array([0x84]), true);
 * assert.equal(bytes.toHex(), "000001090400000001" + "84");
 * ```
 *
 * @param streamId stream (1..2^31-1)
 * @param fragment field block fragment
 * @param endHeaders set END_HEADERS
 * @returns the frame's bytes
 * @throws {RangeError} for a bad stream id or a fragment over 16777215 bytes
 */
export function encodeContinuation(
  streamId: number,
  fragment: Uint8Array,
  endHeaders: boolean,
): Uint8Array {
  checkBytes(fragment, MAX_MAX_FRAME_SIZE, "CONTINUATION fragment");
  const out = new Uint8Array(FRAME_HEADER_LENGTH + fragment.length);
  putContinuation(out, 0, streamId, fragment, endHeaders);
  return out;
}
