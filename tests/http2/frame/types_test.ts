import assert from "node:assert/strict";
import {
  CLIENT_PREFACE,
  CLIENT_PREFACE_TEXT,
  DEFAULT_SETTINGS,
  ErrorCode,
  errorCodeName,
  Flag,
  FrameType,
  Http2Error,
  MAX_MAX_FRAME_SIZE,
  MAX_WINDOW_SIZE,
  MIN_MAX_FRAME_SIZE,
  SettingsId,
} from "../../../src/http2/frame/mod.ts";
import { ApnsError, ProtocolError } from "../../../src/errors.ts";
import { toHex } from "./_helpers.ts";

const opts = { permissions: "none" } as const;

Deno.test("client preface is the 24 bytes of RFC 9113 §3.4", opts, () => {
  assert.equal(CLIENT_PREFACE.length, 24);
  // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" in ASCII.
  assert.equal(
    toHex(CLIENT_PREFACE),
    "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a",
  );
  assert.equal(CLIENT_PREFACE_TEXT, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
});

Deno.test("frame type codes and flags (RFC 9113 §6)", opts, () => {
  assert.deepEqual(Object.values(FrameType), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Flag, {
    END_STREAM: 1,
    ACK: 1,
    END_HEADERS: 4,
    PADDED: 8,
    PRIORITY: 0x20,
  });
});

Deno.test("error codes 0x0..0xd and their names (RFC 9113 §7)", opts, () => {
  const names = [
    "NO_ERROR",
    "PROTOCOL_ERROR",
    "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",
    "FRAME_SIZE_ERROR",
    "REFUSED_STREAM",
    "CANCEL",
    "COMPRESSION_ERROR",
    "CONNECT_ERROR",
    "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY",
    "HTTP_1_1_REQUIRED",
  ];
  names.forEach((name, code) => {
    assert.equal(ErrorCode[name as keyof typeof ErrorCode], code);
    assert.equal(errorCodeName(code), name);
  });
  assert.equal(errorCodeName(0xe), "UNKNOWN(0xe)");
  assert.equal(errorCodeName(0xffffffff), "UNKNOWN(0xffffffff)");
});

Deno.test("settings ids, defaults and limits (RFC 9113 §6.5.2)", opts, () => {
  assert.deepEqual(Object.values(SettingsId), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(DEFAULT_SETTINGS, {
    headerTableSize: 4096,
    enablePush: true,
    maxConcurrentStreams: Infinity,
    initialWindowSize: 65535,
    maxFrameSize: 16384,
    maxHeaderListSize: Infinity,
  });
  assert.ok(Object.isFrozen(DEFAULT_SETTINGS));
  assert.equal(MIN_MAX_FRAME_SIZE, 2 ** 14);
  assert.equal(MAX_MAX_FRAME_SIZE, 2 ** 24 - 1);
  assert.equal(MAX_WINDOW_SIZE, 2 ** 31 - 1);
});

Deno.test("Http2Error scope, name and brand", opts, () => {
  const c = new Http2Error(ErrorCode.PROTOCOL_ERROR, 0, "bad");
  const s = new Http2Error(ErrorCode.CANCEL, 7, "gone");
  assert.equal(c.isConnectionError, true);
  assert.equal(s.isConnectionError, false);
  assert.equal(c.message, "PROTOCOL_ERROR: bad");
  assert.equal(c.name, "Http2Error");
  assert.equal(c.code, "ERR_APNS_PROTOCOL");
  assert.ok(c instanceof ApnsError);
  assert.ok(c instanceof Http2Error);
  // An Http2Error is a ProtocolError through the prototype chain.
  assert.equal(c instanceof ProtocolError, true);
});
