// Shared helpers for the frame-layer tests.
import assert from "node:assert/strict";
import { decodeHex, encodeHex } from "../../../src/bytes/hex.ts";
import {
  type ErrorCode,
  errorCodeName,
  type Frame,
  FrameDecoder,
  type FrameDecoderOptions,
  Http2Error,
} from "../../../src/http2/frame/mod.ts";

/** Bytes from hex written with spaces for readability. */
export function hex(s: string): Uint8Array {
  return decodeHex(s.replace(/\s+/g, ""));
}

/** Lower-case hex of bytes. */
export function toHex(b: Uint8Array): string {
  return encodeHex(b);
}

/** Asserts `fn` throws an Http2Error with this code and stream. */
export function assertHttp2Error(
  fn: () => unknown,
  errorCode: ErrorCode,
  streamId = 0,
): Http2Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Http2Error, `expected Http2Error, got ${caught}`);
  assert.equal(
    errorCodeName(caught.errorCode),
    errorCodeName(errorCode),
    caught.message,
  );
  assert.equal(caught.streamId, streamId, caught.message);
  assert.equal(caught.code, "ERR_APNS_PROTOCOL");
  return caught;
}

/** Decodes `bytes` in one push with a fresh decoder. */
export function decodeAll(
  bytes: Uint8Array,
  options?: FrameDecoderOptions,
): Frame[] {
  return new FrameDecoder(options).push(bytes);
}

/** Plain comparable form: bytes as hex, errors as code/stream/message. */
export function plain(frames: Frame[]): unknown[] {
  return frames.map((f) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(f)) {
      if (v instanceof Uint8Array) o[k] = toHex(v);
      else if (v instanceof Http2Error) {
        o[k] = { errorCode: v.errorCode, streamId: v.streamId, m: v.message };
      } else o[k] = v;
    }
    return o;
  });
}
