/**
 * Options, request and response shapes of `Http2ClientConnection`, and the
 * checks that turn options into a complete configuration.
 *
 * @module
 */

import { MAX_WINDOW_SIZE } from "./frame/types.ts";

/** Options of `Http2ClientConnection.open()`. */
export interface Http2ClientOptions {
  /** The `:authority` of every request, e.g. `"api.push.apple.com"`. */
  authority: string;
  /** The `:scheme` of every request (default `"https"`). */
  scheme?: string;
  /** Ms to wait for the server's first SETTINGS in `open()` (default 10000). */
  settingsTimeout?: number;
  /**
   * Ms from `request()` to the whole response (default 30000; 0 = none).
   * A request still queued then fails with outcome `"unprocessed"`; one on
   * the wire is reset with RST_STREAM(CANCEL) and fails with `"unknown"`.
   * Either way the error's `code` is `ERR_APNS_TIMEOUT`.
   */
  requestTimeout?: number;
  /** Ms without any frame from the server before a keep-alive PING (default 60000; 0 = off). */
  pingInterval?: number;
  /** Ms to wait for a PING ACK before the connection is declared dead (default 10000). */
  pingTimeout?: number;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE: the receive window of each stream (default 1 MiB). */
  initialWindowSize?: number;
  /**
   * Our connection-level receive window (default 4 × `initialWindowSize`,
   * at most 2^31-1, at least 65535).
   */
  connectionWindowSize?: number;
  /** Upper bound on concurrent streams, whatever the server allows (default 1000). */
  maxConcurrentStreams?: number;
  /** Largest decoded response header list, our SETTINGS_MAX_HEADER_LIST_SIZE (default 65536). */
  maxHeaderListSize?: number;
  /** Header names HPACK must never index (e.g. `authorization`). */
  neverIndex?: ReadonlySet<string>;
}

/** One request. Header names must be lower case and not pseudo-headers. */
export interface Http2Request {
  /** `:path`, e.g. `/3/device/<token>`. */
  readonly path: string;
  /** `:method` (default `"POST"`). */
  readonly method?: string;
  /** Regular header fields, in order. */
  readonly headers?: readonly (readonly [string, string])[];
  /** The request body (none when absent or empty). */
  readonly body?: Uint8Array;
}

/** One complete response. */
export interface Http2Response {
  /** The `:status`. */
  readonly status: number;
  /** Regular header fields (pseudo-headers removed), in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body (empty when none). */
  readonly body: Uint8Array;
  /** The stream that carried it. */
  readonly streamId: number;
}

/**
 * Receives the outcome of a request sent with
 * `Http2ClientConnection.send()`: exactly one of the two methods is called,
 * once, possibly synchronously (a refused request) or from inside the
 * connection's frame processing (so it must not throw, and should return
 * quickly).
 */
export interface ResponseListener {
  /** The complete response (any status). */
  onResponse(response: Http2Response): void;
  /** Why the request failed (an `Http2RequestError` or a `TypeError`). */
  onError(error: Error): void;
}

/** What a GOAWAY from the server said. */
export interface GoawayInfo {
  /** Highest stream id the server may have processed. */
  readonly lastStreamId: number;
  /** The HTTP/2 error code (0 = NO_ERROR: a graceful shutdown). */
  readonly errorCode: number;
  /** Debug data as text (APNs sends JSON such as `{"reason":"..."}`). */
  readonly debug: string;
}

/** Options with every default filled in (see {@linkcode Http2ClientOptions}). */
export interface ResolvedOptions {
  /** `:authority`. */
  readonly authority: string;
  /** `:scheme`. */
  readonly scheme: string;
  /** Ms to wait for the server's SETTINGS. */
  readonly settingsTimeout: number;
  /** Ms per request; 0 = none. */
  readonly requestTimeout: number;
  /** Idle ms before a keep-alive PING; 0 = off. */
  readonly pingInterval: number;
  /** Ms to wait for a PING ACK. */
  readonly pingTimeout: number;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE. */
  readonly initialWindowSize: number;
  /** Our connection receive window. */
  readonly connectionWindowSize: number;
  /** Our cap on concurrent streams. */
  readonly maxConcurrentStreams: number;
  /** Our SETTINGS_MAX_HEADER_LIST_SIZE. */
  readonly maxHeaderListSize: number;
  /** Header names never indexed, if any. */
  readonly neverIndex: ReadonlySet<string> | undefined;
}

/** Default SETTINGS_INITIAL_WINDOW_SIZE we announce: 1 MiB. */
export const DEFAULT_INITIAL_WINDOW_SIZE = 1048576;

/**
 * Checks options and fills in the defaults.
 *
 * @param options what the caller gave
 * @returns the complete configuration
 * @throws {TypeError} for a missing authority or a value of the wrong type
 * @throws {RangeError} for a number out of range
 */
export function resolveOptions(options: Http2ClientOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("options must be an object");
  }
  const { authority } = options;
  if (typeof authority !== "string" || authority.length === 0) {
    throw new TypeError("options.authority must be a non-empty string");
  }
  const scheme = options.scheme ?? "https";
  if (typeof scheme !== "string" || scheme.length === 0) {
    throw new TypeError("options.scheme must be a non-empty string");
  }
  const initialWindowSize = int(
    options.initialWindowSize,
    DEFAULT_INITIAL_WINDOW_SIZE,
    0,
    MAX_WINDOW_SIZE,
    "initialWindowSize",
  );
  const neverIndex = options.neverIndex;
  if (neverIndex !== undefined && !(neverIndex instanceof Set)) {
    throw new TypeError("options.neverIndex must be a Set");
  }
  return {
    authority,
    scheme,
    settingsTimeout: int(
      options.settingsTimeout,
      10000,
      1,
      2 ** 31 - 1,
      "settingsTimeout",
    ),
    requestTimeout: int(
      options.requestTimeout,
      30000,
      0,
      2 ** 31 - 1,
      "requestTimeout",
    ),
    pingInterval: int(
      options.pingInterval,
      60000,
      0,
      2 ** 31 - 1,
      "pingInterval",
    ),
    pingTimeout: int(options.pingTimeout, 10000, 1, 2 ** 31 - 1, "pingTimeout"),
    initialWindowSize,
    connectionWindowSize: int(
      options.connectionWindowSize,
      Math.max(65535, Math.min(MAX_WINDOW_SIZE, initialWindowSize * 4)),
      65535,
      MAX_WINDOW_SIZE,
      "connectionWindowSize",
    ),
    maxConcurrentStreams: int(
      options.maxConcurrentStreams,
      1000,
      1,
      2 ** 31 - 1,
      "maxConcurrentStreams",
    ),
    maxHeaderListSize: int(
      options.maxHeaderListSize,
      65536,
      1024,
      2 ** 31 - 1,
      "maxHeaderListSize",
    ),
    neverIndex,
  };
}

function int(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(`options.${name} must be a number`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `options.${name} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}
