/**
 * PRIORITY frames (RFC 9113 §6.3): type 0x2, no flags. The priority scheme
 * is deprecated; this library decodes them (to enforce the framing rules)
 * and ignores them. It never sends one.
 *
 * ```
 * PRIORITY Frame {
 *   Length (24) = 0x05, Type (8) = 0x02,
 *   Unused Flags (8),
 *   Reserved (1), Stream Identifier (31),
 *   Exclusive (1), Stream Dependency (31), Weight (8),
 * }
 * ```
 *
 * @module
 */

import { connectionError, streamError } from "./error.ts";
import { readUint32 } from "./frame_header.ts";
import type { PriorityFields } from "./headers.ts";
import { ErrorCode, FrameType } from "./types.ts";

/** A decoded PRIORITY frame (to be ignored). */
export interface PriorityFrame {
  /** Frame type 0x2. */
  readonly type: typeof FrameType.PRIORITY;
  /** Raw flags (none defined). */
  readonly flags: number;
  /** Stream the priority is about (never 0). */
  readonly streamId: number;
  /** The priority fields. */
  readonly priority: PriorityFields;
}

/**
 * Decodes a PRIORITY frame payload.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} PROTOCOL_ERROR connection error on stream 0;
 *   FRAME_SIZE_ERROR *stream* error when the length is not 5
 */
export function decodePriority(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): PriorityFrame {
  // §6.3: If a PRIORITY frame is received with a stream identifier of 0x00,
  // the recipient MUST respond with a connection error of type
  // PROTOCOL_ERROR.
  if (streamId === 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      "PRIORITY frame on stream 0",
    );
  }
  // §6.3: A PRIORITY frame with a length other than 5 octets MUST be treated
  // as a stream error of type FRAME_SIZE_ERROR.
  if (length !== 5) {
    throw streamError(
      ErrorCode.FRAME_SIZE_ERROR,
      streamId,
      `PRIORITY frame of ${length} bytes, expected 5`,
    );
  }
  const dependency = readUint32(bytes, offset);
  return {
    type: FrameType.PRIORITY,
    flags,
    streamId,
    priority: {
      exclusive: dependency > 0x7fffffff,
      dependency: dependency & 0x7fffffff,
      weight: bytes[offset + 4] + 1,
    },
  };
}
