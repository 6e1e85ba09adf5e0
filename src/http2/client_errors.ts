/**
 * {@linkcode Http2RequestError}: why one HTTP/2 request failed, and whether
 * it is safe to send again.
 *
 * @module
 */

import { ApnsError, type ApnsErrorCode } from "../errors.ts";

/**
 * What the server may have done with a failed request:
 *
 * - `"unprocessed"`: the server cannot have acted on it (it was never
 *   written, the server refused the stream with REFUSED_STREAM, or its
 *   stream id is above the last-stream-id of a GOAWAY); sending it again,
 *   on another connection, is safe.
 * - `"unknown"`: the server may have acted on it (timeout, reset, the
 *   connection failed after the request left).
 */
export type RequestOutcome = "unprocessed" | "unknown";

/** Options of {@linkcode Http2RequestError}. */
export interface Http2RequestErrorOptions extends ErrorOptions {
  /** Whether the server may have processed the request. */
  outcome: RequestOutcome;
  /**
   * The library code: `ERR_APNS_TIMEOUT` for a timeout,
   * `ERR_APNS_PROTOCOL` for a protocol violation, else (the default)
   * `ERR_APNS_CLOSED`.
   */
  code?: ApnsErrorCode;
  /** The HTTP/2 error code of the RST_STREAM or GOAWAY behind it, if any. */
  errorCode?: number;
}

/**
 * The rejection of every failed `Http2ClientConnection.request()`; `code`
 * tells the kind (`ERR_APNS_TIMEOUT`, `ERR_APNS_PROTOCOL`,
 * `ERR_APNS_CLOSED`), `outcome` whether a retry is safe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const e = new Http2RequestError("stream refused", {
 *   outcome: "unprocessed",
 *   errorCode: 0x7,
 * });
 * assert.equal(e.code, "ERR_APNS_CLOSED");
 * assert.equal(e.outcome, "unprocessed");
 * ```
 */
export class Http2RequestError extends ApnsError {
  /** Whether the server may have processed the request. */
  readonly outcome: RequestOutcome;
  /** HTTP/2 error code of the RST_STREAM or GOAWAY, when one caused it. */
  readonly errorCode?: number;

  /**
   * Makes the error.
   *
   * @param message what happened
   * @param options outcome, library code, HTTP/2 error code and `cause`
   */
  constructor(message: string, options: Http2RequestErrorOptions) {
    super(options.code ?? "ERR_APNS_CLOSED", message, options);
    this.name = "Http2RequestError";
    this.outcome = options.outcome;
    if (options.errorCode !== undefined) this.errorCode = options.errorCode;
  }
}
