/**
 * {@linkcode FrameDecoder}: bytes from the peer in, frames out (RFC 9113
 * §4), for either side of a connection. It enforces every rule that can be
 * checked on one frame or on the frame sequence of a field block, and
 * decides in one place whether a violation is a connection error (thrown)
 * or a stream error (reported in order as a {@linkcode StreamErrorFrame}):
 *
 * | rule | error | scope |
 * | --- | --- | --- |
 * | frame longer than our SETTINGS_MAX_FRAME_SIZE | FRAME_SIZE_ERROR | connection |
 * | DATA, HEADERS, PRIORITY, RST_STREAM, PUSH_PROMISE, CONTINUATION on stream 0 | PROTOCOL_ERROR | connection |
 * | SETTINGS, PING, GOAWAY on a stream | PROTOCOL_ERROR | connection |
 * | padding as long as what it pads, or longer | PROTOCOL_ERROR | connection |
 * | frame too short for its fixed fields; RST_STREAM or WINDOW_UPDATE not 4 bytes, PING not 8 | FRAME_SIZE_ERROR | connection |
 * | SETTINGS ACK with a payload, SETTINGS length not a multiple of 6 | FRAME_SIZE_ERROR | connection |
 * | SETTINGS_ENABLE_PUSH not 0/1, SETTINGS_MAX_FRAME_SIZE out of 16384..16777215 | PROTOCOL_ERROR | connection |
 * | SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 | FLOW_CONTROL_ERROR | connection |
 * | open field block not followed by CONTINUATION on its stream; stray CONTINUATION | PROTOCOL_ERROR | connection |
 * | field block over the size or CONTINUATION-count bound | ENHANCE_YOUR_CALM | connection |
 * | bad client preface (`expectPreface`) | PROTOCOL_ERROR | connection |
 * | WINDOW_UPDATE increment 0 | PROTOCOL_ERROR | stream (connection on stream 0) |
 * | PRIORITY not 5 bytes | FRAME_SIZE_ERROR | stream |
 *
 * Stream-state rules (frames on idle or closed streams, flow control,
 * PUSH_PROMISE when push is disabled, SETTINGS first) are the connection's.
 *
 * @module
 */

import { decodeContinuation } from "./continuation.ts";
import {
  ContinuationAssembler,
  type ContinuationAssemblerOptions,
} from "./continuation_assembler.ts";
import { decodeData } from "./data.ts";
import { connectionError, Http2Error } from "./error.ts";
import type { Frame } from "./frame.ts";
import { decodeGoaway } from "./goaway.ts";
import { decodeHeaders } from "./headers.ts";
import { decodePing } from "./ping.ts";
import { decodePriority } from "./priority.ts";
import { decodePushPromise } from "./push_promise.ts";
import { decodeRstStream } from "./rst_stream.ts";
import { decodeSettings } from "./settings.ts";
import {
  CLIENT_PREFACE,
  ErrorCode,
  Flag,
  FRAME_HEADER_LENGTH,
  FrameType,
  MAX_MAX_FRAME_SIZE,
  MIN_MAX_FRAME_SIZE,
  STREAM_ERROR,
  UNKNOWN_FRAME,
} from "./types.ts";
import { decodeWindowUpdate } from "./window_update.ts";

/** Options of {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions extends ContinuationAssemblerOptions {
  /** Our SETTINGS_MAX_FRAME_SIZE: longest payload accepted (default 16384). */
  maxFrameSize?: number;
  /**
   * Join HEADERS/PUSH_PROMISE and their CONTINUATIONs into one frame with
   * the whole field block (default true; see `ContinuationAssembler`). When
   * false, CONTINUATION frames are yielded as they come (the sequencing rule
   * is still enforced).
   */
  assembleHeaders?: boolean;
  /** Yield frames of unknown types as `UnknownFrame` (default false: drop them). */
  emitUnknown?: boolean;
  /** Expect the 24-byte client preface before the first frame (servers; default false). */
  expectPreface?: boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * Incremental HTTP/2 frame decoder. Feed it the bytes read from the
 * connection, in order and in chunks of any size; it returns the frames each
 * chunk completes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const decoder = new FrameDecoder();
 * // PING (type 6) with 8 payload bytes, split in two chunks.
 * const bytes = Uint8Array.fromHex("000008060000000000" + "0102030405060708");
 * assert.deepEqual(decoder.push(bytes.subarray(0, 5)), []);
 * const [ping] = decoder.push(bytes.subarray(5));
 * assert.ok(ping.type === 0x6 && !ping.ack);
 * assert.deepEqual([...ping.payload], [1, 2, 3, 4, 5, 6, 7, 8]);
 * ```
 */
export class FrameDecoder {
  #maxFrameSize: number;
  #assembler: ContinuationAssembler | null;
  #emitUnknown: boolean;
  #prefaceLeft: number;
  /** Stream of an open field block (expecting CONTINUATION), else 0. */
  #blockStream = 0;
  /** A partial frame header. */
  #head = new Uint8Array(FRAME_HEADER_LENGTH);
  #headView = new DataView(this.#head.buffer);
  #headFill = 0;
  /** The payload of a frame split across chunks, when one is in progress. */
  #payload: Uint8Array | null = null;
  #payloadFill = 0;
  #type = 0;
  #flags = 0;
  #streamId = 0;
  #failure: unknown = null;

  /**
   * Makes a decoder waiting for the first frame (or the preface).
   *
   * @param options limits and modes; all optional
   * @throws {RangeError} for a max frame size outside 16384..16777215 or a
   *   bad field-block bound
   */
  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrameSize = MIN_MAX_FRAME_SIZE;
    if (options.maxFrameSize !== undefined) {
      this.setMaxFrameSize(options.maxFrameSize);
    }
    this.#assembler = options.assembleHeaders === false
      ? null
      : new ContinuationAssembler(options);
    this.#emitUnknown = options.emitUnknown === true;
    this.#prefaceLeft = options.expectPreface === true
      ? CLIENT_PREFACE.length
      : 0;
  }

  /** Our SETTINGS_MAX_FRAME_SIZE as the decoder enforces it. */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /**
   * Changes the longest payload accepted, for frames whose header has not
   * been read yet (call it once the peer has acknowledged our SETTINGS).
   *
   * @param n 16384..16777215
   * @throws {RangeError} when out of range
   */
  setMaxFrameSize(n: number): void {
    if (
      !Number.isInteger(n) || n < MIN_MAX_FRAME_SIZE || n > MAX_MAX_FRAME_SIZE
    ) {
      throw new RangeError(
        `max frame size must be in ${MIN_MAX_FRAME_SIZE}..${MAX_MAX_FRAME_SIZE}, got ${n}`,
      );
    }
    this.#maxFrameSize = n;
  }

  /**
   * Feeds the next bytes from the peer and returns the frames they complete,
   * in wire order (possibly none).
   *
   * Lifetime: DATA `data`, HEADERS/PUSH_PROMISE/CONTINUATION `fragment` and
   * unknown `payload` are views into `chunk` when the frame lay whole in it
   * (no copy), else into a buffer of the decoder's own that it never reuses.
   * They stay valid as long as the caller leaves `chunk` alone: consume them
   * (or copy) before reusing a read buffer. PING and GOAWAY bytes are copies.
   * The decoder keeps no reference to `chunk` after returning.
   *
   * @param chunk the next bytes read, any length
   * @returns the completed frames; stream errors appear in place as
   *   `StreamErrorFrame`s
   * @throws {TypeError} when `chunk` is not a Uint8Array
   * @throws {Http2Error} a connection error (`streamId` 0): send GOAWAY with
   *   its `errorCode` and close. The decoder is then spent and rethrows it.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failure !== null) throw this.#failure;
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError("chunk must be a Uint8Array");
    }
    const out: Frame[] = [];
    try {
      this.#consume(chunk, out);
    } catch (e) {
      this.#failure = e;
      throw e;
    }
    return out;
  }

  #consume(chunk: Uint8Array, out: Frame[]): void {
    let pos = 0;
    const end = chunk.length;
    while (this.#prefaceLeft > 0) {
      if (pos === end) return;
      const i = CLIENT_PREFACE.length - this.#prefaceLeft;
      // §3.4: Clients and servers MUST treat an invalid connection preface
      // as a connection error of type PROTOCOL_ERROR.
      if (chunk[pos] !== CLIENT_PREFACE[i]) {
        throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          "invalid client connection preface",
        );
      }
      pos++;
      this.#prefaceLeft--;
    }
    // Finish a frame header left partial by the previous chunk.
    if (this.#headFill > 0) {
      const n = Math.min(FRAME_HEADER_LENGTH - this.#headFill, end - pos);
      this.#head.set(chunk.subarray(pos, pos + n), this.#headFill);
      this.#headFill += n;
      pos += n;
      if (this.#headFill < FRAME_HEADER_LENGTH) return;
      this.#headFill = 0;
      const v = this.#headView;
      const length = (v.getUint16(0) << 8) | v.getUint8(2);
      const type = v.getUint8(3);
      const flags = v.getUint8(4);
      const streamId = v.getUint32(5) & 0x7fffffff;
      this.#checkHeader(length, type, flags, streamId);
      if (end - pos >= length) {
        this.#decode(type, flags, streamId, chunk, pos, length, out);
        pos += length;
      } else {
        this.#startPayload(type, flags, streamId, length);
      }
    }
    // Finish a payload left partial by the previous chunk.
    const payload = this.#payload;
    if (payload !== null) {
      const n = Math.min(payload.length - this.#payloadFill, end - pos);
      payload.set(chunk.subarray(pos, pos + n), this.#payloadFill);
      this.#payloadFill += n;
      pos += n;
      if (this.#payloadFill < payload.length) return;
      this.#payload = null;
      this.#decode(
        this.#type,
        this.#flags,
        this.#streamId,
        payload,
        0,
        payload.length,
        out,
      );
    }
    // Whole frames straight from the chunk.
    if (end - pos >= FRAME_HEADER_LENGTH) {
      const v = new DataView(chunk.buffer, chunk.byteOffset, end);
      do {
        const length = (v.getUint16(pos) << 8) | v.getUint8(pos + 2);
        const type = v.getUint8(pos + 3);
        const flags = v.getUint8(pos + 4);
        const streamId = v.getUint32(pos + 5) & 0x7fffffff;
        this.#checkHeader(length, type, flags, streamId);
        pos += FRAME_HEADER_LENGTH;
        if (end - pos < length) {
          this.#startPayload(type, flags, streamId, length);
          const n = end - pos;
          this.#payload!.set(chunk.subarray(pos, end));
          this.#payloadFill = n;
          return;
        }
        this.#decode(type, flags, streamId, chunk, pos, length, out);
        pos += length;
      } while (end - pos >= FRAME_HEADER_LENGTH);
    }
    if (pos < end) {
      this.#head.set(chunk.subarray(pos, end));
      this.#headFill = end - pos;
    }
  }

  /** Rules checked on the header alone, before any payload is buffered. */
  #checkHeader(
    length: number,
    type: number,
    flags: number,
    streamId: number,
  ): void {
    // §4.2: An endpoint MUST send an error code of FRAME_SIZE_ERROR if a
    // frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE. (Treated as
    // a connection error for every frame type: it may alter connection
    // state, and skipping it would keep buffering the peer's excess.)
    if (length > this.#maxFrameSize) {
      throw connectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        `frame of type ${type} with ${length} bytes exceeds ${this.#maxFrameSize}`,
      );
    }
    if (this.#blockStream !== 0) {
      // §6.2/§6.10: a field block MUST continue with CONTINUATION frames on
      // the same stream; any other frame (§5.5: including extension frames)
      // is a connection error of type PROTOCOL_ERROR.
      if (type !== FrameType.CONTINUATION || streamId !== this.#blockStream) {
        throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          `frame of type ${type} on stream ${streamId} inside the field block of stream ${this.#blockStream}`,
        );
      }
      if ((flags & Flag.END_HEADERS) !== 0) this.#blockStream = 0;
    } else if (type === FrameType.CONTINUATION) {
      // §6.10: a CONTINUATION not preceded by HEADERS, PUSH_PROMISE or
      // CONTINUATION without END_HEADERS is a connection error of type
      // PROTOCOL_ERROR.
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `CONTINUATION on stream ${streamId} outside a field block`,
      );
    } else if (
      (type === FrameType.HEADERS || type === FrameType.PUSH_PROMISE) &&
      (flags & Flag.END_HEADERS) === 0
    ) {
      this.#blockStream = streamId;
    }
  }

  #startPayload(
    type: number,
    flags: number,
    streamId: number,
    length: number,
  ): void {
    // length <= maxFrameSize was checked before allocating.
    this.#payload = length === 0 ? EMPTY : new Uint8Array(length);
    this.#payloadFill = 0;
    this.#type = type;
    this.#flags = flags;
    this.#streamId = streamId;
  }

  #decode(
    type: number,
    flags: number,
    streamId: number,
    bytes: Uint8Array,
    offset: number,
    length: number,
    out: Frame[],
  ): void {
    let frame: Frame;
    try {
      switch (type) {
        case FrameType.DATA:
          frame = decodeData(flags, streamId, bytes, offset, length);
          break;
        case FrameType.HEADERS:
          frame = decodeHeaders(flags, streamId, bytes, offset, length);
          break;
        case FrameType.PRIORITY:
          frame = decodePriority(flags, streamId, bytes, offset, length);
          break;
        case FrameType.RST_STREAM:
          frame = decodeRstStream(flags, streamId, bytes, offset, length);
          break;
        case FrameType.SETTINGS:
          frame = decodeSettings(flags, streamId, bytes, offset, length);
          break;
        case FrameType.PUSH_PROMISE:
          frame = decodePushPromise(flags, streamId, bytes, offset, length);
          break;
        case FrameType.PING:
          frame = decodePing(flags, streamId, bytes, offset, length);
          break;
        case FrameType.GOAWAY:
          frame = decodeGoaway(flags, streamId, bytes, offset, length);
          break;
        case FrameType.WINDOW_UPDATE:
          frame = decodeWindowUpdate(flags, streamId, bytes, offset, length);
          break;
        case FrameType.CONTINUATION:
          frame = decodeContinuation(flags, streamId, bytes, offset, length);
          break;
        default:
          // §4.1: Implementations MUST ignore and discard frames of unknown
          // types.
          if (!this.#emitUnknown) return;
          frame = {
            type: UNKNOWN_FRAME,
            frameType: type,
            flags,
            streamId,
            payload: bytes.subarray(offset, offset + length),
          };
      }
    } catch (e) {
      // The one place where a stream error is kept from ending the decoder.
      if (!(e instanceof Http2Error) || e.streamId === 0) throw e;
      frame = {
        type: STREAM_ERROR,
        frameType: type,
        flags,
        streamId: e.streamId,
        error: e,
      };
    }
    if (this.#assembler === null) {
      out.push(frame);
    } else {
      const whole = this.#assembler.accept(frame);
      if (whole !== null) out.push(whole);
    }
  }
}
