/**
 * Encoder for the legacy binary notification formats (commands 0, 1 and 2).
 *
 * A {@linkcode NotificationEncoder} is built once per message; the parts that
 * do not depend on the device token or identifier are laid out once, so
 * encoding one notification copies two or three precomputed slices and
 * decodes the hex token straight into the output buffer.
 *
 * @module
 */

import { writeHex } from "../bytes/hex.ts";
import type { PackedTokens } from "./packed_tokens.ts";

/** Binary command byte: 0 simple, 1 enhanced, 2 frame. */
export type BinaryCommand = 0 | 1 | 2;

/** The token-independent parts of a notification. */
export interface NotificationTemplate {
  /** Command format to write. */
  readonly command: BinaryCommand;
  /** JSON payload bytes (at most 65535). */
  readonly payload: Uint8Array;
  /** Expiry, u32 UNIX seconds; 0 = do not store. Ignored by command 0. */
  readonly expiry: number;
  /** Priority, u8 (10 immediate, 5 power-considerate). Used by command 2 only. */
  readonly priority: number;
}

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

function isUint(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 &&
    value <= max;
}

/**
 * Writes notifications for one template into caller-provided buffers.
 *
 * Layouts (big-endian):
 * - command 0: `0 | u16 tokenLen | token | u16 payloadLen | payload`
 * - command 1: `1 | u32 id | u32 expiry | u16 tokenLen | token | u16 payloadLen | payload`
 * - command 2: `2 | u32 frameLen | 1,u16,token | 2,u16,payload | 3,0,4,id |
 *   4,0,4,expiry | 5,0,1,priority` (all five items, in that order)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotificationEncoder } from "./notification_encoder.ts";
 * const enc = new NotificationEncoder({
 *   command: 0, payload: new TextEncoder().encode("{}"), expiry: 0, priority: 10,
 * });
 * const out = new Uint8Array(enc.frameSize(1));
 * const end = enc.encode(out, new DataView(out.buffer), 0, "ab", 0);
 * assert.equal(end, out.length);
 * assert.deepEqual([...out], [0, 0, 1, 0xab, 0, 2, 0x7b, 0x7d]);
 * ```
 */
export class NotificationEncoder {
  readonly #command: BinaryCommand;
  readonly #overhead: number;
  /** Bytes after the token (commands 0, 1) or between token and id (2). */
  readonly #tail: Uint8Array;
  /** Command 1: the expiry; command 2: the expiry and priority items. */
  readonly #extra: Uint8Array;
  readonly #expiry: number;
  /** The notification for tokens of `#frameToken` bytes, zero token and id. */
  #frame: Uint8Array = new Uint8Array(0);
  #frameToken = -1;
  #tokenAt = 0;
  #idAt = -1;

  /**
   * Validates the template and lays out its constant parts.
   *
   * @param template command, payload, expiry and priority
   * @throws {TypeError} when a field has the wrong type
   * @throws {RangeError} when the payload exceeds 65535 bytes, the expiry is
   *   not a u32 or the priority not a u8
   */
  constructor(template: NotificationTemplate) {
    if (typeof template !== "object" || template === null) {
      throw new TypeError("template must be an object");
    }
    const { command, payload, expiry, priority } = template;
    if (command !== 0 && command !== 1 && command !== 2) {
      throw new RangeError(`command must be 0, 1 or 2, got ${command}`);
    }
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError("payload must be a Uint8Array");
    }
    if (payload.length > U16_MAX) {
      throw new RangeError(
        `payload is ${payload.length} bytes; the binary protocol allows at most 65535`,
      );
    }
    if (!isUint(expiry, U32_MAX)) {
      throw new RangeError(`expiry must be a u32, got ${expiry}`);
    }
    if (!isUint(priority, 0xff)) {
      throw new RangeError(`priority must be a u8, got ${priority}`);
    }
    this.#command = command;
    this.#expiry = expiry;
    const p = payload.length;
    if (command === 2) {
      // payload item, then the id item's header
      const tail = new Uint8Array(3 + p + 3);
      tail[0] = 2;
      tail[1] = p >>> 8;
      tail[2] = p & 0xff;
      tail.set(payload, 3);
      tail[3 + p] = 3;
      tail[3 + p + 1] = 0;
      tail[3 + p + 2] = 4;
      this.#tail = tail;
      const extra = new Uint8Array(11);
      const dv = new DataView(extra.buffer);
      extra[0] = 4;
      dv.setUint16(1, 4);
      dv.setUint32(3, expiry);
      extra[7] = 5;
      dv.setUint16(8, 1);
      extra[10] = priority;
      this.#extra = extra;
      // 5 header + 3 token item header + tail + 4 id + extra
      this.#overhead = 5 + 3 + tail.length + 4 + extra.length;
    } else {
      const tail = new Uint8Array(2 + p);
      tail[0] = p >>> 8;
      tail[1] = p & 0xff;
      tail.set(payload, 2);
      this.#tail = tail;
      this.#extra = new Uint8Array(0);
      this.#overhead = (command === 0 ? 3 : 11) + tail.length;
    }
  }

  /**
   * Bytes one notification with a token of `tokenBytes` bytes takes.
   *
   * @param tokenBytes device token length in bytes
   * @returns the encoded size
   */
  frameSize(tokenBytes: number): number {
    return this.#overhead + tokenBytes;
  }

  /**
   * Writes one notification at `offset`. The caller guarantees room for
   * `frameSize(tokenHex.length >>> 1)` bytes and passes `view` over the same
   * bytes as `out`. Allocates nothing.
   *
   * @param out destination bytes
   * @param view `new DataView(out.buffer, out.byteOffset, out.byteLength)`
   * @param offset where the notification starts
   * @param tokenHex device token as hex, any case
   * @param id u32 identifier (taken modulo 2^32; ignored by command 0)
   * @returns the offset after the notification, or -1 when `tokenHex` is not
   *   even-length hex or is longer than 65535 bytes (the bytes written are
   *   garbage then; rewind to `offset`)
   */
  encode(
    out: Uint8Array,
    view: DataView,
    offset: number,
    tokenHex: string,
    id: number,
  ): number {
    const at = this.#place(out, view, offset, tokenHex.length >>> 1, id);
    if (at < 0 || writeHex(out, at, tokenHex) < 0) return -1;
    return offset + this.#frame.length;
  }

  /**
   * {@linkcode NotificationEncoder.encode} for a packed token: the same
   * bytes, copied rather than decoded from hex.
   *
   * @param out destination bytes
   * @param view a DataView over `out`
   * @param offset where the notification starts
   * @param tokens the packed tokens
   * @param index which token
   * @param id u32 identifier (ignored by command 0)
   * @returns the offset after the notification, or -1 when the token is not
   *   even-length hex (rewind to `offset`)
   */
  encodePacked(
    out: Uint8Array,
    view: DataView,
    offset: number,
    tokens: PackedTokens,
    index: number,
    id: number,
  ): number {
    const at = this.#place(out, view, offset, tokens.byteLength(index), id);
    if (at < 0 || tokens.write(out, at, index) < 0) return -1;
    return offset + this.#frame.length;
  }

  /**
   * Writes a notification for a `t`-byte token but the token itself: the
   * constant bytes in one copy, then the identifier.
   *
   * @returns where the token goes, or -1 when `t` is over 65535
   */
  #place(
    out: Uint8Array,
    view: DataView,
    offset: number,
    t: number,
    id: number,
  ): number {
    if (t > U16_MAX) return -1;
    if (t !== this.#frameToken) this.#buildFrame(t);
    out.set(this.#frame, offset);
    if (this.#idAt >= 0) view.setUint32(offset + this.#idAt, id >>> 0);
    return offset + this.#tokenAt;
  }

  /**
   * Lays out a whole notification for `t`-byte tokens with a zero token and
   * identifier: every other byte is the same for each notification.
   */
  #buildFrame(t: number): void {
    const frame = new Uint8Array(this.#overhead + t);
    const view = new DataView(frame.buffer);
    const tail = this.#tail;
    switch (this.#command) {
      case 0:
        view.setUint16(1, t);
        this.#tokenAt = 3;
        this.#idAt = -1;
        frame.set(tail, 3 + t);
        break;
      case 1:
        frame[0] = 1;
        view.setUint32(5, this.#expiry);
        view.setUint16(9, t);
        this.#tokenAt = 11;
        this.#idAt = 1;
        frame.set(tail, 11 + t);
        break;
      default:
        frame[0] = 2;
        view.setUint32(1, this.#overhead - 5 + t);
        frame[5] = 1;
        view.setUint16(6, t);
        this.#tokenAt = 8;
        frame.set(tail, 8 + t);
        this.#idAt = 8 + t + tail.length;
        frame.set(this.#extra, this.#idAt + 4);
    }
    this.#frame = frame;
    this.#frameToken = t;
  }
}
