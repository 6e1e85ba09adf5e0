/**
 * Feedback service tuples: `u32 time | u16 tokenLen | token`, streamed by
 * the server after connect, then EOF.
 *
 * @module
 */

import { encodeHex } from "../bytes/hex.ts";
import { ProtocolError } from "../errors.ts";
import { ByteQueue } from "./_byte_queue.ts";

/** Size of a tuple with a 32-byte token. */
export const FEEDBACK_TUPLE_SIZE = 38;

/** Largest token length the decoder accepts from the wire. */
const MAX_TOKEN_BYTES = 1024;

/** One feedback entry: the token is invalid unless re-registered after `time`. */
export interface FeedbackTuple {
  /** Device token, lower-case hex. */
  readonly token: string;
  /** When APNs found the token invalid, UNIX seconds. */
  readonly time: number;
}

/**
 * Encodes one feedback tuple.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeFeedbackTuple } from "./feedback.ts";
 * const t = encodeFeedbackTuple(new Uint8Array([0xab]), 1);
 * assert.deepEqual([...t], [0, 0, 0, 1, 0, 1, 0xab]);
 * ```
 *
 * @param token token bytes (any length up to 65535)
 * @param time u32 UNIX seconds
 * @returns the tuple's bytes
 * @throws {TypeError} when `token` is not a Uint8Array
 * @throws {RangeError} when the token exceeds 65535 bytes or `time` is not a u32
 */
export function encodeFeedbackTuple(
  token: Uint8Array,
  time: number,
): Uint8Array {
  if (!(token instanceof Uint8Array)) {
    throw new TypeError("token must be a Uint8Array");
  }
  if (token.length > 0xffff) {
    throw new RangeError(`token is ${token.length} bytes; at most 65535`);
  }
  if (!Number.isInteger(time) || time < 0 || time > 0xffffffff) {
    throw new RangeError(`time must be a u32, got ${time}`);
  }
  const out = new Uint8Array(6 + token.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, time);
  dv.setUint16(4, token.length);
  out.set(token, 6);
  return out;
}

/**
 * Streaming decoder for the feedback service: push chunks as they arrive,
 * split anywhere; get back the tuples they complete. A token length above
 * 1024 is a {@linkcode ProtocolError}: thrown by the `push` that meets it,
 * or, when that push completed tuples before it, by the next `push` (the
 * tuples are returned first; `pending` stays non-zero). The decoder then
 * stays failed and rethrows the same error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FeedbackDecoder } from "./feedback.ts";
 * const d = new FeedbackDecoder();
 * assert.deepEqual(d.push(new Uint8Array([0, 0, 0, 9, 0])), []);
 * assert.deepEqual(d.push(new Uint8Array([1, 0xff])), [{ token: "ff", time: 9 }]);
 * assert.equal(d.pending, 0);
 * ```
 */
export class FeedbackDecoder {
  readonly #queue = new ByteQueue();
  #error: ProtocolError | undefined;

  /** Bytes buffered towards an incomplete tuple. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Buffers `chunk` and decodes every tuple it completes.
   *
   * @param chunk the next bytes from the wire
   * @returns the tuples completed by this chunk, in order
   * @throws {ProtocolError} when a tuple's token length exceeds 1024 bytes
   *   (or an earlier push met one)
   */
  push(chunk: Uint8Array): FeedbackTuple[] {
    if (this.#error) throw this.#error;
    const q = this.#queue;
    q.push(chunk);
    const tuples: FeedbackTuple[] = [];
    while (q.length >= 6) {
      const len = q.u16(4);
      if (len > MAX_TOKEN_BYTES) {
        // Keep the bad bytes buffered so `pending` stays non-zero.
        this.#error = new ProtocolError(
          `feedback token length ${len} exceeds ${MAX_TOKEN_BYTES}`,
        );
        if (tuples.length > 0) return tuples; // the next push throws
        throw this.#error;
      }
      if (q.length < 6 + len) break;
      tuples.push({ token: encodeHex(q.view(6, 6 + len)), time: q.u32(0) });
      q.skip(6 + len);
    }
    return tuples;
  }
}
