import assert from "node:assert/strict";
import {
  decodeErrorResponse,
  encodeErrorResponse,
  ERROR_RESPONSE_SIZE,
} from "../../src/binary/error_response.ts";
import { ApnsError, ProtocolError } from "../../src/errors.ts";
import { hex } from "./_vectors.ts";

Deno.test({
  name: "error response: exact bytes both ways",
  permissions: "none",
  fn() {
    assert.equal(ERROR_RESPONSE_SIZE, 6);
    // 8 | status 8 (invalid token) | id 0x01020304
    const bytes = hex("08 08 01020304");
    assert.deepEqual(decodeErrorResponse(bytes), { status: 8, id: 0x01020304 });
    assert.deepEqual(encodeErrorResponse(8, 0x01020304), bytes);
    assert.deepEqual(
      encodeErrorResponse(10, 0xffffffff),
      hex("08 0a ffffffff"),
    );
    assert.deepEqual(decodeErrorResponse(hex("08 ff ffffffff")), {
      status: 255,
      id: 0xffffffff,
    });
  },
});

Deno.test({
  name: "error response: offset, short input and wrong command",
  permissions: "none",
  fn() {
    const bytes = hex("aa bb 08 01 00000007 cc");
    assert.deepEqual(decodeErrorResponse(bytes, 2), { status: 1, id: 7 });
    assert.throws(() => decodeErrorResponse(bytes, 3), ProtocolError);
    assert.throws(() => decodeErrorResponse(hex("08 08 0000")), ProtocolError);
    assert.throws(() => decodeErrorResponse(new Uint8Array(0)), ProtocolError);
    try {
      decodeErrorResponse(hex("07 08 00000001"));
      assert.fail("no throw");
    } catch (err) {
      assert.ok(err instanceof ApnsError);
      assert.equal((err as ApnsError).code, "ERR_APNS_PROTOCOL");
    }
  },
});

Deno.test({
  name: "error response: encode validates its arguments",
  permissions: "none",
  fn() {
    assert.throws(() => encodeErrorResponse(256, 0), RangeError);
    assert.throws(() => encodeErrorResponse(-1, 0), RangeError);
    assert.throws(() => encodeErrorResponse(1, 2 ** 32), RangeError);
    assert.throws(() => encodeErrorResponse(1, 0.5), RangeError);
  },
});
