/**
 * The {@linkcode Frame} union that `FrameDecoder` yields, discriminated by
 * `type`, plus the two entries that are not known wire frames:
 * {@linkcode UnknownFrame} and {@linkcode StreamErrorFrame}.
 *
 * @module
 */

import type { ContinuationFrame } from "./continuation.ts";
import type { DataFrame } from "./data.ts";
import type { Http2Error } from "./error.ts";
import type { GoawayFrame } from "./goaway.ts";
import type { HeadersFrame } from "./headers.ts";
import type { PingFrame } from "./ping.ts";
import type { PriorityFrame } from "./priority.ts";
import type { PushPromiseFrame } from "./push_promise.ts";
import type { RstStreamFrame } from "./rst_stream.ts";
import type { SettingsFrame } from "./settings.ts";
import type { STREAM_ERROR, UNKNOWN_FRAME } from "./types.ts";
import type { WindowUpdateFrame } from "./window_update.ts";

/**
 * A frame of a type this library does not know (RFC 9113 §4.1:
 * implementations MUST ignore and discard frames of unknown types). Only
 * yielded when the decoder is asked to (`emitUnknown`).
 */
export interface UnknownFrame {
  /** Pseudo type {@linkcode UNKNOWN_FRAME}. */
  readonly type: typeof UNKNOWN_FRAME;
  /** The type code from the wire. */
  readonly frameType: number;
  /** Raw flags. */
  readonly flags: number;
  /** Stream identifier from the header. */
  readonly streamId: number;
  /** The payload (a view into the decoder's input). */
  readonly payload: Uint8Array;
}

/**
 * Not a wire frame: the decoder's report that a frame broke a stream-level
 * rule (RFC 9113 §5.4.2), in its place in the frame order. The frame was
 * dropped and decoding goes on; answer with RST_STREAM on `streamId` with
 * `error.errorCode`. (Connection errors are thrown instead.)
 */
export interface StreamErrorFrame {
  /** Pseudo type {@linkcode STREAM_ERROR}. */
  readonly type: typeof STREAM_ERROR;
  /** The type code of the offending frame. */
  readonly frameType: number;
  /** Its raw flags. */
  readonly flags: number;
  /** The stream to reset (never 0). */
  readonly streamId: number;
  /** The error, with `errorCode` to send. */
  readonly error: Http2Error;
}

/** Everything `FrameDecoder.push` yields, discriminated by `type`. */
export type Frame =
  | DataFrame
  | HeadersFrame
  | PriorityFrame
  | RstStreamFrame
  | SettingsFrame
  | PushPromiseFrame
  | PingFrame
  | GoawayFrame
  | WindowUpdateFrame
  | ContinuationFrame
  | UnknownFrame
  | StreamErrorFrame;
