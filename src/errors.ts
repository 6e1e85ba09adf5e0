/**
 * Error classes. Every error the library throws on purpose is an
 * {@linkcode ApnsError} with a stable `code`; `instanceof` works across
 * copies of the library because the check uses a `Symbol.for` brand.
 *
 * @module
 */

const BRAND = Symbol.for("apns.error");

/** Stable machine-readable error codes. */
export type ApnsErrorCode =
  | "ERR_APNS_CERTIFICATE"
  | "ERR_APNS_ADDRESS"
  | "ERR_APNS_CONNECT"
  | "ERR_APNS_TLS"
  | "ERR_APNS_TIMEOUT"
  | "ERR_APNS_CLOSED"
  | "ERR_APNS_PROTOCOL"
  | "ERR_APNS_MESSAGE"
  | "ERR_APNS_HTTP";

/** Base class of every error this library throws on purpose. */
export class ApnsError extends Error {
  /** Stable code naming the kind of failure. */
  readonly code: ApnsErrorCode;

  /**
   * Creates the error.
   *
   * @param code stable error code
   * @param message human-readable explanation
   * @param options standard error options (`cause`)
   */
  constructor(code: ApnsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ApnsError";
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `instanceof` through the prototype chain, and across copies of the
   * library through a `Symbol.for` brand (matching the class by `name`).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null || !(BRAND in value)) {
      return false;
    }
    return this === ApnsError ||
      (value as { name?: unknown }).name === this.name;
  }
}

/** A certificate or key is missing, unreadable, malformed or cannot be decrypted. */
export class CertificateError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_CERTIFICATE", message, options);
    this.name = "CertificateError";
  }
}

/** An address name is unknown or an address tuple is malformed. */
export class AddressError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_ADDRESS", message, options);
    this.name = "AddressError";
  }
}

/** A connection could not be opened (refused, unreachable, DNS). */
export class ConnectError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_CONNECT", message, options);
    this.name = "ConnectError";
  }
}

/** The TLS handshake failed or the server rejected the client certificate. */
export class TlsError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_TLS", message, options);
    this.name = "TlsError";
  }
}

/** An operation did not finish in its time limit. */
export class TimeoutError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what timed out
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_TIMEOUT", message, options);
    this.name = "TimeoutError";
  }
}

/** The connection closed or failed while in use. */
export class ConnectionClosedError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what happened
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_CLOSED", message, options);
    this.name = "ConnectionClosedError";
  }
}

/** The peer sent bytes that break the protocol. */
export class ProtocolError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what was wrong
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_PROTOCOL", message, options);
    this.name = "ProtocolError";
  }
}

/** A message cannot be built or sent as given (bad field types, payload that is not JSON). */
export class MessageError extends ApnsError {
  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param options `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_APNS_MESSAGE", message, options);
    this.name = "MessageError";
  }
}

/** An HTTP/2 API request (channel management) got an error answer. */
export class HttpStatusError extends ApnsError {
  /** The HTTP status. */
  readonly status: number;
  /** Apple's reason string (may be empty). */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param status the HTTP status
   * @param reason Apple's reason
   * @param what what was asked, for the message
   */
  constructor(status: number, reason: string, what: string) {
    super(
      "ERR_APNS_HTTP",
      `${what}: HTTP ${status}${reason ? ` ${reason}` : ""}`,
    );
    this.name = "HttpStatusError";
    this.status = status;
    this.reason = reason;
  }
}
