/**
 * SETTINGS frames (RFC 9113 §6.5): type 0x4, flag ACK, a list of
 * (16-bit identifier, 32-bit value) pairs on stream 0.
 *
 * ```
 * SETTINGS Frame {
 *   Length (24), Type (8) = 0x04,
 *   Unused Flags (7), ACK Flag (1),
 *   Reserved (1), Stream Identifier (31) = 0,
 *   Setting (48) ...,
 * }
 * Setting { Identifier (16), Value (32) }
 * ```
 *
 * @module
 */

import { connectionError } from "./error.ts";
import {
  checkInteger,
  readUint32,
  writeFrameHeader,
  writeUint32,
} from "./frame_header.ts";
import {
  ErrorCode,
  Flag,
  FRAME_HEADER_LENGTH,
  FrameType,
  MAX_MAX_FRAME_SIZE,
  MAX_WINDOW_SIZE,
  MIN_MAX_FRAME_SIZE,
  type Settings,
  SettingsId,
} from "./types.ts";

/** A decoded SETTINGS frame. */
export interface SettingsFrame {
  /** Frame type 0x4. */
  readonly type: typeof FrameType.SETTINGS;
  /** Raw flags. */
  readonly flags: number;
  /** Always 0. */
  readonly streamId: 0;
  /** ACK: acknowledges the peer's SETTINGS; `settings` is then empty. */
  readonly ack: boolean;
  /** Known settings the frame carried (unknown identifiers are ignored). */
  readonly settings: Settings;
}

/**
 * Decodes a SETTINGS frame payload and validates the values.
 *
 * @param flags frame flags
 * @param streamId stream identifier from the header
 * @param bytes buffer holding the payload
 * @param offset where the payload starts
 * @param length payload length
 * @returns the frame
 * @throws {Http2Error} (connection errors) PROTOCOL_ERROR on a stream other
 *   than 0, for ENABLE_PUSH not 0/1 or MAX_FRAME_SIZE outside
 *   16384..16777215; FRAME_SIZE_ERROR for an ACK with a payload or a length
 *   not a multiple of 6; FLOW_CONTROL_ERROR for INITIAL_WINDOW_SIZE above
 *   2^31-1
 */
export function decodeSettings(
  flags: number,
  streamId: number,
  bytes: Uint8Array,
  offset = 0,
  length: number = bytes.length - offset,
): SettingsFrame {
  // §6.5: If an endpoint receives a SETTINGS frame whose Stream Identifier
  // field is anything other than 0x00, the endpoint MUST respond with a
  // connection error of type PROTOCOL_ERROR.
  if (streamId !== 0) {
    throw connectionError(
      ErrorCode.PROTOCOL_ERROR,
      `SETTINGS frame on stream ${streamId}`,
    );
  }
  const ack = (flags & Flag.ACK) !== 0;
  // §6.5: Receipt of a SETTINGS frame with the ACK flag set and a length
  // field value other than 0 MUST be treated as a connection error of type
  // FRAME_SIZE_ERROR.
  if (ack && length !== 0) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `SETTINGS ACK with a ${length}-byte payload`,
    );
  }
  // §6.5: A SETTINGS frame with a length other than a multiple of 6 octets
  // MUST be treated as a connection error of type FRAME_SIZE_ERROR.
  if (length % 6 !== 0) {
    throw connectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `SETTINGS payload of ${length} bytes is not a multiple of 6`,
    );
  }
  const settings: Settings = {};
  const end = offset + length;
  for (let p = offset; p < end; p += 6) {
    const id = (bytes[p] << 8) | bytes[p + 1];
    const value = readUint32(bytes, p + 2);
    switch (id) {
      case SettingsId.HEADER_TABLE_SIZE:
        settings.headerTableSize = value;
        break;
      case SettingsId.ENABLE_PUSH:
        // §6.5.2: Any value other than 0 or 1 MUST be treated as a
        // connection error of type PROTOCOL_ERROR.
        if (value > 1) {
          throw connectionError(
            ErrorCode.PROTOCOL_ERROR,
            `SETTINGS_ENABLE_PUSH of ${value}`,
          );
        }
        settings.enablePush = value === 1;
        break;
      case SettingsId.MAX_CONCURRENT_STREAMS:
        settings.maxConcurrentStreams = value;
        break;
      case SettingsId.INITIAL_WINDOW_SIZE:
        // §6.5.2: Values above the maximum flow-control window size of
        // 2^31-1 MUST be treated as a connection error of type
        // FLOW_CONTROL_ERROR.
        if (value > MAX_WINDOW_SIZE) {
          throw connectionError(
            ErrorCode.FLOW_CONTROL_ERROR,
            `SETTINGS_INITIAL_WINDOW_SIZE of ${value}`,
          );
        }
        settings.initialWindowSize = value;
        break;
      case SettingsId.MAX_FRAME_SIZE:
        // §6.5.2: Values outside this range MUST be treated as a connection
        // error of type PROTOCOL_ERROR.
        if (value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) {
          throw connectionError(
            ErrorCode.PROTOCOL_ERROR,
            `SETTINGS_MAX_FRAME_SIZE of ${value}`,
          );
        }
        settings.maxFrameSize = value;
        break;
      case SettingsId.MAX_HEADER_LIST_SIZE:
        settings.maxHeaderListSize = value;
        break;
      default:
        // §6.5.2: An endpoint that receives a SETTINGS frame with any unknown
        // or unsupported identifier MUST ignore that setting.
        break;
    }
  }
  return { type: FrameType.SETTINGS, flags, streamId: 0, ack, settings };
}

const U32 = 0xffffffff;

/**
 * Checks settings to send and counts them.
 *
 * @param settings what to send; absent fields are not sent
 * @returns how many settings will be written
 * @throws {TypeError} for a value of the wrong type
 * @throws {RangeError} for a value the RFC does not allow (including
 *   `Infinity`: omit the field instead)
 */
export function countSettings(settings: Settings): number {
  if (typeof settings !== "object" || settings === null) {
    throw new TypeError("settings must be an object");
  }
  let n = 0;
  if (settings.headerTableSize !== undefined) {
    checkInteger(settings.headerTableSize, 0, U32, "headerTableSize");
    n++;
  }
  if (settings.enablePush !== undefined) {
    if (typeof settings.enablePush !== "boolean") {
      throw new TypeError("enablePush must be a boolean");
    }
    n++;
  }
  if (settings.maxConcurrentStreams !== undefined) {
    checkInteger(settings.maxConcurrentStreams, 0, U32, "maxConcurrentStreams");
    n++;
  }
  if (settings.initialWindowSize !== undefined) {
    checkInteger(
      settings.initialWindowSize,
      0,
      MAX_WINDOW_SIZE,
      "initialWindowSize",
    );
    n++;
  }
  if (settings.maxFrameSize !== undefined) {
    checkInteger(
      settings.maxFrameSize,
      MIN_MAX_FRAME_SIZE,
      MAX_MAX_FRAME_SIZE,
      "maxFrameSize",
    );
    n++;
  }
  if (settings.maxHeaderListSize !== undefined) {
    checkInteger(settings.maxHeaderListSize, 0, U32, "maxHeaderListSize");
    n++;
  }
  return n;
}

function putSetting(
  out: Uint8Array,
  p: number,
  id: number,
  value: number,
): number {
  out[p] = id >>> 8;
  out[p + 1] = id;
  writeUint32(out, p + 2, value);
  return p + 6;
}

/**
 * Writes a SETTINGS frame (not ACK), settings in identifier order.
 *
 * @param out destination with `9 + 6 * countSettings(settings)` bytes of room
 * @param offset where the frame goes
 * @param settings what to send; absent fields are not sent
 * @returns bytes written
 * @throws {TypeError} for a value of the wrong type
 * @throws {RangeError} for a value the RFC does not allow
 */
export function putSettings(
  out: Uint8Array,
  offset: number,
  settings: Settings,
): number {
  const n = countSettings(settings);
  writeFrameHeader(out, offset, 6 * n, FrameType.SETTINGS, 0, 0);
  let p = offset + FRAME_HEADER_LENGTH;
  const s = settings;
  if (s.headerTableSize !== undefined) {
    p = putSetting(out, p, SettingsId.HEADER_TABLE_SIZE, s.headerTableSize);
  }
  if (s.enablePush !== undefined) {
    p = putSetting(out, p, SettingsId.ENABLE_PUSH, s.enablePush ? 1 : 0);
  }
  if (s.maxConcurrentStreams !== undefined) {
    p = putSetting(
      out,
      p,
      SettingsId.MAX_CONCURRENT_STREAMS,
      s.maxConcurrentStreams,
    );
  }
  if (s.initialWindowSize !== undefined) {
    p = putSetting(
      out,
      p,
      SettingsId.INITIAL_WINDOW_SIZE,
      s.initialWindowSize,
    );
  }
  if (s.maxFrameSize !== undefined) {
    p = putSetting(out, p, SettingsId.MAX_FRAME_SIZE, s.maxFrameSize);
  }
  if (s.maxHeaderListSize !== undefined) {
    p = putSetting(
      out,
      p,
      SettingsId.MAX_HEADER_LIST_SIZE,
      s.maxHeaderListSize,
    );
  }
  return p - offset;
}

/**
 * Encodes a SETTINGS frame (not ACK), settings in identifier order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const bytes = encodeSettings({ enablePush: false });
 * assert.equal(bytes.toHex(), "000006040000000000" + "000200000000");
 * ```
 *
 * @param settings what to send; absent fields are not sent
 * @returns the frame's bytes
 * @throws {TypeError} for a value of the wrong type
 * @throws {RangeError} for a value the RFC does not allow
 */
export function encodeSettings(settings: Settings): Uint8Array {
  const out = new Uint8Array(
    FRAME_HEADER_LENGTH + 6 * countSettings(settings),
  );
  putSettings(out, 0, settings);
  return out;
}

/**
 * Encodes a SETTINGS ACK frame: `000000 04 01 00000000`.
 *
 * @returns the frame's 9 bytes
 */
export function encodeSettingsAck(): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_LENGTH);
  writeFrameHeader(out, 0, 0, FrameType.SETTINGS, Flag.ACK, 0);
  return out;
}
