/**
 * The six-byte error response the gateway writes before closing:
 * `u8 8 | u8 status | u32 identifier`.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";

/** Size of an error response in bytes. */
export const ERROR_RESPONSE_SIZE = 6;

/** The command byte of an error response. */
const COMMAND = 8;

/** A decoded error response. */
export interface ErrorResponse {
  /** Status code (see PROTOCOL.md: 1-8 errors, 10 shutdown, 255 unknown). */
  readonly status: number;
  /** Identifier of the failed notification (status 10: the last accepted one). */
  readonly id: number;
}

/**
 * Decodes an error response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeErrorResponse } from "./error_response.ts";
 * const r = decodeErrorResponse(new Uint8Array([8, 8, 0, 0, 0, 42]));
 * assert.deepEqual(r, { status: 8, id: 42 });
 * ```
 *
 * @param bytes bytes holding the response
 * @param offset where it starts (default 0)
 * @returns status and identifier
 * @throws {ProtocolError} when fewer than six bytes follow `offset` or the
 *   command byte is not 8
 */
export function decodeErrorResponse(
  bytes: Uint8Array,
  offset = 0,
): ErrorResponse {
  if (!(offset >= 0) || bytes.length - offset < ERROR_RESPONSE_SIZE) {
    throw new ProtocolError(
      `error response needs ${ERROR_RESPONSE_SIZE} bytes, got ${
        Math.max(0, bytes.length - offset)
      }`,
    );
  }
  if (bytes[offset] !== COMMAND) {
    throw new ProtocolError(
      `expected error response command 8, got ${bytes[offset]}`,
    );
  }
  const id = ((bytes[offset + 2] << 24) | (bytes[offset + 3] << 16) |
    (bytes[offset + 4] << 8) | bytes[offset + 5]) >>> 0;
  return { status: bytes[offset + 1], id };
}

/**
 * Encodes an error response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeErrorResponse } from "./error_response.ts";
 * assert.deepEqual([...encodeErrorResponse(10, 258)], [8, 10, 0, 0, 1, 2]);
 * ```
 *
 * @param status u8 status code
 * @param id u32 identifier
 * @returns the six bytes
 * @throws {RangeError} when `status` is not a u8 or `id` not a u32
 */
export function encodeErrorResponse(status: number, id: number): Uint8Array {
  if (!Number.isInteger(status) || status < 0 || status > 0xff) {
    throw new RangeError(`status must be a u8, got ${status}`);
  }
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new RangeError(`id must be a u32, got ${id}`);
  }
  const out = new Uint8Array(ERROR_RESPONSE_SIZE);
  out[0] = COMMAND;
  out[1] = status;
  new DataView(out.buffer).setUint32(2, id);
  return out;
}
