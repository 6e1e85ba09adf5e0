/**
 * HTTP/2 wire constants (RFC 9113): frame type codes, flags, error codes,
 * settings identifiers and their defaults, size limits and the client
 * connection preface.
 *
 * @module
 */

/** Frame type codes (RFC 9113 §6). */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** A frame type code this library knows (0x0..0x9). */
export type FrameType = typeof FrameType[keyof typeof FrameType];

/**
 * Pseudo type of {@linkcode UnknownFrame}: a frame whose wire type is not in
 * {@linkcode FrameType}. Outside 0..255 so it never clashes with a wire code.
 */
export const UNKNOWN_FRAME = 0x100;

/**
 * Pseudo type of {@linkcode StreamErrorFrame}: the decoder's report of a
 * frame that broke a stream-level rule (RFC 9113 §5.4.2). Outside 0..255.
 */
export const STREAM_ERROR = 0x101;

/** Frame flags (RFC 9113 §6). ACK and END_STREAM share bit 0x1. */
export const Flag = {
  /** DATA, HEADERS: last frame the sender sends on the stream. */
  END_STREAM: 0x1,
  /** SETTINGS, PING: this frame acknowledges the peer's. */
  ACK: 0x1,
  /** HEADERS, PUSH_PROMISE, CONTINUATION: the field block ends here. */
  END_HEADERS: 0x4,
  /** DATA, HEADERS, PUSH_PROMISE: a pad length octet and padding follow. */
  PADDED: 0x8,
  /** HEADERS: stream dependency and weight fields are present. */
  PRIORITY: 0x20,
} as const;

/** Error codes of RST_STREAM and GOAWAY (RFC 9113 §7). */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** An error code defined by RFC 9113 (0x0..0xd). */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

const ERROR_NAMES: readonly string[] = Object.keys(ErrorCode);

/**
 * Names an error code as RFC 9113 §7 does.
 *
 * RFC 9113 §7: unknown or unsupported error codes MUST NOT trigger any
 * special behavior; they are named `UNKNOWN(0x..)` here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(errorCodeName(0xb), "ENHANCE_YOUR_CALM");
 * assert.equal(errorCodeName(0x1f), "UNKNOWN(0x1f)");
 * ```
 *
 * @param code a 32-bit error code from the wire
 * @returns the code's name, e.g. `"PROTOCOL_ERROR"`
 */
export function errorCodeName(code: number): string {
  return code >= 0 && code < ERROR_NAMES.length && Number.isInteger(code)
    ? ERROR_NAMES[code]
    : `UNKNOWN(0x${code.toString(16)})`;
}

/** Settings identifiers (RFC 9113 §6.5.2). */
export const SettingsId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/**
 * Settings parameters, as carried by one SETTINGS frame: a field is present
 * only when the frame carried it (the last value wins when an identifier
 * repeats, which is the net effect of RFC 9113 §6.5.3's in-order processing).
 */
export interface Settings {
  /** SETTINGS_HEADER_TABLE_SIZE (0x1): HPACK dynamic table size the sender's decoder allows. */
  headerTableSize?: number;
  /** SETTINGS_ENABLE_PUSH (0x2): whether the sender accepts PUSH_PROMISE. */
  enablePush?: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS (0x3): streams the sender lets its peer open. */
  maxConcurrentStreams?: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE (0x4): initial stream flow-control window, at most 2^31-1. */
  initialWindowSize?: number;
  /** SETTINGS_MAX_FRAME_SIZE (0x5): largest frame payload the sender accepts, 16384..16777215. */
  maxFrameSize?: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE (0x6): advisory bound on an uncompressed field section. */
  maxHeaderListSize?: number;
}

/**
 * Initial values of every setting (RFC 9113 §6.5.2); `Infinity` where the
 * RFC sets no initial limit.
 */
export const DEFAULT_SETTINGS: Readonly<Required<Settings>> = Object.freeze({
  headerTableSize: 4096,
  enablePush: true,
  maxConcurrentStreams: Infinity,
  initialWindowSize: 65535,
  maxFrameSize: 16384,
  maxHeaderListSize: Infinity,
});

/** Size of the frame header in bytes (RFC 9113 §4.1). */
export const FRAME_HEADER_LENGTH = 9;
/** Smallest allowed SETTINGS_MAX_FRAME_SIZE, also its initial value: 2^14. */
export const MIN_MAX_FRAME_SIZE = 16384;
/** Largest allowed SETTINGS_MAX_FRAME_SIZE: 2^24-1. */
export const MAX_MAX_FRAME_SIZE = 16777215;
/** Largest flow-control window and window increment: 2^31-1. */
export const MAX_WINDOW_SIZE = 0x7fffffff;
/** Largest stream identifier: 2^31-1. */
export const MAX_STREAM_ID = 0x7fffffff;

/** The client connection preface as text (RFC 9113 §3.4). */
export const CLIENT_PREFACE_TEXT = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/**
 * The 24-byte client connection preface (RFC 9113 §3.4). Shared: never
 * modify it (`FrameWriter.writePreface()` copies it).
 */
export const CLIENT_PREFACE: Uint8Array = Uint8Array.from(
  CLIENT_PREFACE_TEXT,
  (c) => c.charCodeAt(0),
);
