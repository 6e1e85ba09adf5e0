/**
 * The HPACK error class.
 *
 * @module
 */

import { ProtocolError } from "../../errors.ts";

/**
 * A header block could not be decoded (RFC 7541). The HTTP/2 layer maps it
 * to a connection error of type COMPRESSION_ERROR, except when
 * {@linkcode HpackError.tableIntact} is `true`: then the whole block was
 * processed, the dynamic table is still in sync with the peer, and a stream
 * error is enough (the decoded header list was only too large).
 *
 * It is a {@linkcode ProtocolError} (code `ERR_APNS_PROTOCOL`).
 */
export class HpackError extends ProtocolError {
  /** `true` when the decoder's dynamic table is still usable after this error. */
  readonly tableIntact: boolean;

  /**
   * Creates the error.
   *
   * @param message what was wrong with the header block
   * @param tableIntact whether the dynamic table is still in sync (default `false`)
   * @param options standard error options (`cause`)
   */
  constructor(message: string, tableIntact = false, options?: ErrorOptions) {
    super(message, options);
    this.name = "HpackError";
    this.tableIntact = tableIntact;
  }
}
