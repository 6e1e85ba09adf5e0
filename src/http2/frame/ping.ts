/**
 * PING frames (RFC 9113 §6.7): type 0x6, flag ACK, 8 opaque bytes on
 * stream 0.
 *
 * ```
 * PING Frame {
 *   Length (24) = 0x08, Type (8) = 0x06,
 *   Unused Flags (7), ACK Flag (1),
 *   Reserved (1), Stream Identifier (31) = 0,
 *   Opaque Data (64),
 * }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import { writeFrameHeader } from "./frame_header.ts";
import { ErrorCode, Flag, FRAME_HEADER_LENGTH, FrameType } from "./types.ts";

/** Size of a PING frame on the wire. */
export const PING_FRAME_LENGTH: number = FRAME_HEADER_LENGTH + 8;

/** A decoded PING frame. */
export interface PingFrame {
  /** Frame type 0x6. */
  readonly type: typeof FrameType.PING;
  /** Raw flags. */
  readonly flags: number;
  /** Always 0. */
  readonly streamId: 0;
  /** ACK: this answers a PING we sent. */
  readonly ack: boolean;
  /** The 8 opaque bytes (a copy, safe to keep). */
  readonly payload: Uint8Array;
}

/**
 * Decodes a PING frame payload. The payload is copied (8 bytes).
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} (connection errors) PROTOCOL_ERROR on a stream other
 *   than 0, FRAME_SIZE_ERROR when the length is not 8
 */
export function decodePing(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): PingFrame {
  // §6.7: If a PING frame is received with a Stream Identifier field value
  // other than 0x00, the recipient MUST respond with a connection error of
  // type PROTOCOL_ERROR.
  if (streamId !== 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      `PING frame on stream ${streamId}`,
    );
  }
  // §6.7: Receipt of a PING frame with a length field value other than 8
  // MUST be treated as a connection error of type FRAME_SIZE_ERROR.
  if (length !== 8) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `PING frame of ${length} bytes, expected 8`,
    );
  }
  return {
    type: FrameType.PING,
    flags,
    streamId: 0,
    ack: (flags & Flag.ACK) !== 0,
    payload: bytes.slice(offset, offset + 8),
  };
}

/**
 * Writes a PING frame (17 bytes).
 *
 * @param out destination with 17 bytes of room at `offset`
 * @param offset where the frame goes
 * @param ack set ACK (answering the peer's PING with its payload)
 * @param payload exactly 8 bytes
 * @returns bytes written (17)
 * @throws {RangeError} when `payload` is not 8 bytes
 */
export function putPing(
  out: Uint8Array,
  offset: number,
  ack: boolean,
  payload: Uint8Array,
): number {
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError("PING payload must be a Uint8Array");
  }
  if (payload.length !== 8) {
    throw new RangeError(`PING payload must be 8 bytes, got ${payload.length}`);
  }
  writeFrameHeader(out, offset, 8, FrameType.PING, ack ? Flag.ACK : 0, 0);
  out.set(payload, offset + FRAME_HEADER_LENGTH);
  return PING_FRAME_LENGTH;
}

/**
 * Encodes a PING frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodePing(true, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
 * assert.equal(bytes.toHex(), "000008060100000000" + "0102030405060708");
 * ```
 *
 * @param ack set ACK
 * @param payload exactly 8 bytes
 * @returns the frame's 17 bytes
 * @throws {RangeError} when `payload` is not 8 bytes
 */
export function encodePing(ack: boolean, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(PING_FRAME_LENGTH);
  putPing(out, 0, ack, payload);
  return out;
}
