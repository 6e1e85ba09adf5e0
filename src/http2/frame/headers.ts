/**
 * HEADERS frames (RFC 9113 §6.2): type 0x1, flags PRIORITY, PADDED,
 * END_HEADERS and END_STREAM. Padding and the (deprecated) priority fields
 * are handled on decode; this library never sends either.
 *
 * ```
 * HEADERS Frame {
 *   Length (24), Type (8) = 0x01,
 *   Unused Flags (2), PRIORITY Flag (1), Unused Flag (1), PADDED Flag (1),
 *   END_HEADERS Flag (1), Unused Flag (1), END_STREAM Flag (1),
 *   Reserved (1), Stream Identifier (31),
 *   [Pad Length (8)],
 *   [Exclusive (1), Stream Dependency (31), Weight (8)],
 *   Field Block Fragment (..),
 *   Padding (..2040),
 * }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import {
  checkBytes,
  checkStreamId,
  readUint32,
  writeFrameHeader,
} from "./frame_header.ts";
import {
  ErrorCode,
  Flag,
  FRAME_HEADER_LENGTH,
  FrameType,
  MAX_MAX_FRAME_SIZE,
} from "./types.ts";

/** Priority fields of a HEADERS or PRIORITY frame (RFC 9113 §5.3, deprecated). */
export interface PriorityFields {
  /** Exclusive flag. */
  readonly exclusive: boolean;
  /** Stream this one depends on. */
  readonly dependency: number;
  /** Weight, 1..256 (the wire value plus one). */
  readonly weight: number;
}

/** A decoded HEADERS frame. */
export interface HeadersFrame {
  /** Frame type 0x1. */
  readonly type: typeof FrameType.HEADERS;
  /** Raw flags (END_HEADERS is added when the decoder assembled CONTINUATIONs). */
  readonly flags: number;
  /** Stream (never 0). */
  readonly streamId: number;
  /** END_STREAM: no DATA follows on this stream. */
  readonly endStream: boolean;
  /** END_HEADERS: `fragment` is a whole field block. */
  readonly endHeaders: boolean;
  /** Priority fields when the PRIORITY flag was set, else null (ignore them). */
  readonly priority: PriorityFields | null;
  /**
   * HPACK field block fragment, padding removed; the whole block once
   * assembled. A view into the decoder's input unless assembled from
   * several frames (then a fresh buffer).
   */
  readonly fragment: Uint8Array;
}

/**
 * Decodes a HEADERS frame payload. No copy: `fragment` is a view.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} PROTOCOL_ERROR on stream 0 or padding too long,
 *   FRAME_SIZE_ERROR when too short for its pad length or priority fields
 *   (connection errors)
 */
export function decodeHeaders(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): HeadersFrame {
  // §6.2: If a HEADERS frame is received whose Stream Identifier field is
  // 0x00, the recipient MUST respond with a connection error of type
  // PROTOCOL_ERROR.
  if (streamId === 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      "HEADERS frame on stream 0",
    );
  }
  let start = offset;
  let end = offset + length;
  let pad = 0;
  if ((flags & Flag.PADDED) !== 0) {
    // §4.2: too small to contain mandatory frame data; a frame carrying a
    // field block MUST be treated as a connection error.
    if (length < 1) {
      throw connectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "padded HEADERS frame without a pad length",
      );
    }
    pad = bytes[start++];
  }
  let priority: PriorityFields | null = null;
  if ((flags & Flag.PRIORITY) !== 0) {
    if (end - start < 5) {
      throw connectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "HEADERS frame too short for its priority fields",
      );
    }
    const dependency = readUint32(bytes, start);
    priority = {
      exclusive: dependency > 0x7fffffff,
      dependency: dependency & 0x7fffffff,
      weight: bytes[start + 4] + 1,
    };
    start += 5;
  }
  // §6.2: Padding that exceeds the size remaining for the field block
  // fragment MUST be treated as a PROTOCOL_ERROR.
  if (pad > end - start) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      `HEADERS padding ${pad} exceeds the ${end - start} bytes left`,
    );
  }
  end -= pad;
  return {
    type: FrameType.HEADERS,
    flags,
    streamId,
    endStream: (flags & Flag.END_STREAM) !== 0,
    endHeaders: (flags & Flag.END_HEADERS) !== 0,
    priority,
    fragment: bytes.subarray(start, end),
  };
}

/**
 * Writes one HEADERS frame (no padding, no priority).
 *
 * @param out destination with `9 + fragment.length` bytes of room
 * @param offset where the frame goes
 * @param streamId stream (1..2^31-1)
 * @param fragment field block fragment
 * @param endStream set END_STREAM
 * @param endHeaders set END_HEADERS
 * @returns bytes written
 * @throws {RangeError} for a bad stream id or a fragment over 16777215 bytes
 */
export function putHeaders(
  out: Uint8Array,
  offset: number,
  streamId: number,
  fragment: Uint8Array,
  endStream: boolean,
  endHeaders: boolean,
): number {
  checkStreamId(streamId, false);
  checkBytes(fragment, MAX_MAX_FRAME_SIZE, "HEADERS fragment");
  writeFrameHeader(
    out,
    offset,
    fragment.length,
    FrameType.HEADERS,
    (endStream ? Flag.END_STREAM : 0) | (endHeaders ? Flag.END_HEADERS : 0),
    streamId,
  );
  out.set(fragment, offset + FRAME_HEADER_LENGTH);
  return FRAME_HEADER_LENGTH + fragment.length;
}

/**
 * Encodes one HEADERS frame (no splitting; see `FrameWriter.writeHeaders`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // 0x82 is HPACK for ":method: GET"
 * const bytes = encodeHeaders(3, new Uint8Array([0x82]), true);
 * assert.equal(bytes.toHex(), "000001010500000003" + "82");
 * ```
 *
 * @param streamId stream (1..2^31-1)
 * @param fragment field block fragment
 * @param endStream set END_STREAM
 * @param endHeaders set END_HEADERS (default true)
 * @returns the frame's bytes
 * @throws {RangeError} for a bad stream id or a fragment over 16777215 bytes
 */
export function encodeHeaders(
  streamId: number,
  fragment: Uint8Array,
  endStream: boolean,
  endHeaders = true,
): Uint8Array {
  checkBytes(fragment, MAX_MAX_FRAME_SIZE, "HEADERS fragment");
  const out = new Uint8Array(FRAME_HEADER_LENGTH + fragment.length);
  putHeaders(out, 0, streamId, fragment, endStream, endHeaders);
  return out;
}
