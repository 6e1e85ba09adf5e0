/**
 * PUSH_PROMISE frames (RFC 9113 §6.6): type 0x5, flags PADDED and
 * END_HEADERS. Decode only: the client sends SETTINGS_ENABLE_PUSH 0 and
 * its connection treats a received push as a PROTOCOL_ERROR.
 *
 * ```
 * PUSH_PROMISE Frame {
 *   Length (24), Type (8) = 0x05,
 *   Unused Flags (4), PADDED Flag (1), END_HEADERS Flag (1), Unused Flags (2),
 *   Reserved (1), Stream Identifier (31),
 *   [Pad Length (8)],
 *   Reserved (1), Promised Stream ID (31),
 *   Field Block Fragment (..),
 *   Padding (..2040),
 * }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import { readUint32 } from "./frame_header.ts";
import { ErrorCode, Flag, FrameType } from "./types.ts";

/** A decoded PUSH_PROMISE frame. */
export interface PushPromiseFrame {
  /** Frame type 0x5. */
  readonly type: typeof FrameType.PUSH_PROMISE;
  /** Raw flags (END_HEADERS is added when the decoder assembled CONTINUATIONs). */
  readonly flags: number;
  /** Stream the promise is associated with (never 0). */
  readonly streamId: number;
  /** Stream the server reserves for the push. */
  readonly promisedStreamId: number;
  /** END_HEADERS: `fragment` is a whole field block. */
  readonly endHeaders: boolean;
  /** HPACK field block fragment (a view, or a fresh buffer once assembled). */
  readonly fragment: Uint8Array;
}

/**
 * Decodes a PUSH_PROMISE frame payload. No copy: `fragment` is a view.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} (connection errors) PROTOCOL_ERROR on stream 0 or
 *   padding too long; FRAME_SIZE_ERROR when too short for its fixed fields
 */
export function decodePushPromise(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): PushPromiseFrame {
  // §6.6: If the Stream Identifier field specifies the value 0x00, a
  // recipient MUST respond with a connection error of type PROTOCOL_ERROR.
  if (streamId === 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      "PUSH_PROMISE frame on stream 0",
    );
  }
  let start = offset;
  let end = offset + length;
  let pad = 0;
  const padded = (flags & Flag.PADDED) !== 0;
  // §4.2: too small to contain mandatory frame data; a frame carrying a
  // field block MUST be treated as a connection error.
  if (length < (padded ? 5 : 4)) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `PUSH_PROMISE frame of ${length} bytes is too short`,
    );
  }
  if (padded) pad = bytes[start++];
  const promisedStreamId = readUint32(bytes, start) & 0x7fffffff;
  start += 4;
  // §6.6 (as §6.2): padding that exceeds the size remaining for the field
  // block fragment MUST be treated as a PROTOCOL_ERROR.
  if (pad > end - start) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      `PUSH_PROMISE padding ${pad} exceeds the ${end - start} bytes left`,
    );
  }
  end -= pad;
  return {
    type: FrameType.PUSH_PROMISE,
    flags,
    streamId,
    promisedStreamId,
    endHeaders: (flags & Flag.END_HEADERS) !== 0,
    fragment: bytes.subarray(start, end),
  };
}
