/**
 * {@linkcode Http2Error}: an HTTP/2 protocol violation found in the peer's
 * frames, scoped to the connection (stream 0: answer with GOAWAY) or to one
 * stream (answer with RST_STREAM and carry on).
 *
 * @module
 */

import { ProtocolError } from "../../errors.ts";
import { type ErrorCode, errorCodeName } from "./types.ts";

/**
 * A connection error (RFC 9113 §5.4.1) when `streamId` is 0, otherwise a
 * stream error (§5.4.2) on `streamId`. `errorCode` is what to send in the
 * GOAWAY or RST_STREAM frame. Its `code` is `ERR_APNS_PROTOCOL`.
 */
export class Http2Error extends ProtocolError {
  /** Error code to send to the peer. */
  readonly errorCode: ErrorCode;
  /** 0 for a connection error, else the stream to reset. */
  readonly streamId: number;

  /**
   * Makes an error; prefer {@linkcode connectionError} and
   * {@linkcode streamError}.
   *
   * @param errorCode error code to send to the peer
   * @param streamId 0 for a connection error, else the stream at fault
   * @param message what was wrong (the code's name is prefixed)
   * @param options standard error options (`cause`)
   */
  constructor(
    errorCode: ErrorCode,
    streamId: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${errorCodeName(errorCode)}: ${message}`, options);
    this.name = "Http2Error";
    this.errorCode = errorCode;
    this.streamId = streamId;
  }

  /** Whether this error ends the whole connection (`streamId === 0`). */
  get isConnectionError(): boolean {
    return this.streamId === 0;
  }
}

/**
 * Makes a connection error (RFC 9113 §5.4.1).
 *
 * @param errorCode code for the GOAWAY frame
 * @param message what was wrong
 * @returns the error, to throw
 */
export function connectionError(
  errorCode: ErrorCode,
  message: string,
): Http2Error {
  return new Http2Error(errorCode, 0, message);
}

/**
 * Makes a stream error (RFC 9113 §5.4.2).
 *
 * @param errorCode code for the RST_STREAM frame
 * @param streamId the stream to reset (not 0)
 * @param message what was wrong
 * @returns the error, to throw
 */
export function streamError(
  errorCode: ErrorCode,
  streamId: number,
  message: string,
): Http2Error {
  return new Http2Error(errorCode, streamId, message);
}
