/**
 * Server-side streaming decoder for the legacy notification formats
 * (commands 0, 1 and 2), as a mock gateway or relay needs it.
 *
 * The decoder only frames: it reports what the client sent (including empty
 * or odd-sized tokens and payloads, with `has*` flags for absent command-2
 * items) and leaves semantic checks (token size, payload size and content)
 * to the caller. It reports a *malformed* step, with the status a gateway
 * should answer with, only when the bytes cannot be framed:
 *
 * | condition | status | id reported |
 * | --- | --- | --- |
 * | unknown command byte (not 0, 1, 2) | 1 processing error | 0 |
 * | command 2 frame length above `maxFrameLength` | 7 invalid payload size | 0 |
 * | commands 0/1: token length + payload length above `maxFrameLength` | 7 | the command-1 id, else 0 |
 * | command 2: item header or item data runs past the frame end | 1 | id item if found, else 0 |
 * | command 2: unknown item id (not 1-5) | 1 | id item if found, else 0 |
 * | command 2: item 3 or 4 not 4 bytes, item 5 not 1 byte | 1 | id item if found, else 0 |
 * | command 2: an item repeated | 1 | the first id item if found, else 0 |
 *
 * Why these: status 7 for an oversized frame because resending it can never
 * succeed (clients do not retry 7), while 1 ("processing error") is the
 * generic status for bytes the gateway cannot process. Oversized frames are
 * rejected as soon as their length is known, before buffering them. After a
 * malformed step the decoder stays failed: `next()` returns the same step
 * again and `push()` discards its input.
 *
 * @module
 */

import { ByteQueue } from "./_byte_queue.ts";

const PROCESSING_ERROR = 1;
const INVALID_PAYLOAD_SIZE = 7;
/** Default bound on a command-2 frame length (items only): 64 KiB. */
const DEFAULT_MAX_FRAME_LENGTH = 65536;

/** One notification as framed on the wire. */
export interface DecodedNotification {
  /** Command byte it came with. */
  readonly command: 0 | 1 | 2;
  /** Identifier; 0 for command 0 or when item 3 is absent. */
  readonly id: number;
  /** Expiry, UNIX seconds; 0 for command 0 or when item 4 is absent. */
  readonly expiry: number;
  /** Priority; 10 when absent (commands 0 and 1 never carry one). */
  readonly priority: number;
  /** Token bytes (a copy; empty when absent). */
  readonly token: Uint8Array;
  /** Payload bytes (a copy; empty when absent). */
  readonly payload: Uint8Array;
  /** Whether a token field/item was present (always true for commands 0, 1). */
  readonly hasToken: boolean;
  /** Whether a payload field/item was present (always true for commands 0, 1). */
  readonly hasPayload: boolean;
  /** Whether an identifier was present (command 1, or command 2 item 3). */
  readonly hasId: boolean;
  /** Whether an expiry was present (command 1, or command 2 item 4). */
  readonly hasExpiry: boolean;
  /** Whether a priority was present (command 2 item 5 only). */
  readonly hasPriority: boolean;
  /** Bytes this notification took on the wire. */
  readonly size: number;
}

/** What {@linkcode NotificationDecoder.next} found. */
export type DecodeStep =
  | {
    readonly kind: "notification";
    readonly notification: DecodedNotification;
  }
  | {
    readonly kind: "malformed";
    readonly status: number;
    readonly id: number;
    readonly reason: string;
  };

/** Options of {@linkcode NotificationDecoder}. */
export interface NotificationDecoderOptions {
  /**
   * Largest command-2 frame length (the items' bytes), and the largest token
   * plus payload length of commands 0 and 1. Default 65536.
   */
  readonly maxFrameLength?: number;
}

/**
 * Streaming decoder: `push` chunks split anywhere, then call `next` until it
 * returns `null` (more bytes needed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotificationDecoder } from "./notification_decoder.ts";
 * const d = new NotificationDecoder();
 * d.push(new Uint8Array([0, 0, 1, 0xab, 0]));
 * assert.equal(d.next(), null);
 * d.push(new Uint8Array([2, 0x7b, 0x7d]));
 * const step = d.next();
 * assert.equal(step?.kind, "notification");
 * if (step?.kind === "notification") {
 *   assert.deepEqual([...step.notification.token], [0xab]);
 *   assert.equal(step.notification.size, 8);
 * }
 * assert.equal(d.pending, 0);
 * ```
 */
export class NotificationDecoder {
  readonly #queue = new ByteQueue();
  readonly #max: number;
  #failed: DecodeStep | null = null;

  /**
   * Creates a decoder with empty buffers.
   *
   * @param options bounds
   * @throws {RangeError} when `maxFrameLength` is not a non-negative integer
   */
  constructor(options: NotificationDecoderOptions = {}) {
    const max = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError(
        `maxFrameLength must be a non-negative integer, got ${max}`,
      );
    }
    this.#max = max;
  }

  /** Bytes buffered and not yet decoded (0 once failed). */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Buffers a copy of `chunk` (discarded once the decoder has failed).
   *
   * @param chunk the next bytes from the wire
   */
  push(chunk: Uint8Array): void {
    if (this.#failed === null) this.#queue.push(chunk);
  }

  /**
   * Decodes the next notification.
   *
   * @returns the next step, or `null` when more bytes are needed
   */
  next(): DecodeStep | null {
    if (this.#failed !== null) return this.#failed;
    const q = this.#queue;
    const n = q.length;
    if (n < 1) return null;
    const command = q.u8(0);
    switch (command) {
      case 0:
        return this.#simple(n);
      case 1:
        return this.#enhanced(n);
      case 2:
        return this.#frame(n);
      default:
        return this.#fail(
          PROCESSING_ERROR,
          0,
          `unknown command ${command}`,
        );
    }
  }

  #fail(status: number, id: number, reason: string): DecodeStep {
    this.#queue.clear();
    this.#failed = { kind: "malformed", status, id, reason };
    return this.#failed;
  }

  // 0 | u16 tokenLen | token | u16 payloadLen | payload
  #simple(n: number): DecodeStep | null {
    const q = this.#queue;
    if (n < 3) return null;
    const t = q.u16(1);
    if (t > this.#max) return this.#tooLong(0, t);
    if (n < 5 + t) return null;
    const p = q.u16(3 + t);
    if (t + p > this.#max) return this.#tooLong(0, t + p);
    const size = 5 + t + p;
    if (n < size) return null;
    return this.#emit(0, 0, 0, 10, 3, t, 5 + t, p, false, false, size);
  }

  // 1 | u32 id | u32 expiry | u16 tokenLen | token | u16 payloadLen | payload
  #enhanced(n: number): DecodeStep | null {
    const q = this.#queue;
    if (n < 11) return null;
    const id = q.u32(1);
    const t = q.u16(9);
    if (t > this.#max) return this.#tooLong(id, t);
    if (n < 13 + t) return null;
    const p = q.u16(11 + t);
    if (t + p > this.#max) return this.#tooLong(id, t + p);
    const size = 13 + t + p;
    if (n < size) return null;
    return this.#emit(1, id, q.u32(5), 10, 11, t, 13 + t, p, true, false, size);
  }

  #tooLong(id: number, length: number): DecodeStep {
    return this.#fail(
      INVALID_PAYLOAD_SIZE,
      id,
      `notification length ${length} exceeds ${this.#max}`,
    );
  }

  #emit(
    command: 0 | 1,
    id: number,
    expiry: number,
    priority: number,
    tokenAt: number,
    tokenLength: number,
    payloadAt: number,
    payloadLength: number,
    hasIdAndExpiry: boolean,
    hasPriority: boolean,
    size: number,
  ): DecodeStep {
    const q = this.#queue;
    const notification: DecodedNotification = {
      command,
      id,
      expiry,
      priority,
      token: q.copy(tokenAt, tokenAt + tokenLength),
      payload: q.copy(payloadAt, payloadAt + payloadLength),
      hasToken: true,
      hasPayload: true,
      hasId: hasIdAndExpiry,
      hasExpiry: hasIdAndExpiry,
      hasPriority,
      size,
    };
    q.skip(size);
    return { kind: "notification", notification };
  }

  // 2 | u32 frameLength | (u8 itemId | u16 itemLength | data)*
  #frame(n: number): DecodeStep | null {
    const q = this.#queue;
    if (n < 5) return null;
    const length = q.u32(1);
    if (length > this.#max) {
      return this.#fail(
        INVALID_PAYLOAD_SIZE,
        0,
        `frame length ${length} exceeds ${this.#max}`,
      );
    }
    const end = 5 + length;
    if (n < end) return null;
    let tokenAt = -1, tokenLength = 0, payloadAt = -1, payloadLength = 0;
    let id = 0, expiry = 0, priority = 10;
    let seen = 0; // bit per item id
    let pos = 5;
    while (pos < end) {
      if (end - pos < 3) {
        return this.#badFrame(end, "item header runs past the frame end");
      }
      const item = q.u8(pos);
      const len = q.u16(pos + 1);
      const data = pos + 3;
      if (data + len > end) {
        return this.#badFrame(end, `item ${item} runs past the frame end`);
      }
      if (item < 1 || item > 5) {
        return this.#badFrame(end, `unknown item ${item}`);
      }
      if ((seen & (1 << item)) !== 0) {
        return this.#badFrame(end, `item ${item} repeated`);
      }
      seen |= 1 << item;
      switch (item) {
        case 1:
          tokenAt = data;
          tokenLength = len;
          break;
        case 2:
          payloadAt = data;
          payloadLength = len;
          break;
        case 3:
          if (len !== 4) {
            return this.#badFrame(end, `identifier item is ${len} bytes`);
          }
          id = q.u32(data);
          break;
        case 4:
          if (len !== 4) {
            return this.#badFrame(end, `expiry item is ${len} bytes`);
          }
          expiry = q.u32(data);
          break;
        default:
          if (len !== 1) {
            return this.#badFrame(end, `priority item is ${len} bytes`);
          }
          priority = q.u8(data);
      }
      pos = data + len;
    }
    const notification: DecodedNotification = {
      command: 2,
      id,
      expiry,
      priority,
      token: tokenAt < 0
        ? new Uint8Array(0)
        : q.copy(tokenAt, tokenAt + tokenLength),
      payload: payloadAt < 0
        ? new Uint8Array(0)
        : q.copy(payloadAt, payloadAt + payloadLength),
      hasToken: tokenAt >= 0,
      hasPayload: payloadAt >= 0,
      hasId: (seen & (1 << 3)) !== 0,
      hasExpiry: (seen & (1 << 4)) !== 0,
      hasPriority: (seen & (1 << 5)) !== 0,
      size: end,
    };
    q.skip(end);
    return { kind: "notification", notification };
  }

  /** Fails with status 1, naming the frame's first well-formed id item. */
  #badFrame(end: number, reason: string): DecodeStep {
    const q = this.#queue;
    let id = 0;
    for (let pos = 5; end - pos >= 3;) {
      const len = q.u16(pos + 1);
      if (pos + 3 + len > end) break;
      if (q.u8(pos) === 3 && len === 4) {
        id = q.u32(pos + 3);
        break;
      }
      pos += 3 + len;
    }
    return this.#fail(PROCESSING_ERROR, id, reason);
  }
}
