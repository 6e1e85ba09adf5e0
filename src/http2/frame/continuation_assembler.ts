/**
 * {@linkcode ContinuationAssembler}: joins HEADERS / PUSH_PROMISE and their
 * CONTINUATION frames into one field block (RFC 9113 §4.3, §6.10), with a
 * bound on the block's size and on the number of CONTINUATION frames.
 *
 * @module
 */

import { connectionError } from "./error.ts";
import type { Frame } from "./frame.ts";
import { ErrorCode, Flag, FrameType } from "./types.ts";

/** Default bound on an assembled field block: 256 KiB. */
export const DEFAULT_MAX_HEADER_BLOCK_SIZE = 262144;
/** Default bound on CONTINUATION frames in one field block. */
export const DEFAULT_MAX_CONTINUATION_FRAMES = 128;

/** Options of {@linkcode ContinuationAssembler}. */
export interface ContinuationAssemblerOptions {
  /** Largest field block accepted, in bytes (default 256 KiB). */
  maxHeaderBlockSize?: number;
  /**
   * Most CONTINUATION frames in one block (default 128): bounds a flood of
   * empty CONTINUATION frames, which the size bound alone would not.
   */
  maxContinuationFrames?: number;
}

/**
 * Feeds decoded frames through; holds back a HEADERS or PUSH_PROMISE without
 * END_HEADERS and its CONTINUATIONs, and yields one frame with the whole
 * block (`endHeaders: true`, END_HEADERS added to `flags`, `endStream` from
 * the HEADERS frame). Fragments it holds across calls are copied, so the
 * caller's buffers may be reused. After it throws, drop it (the connection
 * is over).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeContinuation, decodeHeaders } from "./mod.ts";
 * const asm = new ContinuationAssembler();
 * // HEADERS on stream 1, END_STREAM, no END_HEADERS; then CONTINUATION.
 * assert.equal(asm.accept(decodeHeaders(0x1, 1, new Uint8Array([0x82]))), null);
 * const whole = asm.accept(decodeContinuation(0x4, 1, new Uint8Array([0x84])));
 * assert.ok(whole?.type === 0x1 && whole.endStream && whole.endHeaders);
 * assert.deepEqual([...whole.fragment], [0x82, 0x84]);
 * ```
 */
export class ContinuationAssembler {
  #maxSize: number;
  #maxFrames: number;
  /** Stream of the open block; 0 when none. */
  #streamId = 0;
  #first: Frame | null = null;
  #buf: Uint8Array = new Uint8Array(0);
  #len = 0;
  #frames = 0;

  /**
   * Makes an assembler with no block open.
   *
   * @param options bounds on a field block
   * @throws {RangeError} for a bound that is not a positive integer
   */
  constructor(options: ContinuationAssemblerOptions = {}) {
    const size = options.maxHeaderBlockSize ?? DEFAULT_MAX_HEADER_BLOCK_SIZE;
    const frames = options.maxContinuationFrames ??
      DEFAULT_MAX_CONTINUATION_FRAMES;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`maxHeaderBlockSize must be >= 1, got ${size}`);
    }
    if (!Number.isInteger(frames) || frames < 0) {
      throw new RangeError(`maxContinuationFrames must be >= 0, got ${frames}`);
    }
    this.#maxSize = size;
    this.#maxFrames = frames;
  }

  /** Stream whose field block is open (expecting CONTINUATION), or 0. */
  get pendingStreamId(): number {
    return this.#streamId;
  }

  /**
   * Takes the next decoded frame.
   *
   * @param frame the next frame in wire order
   * @returns the frame to act on (the given one, or a HEADERS/PUSH_PROMISE
   *   carrying a whole block), or null while a block is still open
   * @throws {Http2Error} PROTOCOL_ERROR connection error for anything but a
   *   CONTINUATION on the same stream inside a block, or a CONTINUATION
   *   outside one; ENHANCE_YOUR_CALM connection error when a block passes
   *   the size or frame-count bound
   */
  accept(frame: Frame): Frame | null {
    if (this.#streamId !== 0) {
      // §6.2: A HEADERS frame without the END_HEADERS flag set MUST be
      // followed by a CONTINUATION frame for the same stream. A receiver
      // MUST treat the receipt of any other type of frame or a frame on a
      // different stream as a connection error of type PROTOCOL_ERROR.
      if (
        frame.type !== FrameType.CONTINUATION ||
        frame.streamId !== this.#streamId
      ) {
        throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          `expected CONTINUATION on stream ${this.#streamId}`,
        );
      }
      if (++this.#frames > this.#maxFrames) {
        throw connectionError(
          ErrorCode.ENHANCE_YOUR_CALM,
          `field block spans more than ${this.#maxFrames} CONTINUATION frames`,
        );
      }
      this.#append(frame.fragment);
      return frame.endHeaders ? this.#finish() : null;
    }
    switch (frame.type) {
      case FrameType.CONTINUATION:
        // §6.10: A CONTINUATION frame MUST be preceded by a HEADERS,
        // PUSH_PROMISE or CONTINUATION frame without the END_HEADERS flag
        // set. A recipient that observes violation of this rule MUST respond
        // with a connection error of type PROTOCOL_ERROR.
        throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          `CONTINUATION on stream ${frame.streamId} outside a field block`,
        );
      case FrameType.HEADERS:
      case FrameType.PUSH_PROMISE:
        this.#checkSize(frame.fragment.length);
        if (frame.endHeaders) return frame;
        this.#streamId = frame.streamId;
        this.#first = frame;
        this.#frames = 0;
        this.#len = 0;
        this.#append(frame.fragment);
        return null;
      default:
        return frame;
    }
  }

  #checkSize(size: number): void {
    if (size > this.#maxSize) {
      throw connectionError(
        ErrorCode.ENHANCE_YOUR_CALM,
        `field block larger than ${this.#maxSize} bytes`,
      );
    }
  }

  #append(fragment: Uint8Array): void {
    const need = this.#len + fragment.length;
    this.#checkSize(need);
    if (need > this.#buf.length) {
      const cap = Math.min(
        this.#maxSize,
        Math.max(need, this.#buf.length * 2, 1024),
      );
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(fragment, this.#len);
    this.#len = need;
  }

  #finish(): Frame {
    const first = this.#first!;
    const block = this.#buf.subarray(0, this.#len);
    // The next block gets a fresh buffer: `block` now belongs to the caller.
    this.#buf = new Uint8Array(0);
    this.#len = 0;
    this.#streamId = 0;
    this.#first = null;
    if (first.type === FrameType.HEADERS) {
      return {
        type: FrameType.HEADERS,
        flags: first.flags | Flag.END_HEADERS,
        streamId: first.streamId,
        endStream: first.endStream,
        endHeaders: true,
        priority: first.priority,
        fragment: block,
      };
    }
    const push = first as Extract<Frame, { type: 0x5 }>;
    return {
      type: FrameType.PUSH_PROMISE,
      flags: push.flags | Flag.END_HEADERS,
      streamId: push.streamId,
      promisedStreamId: push.promisedStreamId,
      endHeaders: true,
      fragment: block,
    };
  }
}
