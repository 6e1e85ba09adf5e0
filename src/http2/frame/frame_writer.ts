/**
 * {@linkcode FrameWriter}: appends encoded frames to one growable buffer, so
 * that everything ready in one turn leaves in one write.
 *
 * @module
 */

import { putContinuation } from "./continuation.ts";
import { putData } from "./data.ts";
import {
  checkBytes,
  checkInteger,
  checkMaxFrameSize,
  checkStreamId,
  writeFrameHeader,
} from "./frame_header.ts";
import { putGoaway } from "./goaway.ts";
import { putHeaders } from "./headers.ts";
import { PING_FRAME_LENGTH, putPing } from "./ping.ts";
import { putRstStream, RST_STREAM_FRAME_LENGTH } from "./rst_stream.ts";
import { countSettings, putSettings } from "./settings.ts";
import {
  CLIENT_PREFACE,
  Flag,
  FRAME_HEADER_LENGTH,
  FrameType,
  MAX_MAX_FRAME_SIZE,
  MIN_MAX_FRAME_SIZE,
  type Settings,
} from "./types.ts";
import {
  putWindowUpdate,
  WINDOW_UPDATE_FRAME_LENGTH,
} from "./window_update.ts";

const EMPTY = new Uint8Array(0);

/** Encodes a header list in place (an HPACK encoder's `encodeInto`). */
export interface FieldBlockEncoder {
  /**
   * Encodes `headers` into `out` at `offset`; returns the end, or -1 (with
   * nothing changed) when the room after `offset` may not be enough.
   */
  encodeInto(
    headers: readonly (readonly [string, string])[],
    out: Uint8Array,
    offset: number,
  ): number;
}

/**
 * Frame encoder into one buffer. Each `write*` method checks its arguments
 * first (throwing `TypeError`/`RangeError` with nothing written), then
 * appends exact frame bytes; {@linkcode FrameWriter.take} hands the bytes
 * over and starts a new buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const w = new FrameWriter();
 * w.writeSettingsAck();
 * w.writeWindowUpdate(0, 1);
 * assert.equal(w.length, 9 + 13);
 * assert.equal(
 *   w.take().toHex(),
 *   "000000040100000000" + "000004080000000000" + "00000001",
 * );
 * assert.equal(w.length, 0);
 * ```
 */
export class FrameWriter {
  #buf: Uint8Array = EMPTY;
  #len = 0;
  #initialCapacity: number;

  /**
   * Makes an empty writer (its buffer is allocated on the first write).
   *
   * @param initialCapacity size of each new buffer (it doubles as needed;
   *   default 16384)
   * @throws {RangeError} when not a positive integer
   */
  constructor(initialCapacity = 16384) {
    checkInteger(initialCapacity, 1, 0x7fffffff, "initial capacity");
    this.#initialCapacity = initialCapacity;
  }

  /** Bytes written since the last {@linkcode FrameWriter.take}. */
  get length(): number {
    return this.#len;
  }

  /**
   * Returns the bytes written so far and resets. The writer never touches
   * the returned bytes again (the next write starts a new buffer), so they
   * may be handed to an asynchronous write.
   *
   * @returns the frames' bytes (empty when nothing was written)
   */
  take(): Uint8Array {
    if (this.#len === 0) return EMPTY;
    let out: Uint8Array;
    if (this.#len * 4 <= this.#buf.length) {
      // A small batch: copy it out and keep the buffer, rather than leaving
      // a mostly empty buffer behind for every write.
      out = this.#buf.slice(0, this.#len);
    } else {
      out = this.#buf.subarray(0, this.#len);
      this.#buf = EMPTY;
    }
    this.#len = 0;
    return out;
  }

  /** Returns the offset where `n` more bytes fit, growing the buffer. */
  #room(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      const next = new Uint8Array(
        Math.max(need, this.#buf.length * 2, this.#initialCapacity),
      );
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    return this.#len;
  }

  /** Appends the 24-byte client connection preface (RFC 9113 §3.4). */
  writePreface(): void {
    const at = this.#room(CLIENT_PREFACE.length);
    this.#buf.set(CLIENT_PREFACE, at);
    this.#len += CLIENT_PREFACE.length;
  }

  /**
   * Appends a SETTINGS frame (not ACK), settings in identifier order.
   *
   * @param settings what to send; absent fields are not sent
   * @throws {TypeError} for a value of the wrong type
   * @throws {RangeError} for a value the RFC does not allow
   */
  writeSettings(settings: Settings = {}): void {
    const at = this.#room(FRAME_HEADER_LENGTH + 6 * countSettings(settings));
    this.#len += putSettings(this.#buf, at, settings);
  }

  /** Appends a SETTINGS frame with ACK and no payload. */
  writeSettingsAck(): void {
    const at = this.#room(FRAME_HEADER_LENGTH);
    writeFrameHeader(this.#buf, at, 0, FrameType.SETTINGS, Flag.ACK, 0);
    this.#len += FRAME_HEADER_LENGTH;
  }

  /**
   * Appends a PING frame.
   *
   * @param ack set ACK (answering the peer's PING with its payload)
   * @param payload exactly 8 bytes
   * @throws {RangeError} when `payload` is not 8 bytes
   */
  writePing(ack: boolean, payload: Uint8Array): void {
    const at = this.#room(PING_FRAME_LENGTH);
    this.#len += putPing(this.#buf, at, ack, payload);
  }

  /**
   * Appends a GOAWAY frame.
   *
   * @param lastStreamId last stream processed (0..2^31-1)
   * @param errorCode why (0..2^32-1)
   * @param debugData opaque debug data, at most 16376 bytes
   * @throws {RangeError} for an argument out of range
   */
  writeGoaway(
    lastStreamId: number,
    errorCode: number,
    debugData: Uint8Array = EMPTY,
  ): void {
    checkBytes(debugData, MIN_MAX_FRAME_SIZE - 8, "GOAWAY debug data");
    const at = this.#room(FRAME_HEADER_LENGTH + 8 + debugData.length);
    this.#len += putGoaway(this.#buf, at, lastStreamId, errorCode, debugData);
  }

  /**
   * Appends an RST_STREAM frame.
   *
   * @param streamId stream to reset (1..2^31-1)
   * @param errorCode why (0..2^32-1)
   * @throws {RangeError} for a bad stream id or error code
   */
  writeRstStream(streamId: number, errorCode: number): void {
    const at = this.#room(RST_STREAM_FRAME_LENGTH);
    this.#len += putRstStream(this.#buf, at, streamId, errorCode);
  }

  /**
   * Appends a WINDOW_UPDATE frame.
   *
   * @param streamId stream, or 0 for the connection window
   * @param increment 1..2^31-1
   * @throws {RangeError} for a bad stream id or increment
   */
  writeWindowUpdate(streamId: number, increment: number): void {
    const at = this.#room(WINDOW_UPDATE_FRAME_LENGTH);
    this.#len += putWindowUpdate(this.#buf, at, streamId, increment);
  }

  /**
   * Appends a field block as one HEADERS frame followed by as many
   * CONTINUATION frames as `maxFrameSize` requires (RFC 9113 §4.3: they go
   * out back to back, which one buffer guarantees). END_STREAM goes on the
   * HEADERS frame, END_HEADERS on the last frame.
   *
   * @param streamId stream (1..2^31-1)
   * @param block the whole HPACK field block (may be empty)
   * @param endStream set END_STREAM (no DATA follows)
   * @param maxFrameSize the peer's SETTINGS_MAX_FRAME_SIZE (default 16384;
   *   any value from 1 is accepted, so tests can split small)
   * @throws {RangeError} for a bad stream id or max frame size
   */
  writeHeaders(
    streamId: number,
    block: Uint8Array,
    endStream: boolean,
    maxFrameSize: number = MIN_MAX_FRAME_SIZE,
  ): void {
    checkStreamId(streamId, false);
    checkMaxFrameSize(maxFrameSize);
    if (!(block instanceof Uint8Array)) {
      throw new TypeError("header block must be a Uint8Array");
    }
    const total = block.length;
    const frames = total === 0 ? 1 : Math.ceil(total / maxFrameSize);
    let at = this.#room(frames * FRAME_HEADER_LENGTH + total);
    const buf = this.#buf;
    let p = Math.min(total, maxFrameSize);
    at += putHeaders(
      buf,
      at,
      streamId,
      block.subarray(0, p),
      endStream,
      p === total,
    );
    while (p < total) {
      const q = Math.min(total, p + maxFrameSize);
      at += putContinuation(
        buf,
        at,
        streamId,
        block.subarray(p, q),
        q === total,
      );
      p = q;
    }
    this.#len = at;
  }

  /**
   * Appends a HEADERS frame whose field block `encoder` writes straight
   * into this buffer (no block copied in between); a block larger than
   * `maxFrameSize` is split as by {@linkcode FrameWriter.writeHeaders}.
   * When the encoder throws, nothing is appended.
   *
   * @param streamId stream (1..2^31-1)
   * @param encoder the connection's HPACK encoder
   * @param headers the header list
   * @param endStream set END_STREAM (no DATA follows)
   * @param maxFrameSize the peer's SETTINGS_MAX_FRAME_SIZE
   * @throws {RangeError} for a bad stream id or max frame size
   */
  encodeHeaders(
    streamId: number,
    encoder: FieldBlockEncoder,
    headers: readonly (readonly [string, string])[],
    endStream: boolean,
    maxFrameSize: number = MIN_MAX_FRAME_SIZE,
  ): void {
    checkStreamId(streamId, false);
    checkMaxFrameSize(maxFrameSize);
    let extra = 256;
    let at = this.#room(FRAME_HEADER_LENGTH + extra);
    let end: number;
    while (
      (end = encoder.encodeInto(headers, this.#buf, at + FRAME_HEADER_LENGTH)) <
        0
    ) {
      extra *= 2;
      at = this.#room(FRAME_HEADER_LENGTH + extra);
    }
    const length = end - at - FRAME_HEADER_LENGTH;
    if (length > maxFrameSize) {
      // Rare (a block over 16 KiB): copy it out and split it.
      const block = this.#buf.slice(at + FRAME_HEADER_LENGTH, end);
      return this.writeHeaders(streamId, block, endStream, maxFrameSize);
    }
    writeFrameHeader(
      this.#buf,
      at,
      length,
      FrameType.HEADERS,
      (endStream ? Flag.END_STREAM : 0) | Flag.END_HEADERS,
      streamId,
    );
    this.#len = end;
  }

  /**
   * Appends `data` as DATA frames of at most `maxFrameSize` bytes each,
   * END_STREAM on the last. Empty `data` gives one empty frame. Flow
   * control is the caller's: pass only what the windows allow.
   *
   * @param streamId stream (1..2^31-1)
   * @param data the bytes to send
   * @param endStream set END_STREAM on the last frame
   * @param maxFrameSize the peer's SETTINGS_MAX_FRAME_SIZE (default 16384;
   *   any value from 1 is accepted)
   * @throws {RangeError} for a bad stream id or max frame size
   */
  writeData(
    streamId: number,
    data: Uint8Array,
    endStream: boolean,
    maxFrameSize: number = MIN_MAX_FRAME_SIZE,
  ): void {
    checkStreamId(streamId, false);
    checkMaxFrameSize(maxFrameSize);
    if (!(data instanceof Uint8Array)) {
      throw new TypeError("DATA payload must be a Uint8Array");
    }
    const total = data.length;
    if (total <= maxFrameSize) {
      const at = this.#room(FRAME_HEADER_LENGTH + total);
      this.#len += putData(this.#buf, at, streamId, data, endStream);
      return;
    }
    const frames = Math.ceil(total / maxFrameSize);
    let at = this.#room(frames * FRAME_HEADER_LENGTH + total);
    const buf = this.#buf;
    for (let p = 0; p < total; p += maxFrameSize) {
      const q = Math.min(total, p + maxFrameSize);
      at += putData(
        buf,
        at,
        streamId,
        data.subarray(p, q),
        endStream && q === total,
      );
    }
    this.#len = at;
  }

  /**
   * Appends one frame of any type with the given payload, as is (for
   * extension frames and tests; no checks on the payload's meaning).
   *
   * @param type frame type code (0..255)
   * @param flags flags (0..255)
   * @param streamId stream identifier (0..2^31-1)
   * @param payload the payload, at most 16777215 bytes
   * @throws {RangeError} for an argument out of range
   */
  writeFrame(
    type: number,
    flags: number,
    streamId: number,
    payload: Uint8Array,
  ): void {
    checkInteger(type, 0, 255, "frame type");
    checkInteger(flags, 0, 255, "flags");
    checkStreamId(streamId, true);
    checkBytes(payload, MAX_MAX_FRAME_SIZE, "payload");
    const at = this.#room(FRAME_HEADER_LENGTH + payload.length);
    writeFrameHeader(this.#buf, at, payload.length, type, flags, streamId);
    this.#buf.set(payload, at + FRAME_HEADER_LENGTH);
    this.#len += FRAME_HEADER_LENGTH + payload.length;
  }
}
