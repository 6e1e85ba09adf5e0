import assert from "node:assert/strict";
import {
  type BinaryCommand,
  NotificationEncoder,
} from "../../src/binary/notification_encoder.ts";
import {
  COMMAND0,
  COMMAND1,
  COMMAND2,
  PAYLOAD_TEXT,
  TOKEN_HEX,
} from "./_vectors.ts";

const payload = new TextEncoder().encode(PAYLOAD_TEXT);

function encoder(command: BinaryCommand): NotificationEncoder {
  return new NotificationEncoder({
    command,
    payload,
    expiry: 0x05f5e0ff,
    priority: 5,
  });
}

function encodeAt(
  enc: NotificationEncoder,
  token: string,
  id: number,
  offset = 0,
): { out: Uint8Array; end: number } {
  const out = new Uint8Array(offset + enc.frameSize(token.length >>> 1) + 8)
    .fill(0xee);
  const end = enc.encode(
    out,
    new DataView(out.buffer, out.byteOffset, out.byteLength),
    offset,
    token,
    id,
  );
  return { out, end };
}

const vectors: Array<[BinaryCommand, Uint8Array]> = [
  [0, COMMAND0],
  [1, COMMAND1],
  [2, COMMAND2],
];

for (const [command, expected] of vectors) {
  Deno.test({
    name: `encoder: command ${command} exact bytes`,
    permissions: "none",
    fn() {
      const enc = encoder(command);
      assert.equal(enc.frameSize(32), expected.length);
      const { out, end } = encodeAt(enc, TOKEN_HEX, 7);
      assert.equal(end, expected.length);
      assert.deepEqual(out.subarray(0, end), expected);
      // nothing written past the end
      assert.deepEqual([...out.subarray(end)], new Array(8).fill(0xee));
    },
  });

  Deno.test({
    name:
      `encoder: command ${command} at an offset, in a subarray, upper-case hex`,
    permissions: "none",
    fn() {
      const enc = encoder(command);
      const backing = new Uint8Array(200).fill(0xee);
      const out = backing.subarray(13, 190);
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const end = enc.encode(out, view, 9, TOKEN_HEX.toUpperCase(), 7);
      assert.equal(end, 9 + expected.length);
      assert.deepEqual(out.subarray(9, end), expected);
      assert.equal(backing[13 + 8], 0xee);
      assert.equal(backing[13 + end], 0xee);
    },
  });

  Deno.test({
    name: `encoder: command ${command} rejects bad hex with -1`,
    permissions: "none",
    fn() {
      const enc = encoder(command);
      for (const bad of ["abc", "zz", "0g", TOKEN_HEX.slice(1), "é0"]) {
        assert.equal(encodeAt(enc, bad, 1).end, -1, bad);
      }
      const huge = "00".repeat(65536);
      const out = new Uint8Array(16);
      assert.equal(enc.encode(out, new DataView(out.buffer), 0, huge, 1), -1);
    },
  });
}

Deno.test({
  name: "encoder: consecutive notifications, ids and token lengths vary",
  permissions: "none",
  fn() {
    const enc = encoder(2);
    const out = new Uint8Array(enc.frameSize(32) + enc.frameSize(0) + 1);
    const view = new DataView(out.buffer);
    const a = enc.encode(out, view, 0, TOKEN_HEX, 0xffffffff);
    const b = enc.encode(out, view, a, "", 0x01020304);
    assert.equal(b, out.length - 1);
    // frame 1: id item holds ffffffff
    assert.deepEqual([...out.subarray(a - 15, a - 11)], [255, 255, 255, 255]);
    // frame 2: 02 | len 34 = 3+0 + 13 + 7+7+4 | 01 0000 | 02 000a payload | 03 0004 01020304 ...
    assert.deepEqual(
      [...out.subarray(a, a + 8)],
      [2, 0, 0, 0, 34, 1, 0, 0],
    );
    assert.deepEqual([...out.subarray(b - 15, b - 11)], [1, 2, 3, 4]);
  },
});

Deno.test({
  name: "encoder: token lengths switching back and forth keep exact bytes",
  permissions: "none",
  fn() {
    for (const [command, expected] of vectors) {
      const enc = encoder(command);
      assert.deepEqual(
        encodeAt(enc, TOKEN_HEX, 7).out.subarray(0, expected.length),
        expected,
      );
      const short = encodeAt(enc, "beef", 7);
      assert.equal(short.end, enc.frameSize(2));
      assert.deepEqual(
        encodeAt(enc, TOKEN_HEX, 7).out.subarray(0, expected.length),
        expected,
      );
      // A failed token leaves the next one whole.
      assert.equal(encodeAt(enc, "zz", 7).end, -1);
      assert.deepEqual(
        encodeAt(enc, TOKEN_HEX, 7).out.subarray(0, expected.length),
        expected,
      );
    }
  },
});

Deno.test({
  name: "encoder: empty payload and command 0 ignores the id",
  permissions: "none",
  fn() {
    const enc = new NotificationEncoder({
      command: 0,
      payload: new Uint8Array(0),
      expiry: 0,
      priority: 10,
    });
    const out = new Uint8Array(enc.frameSize(2));
    const end = enc.encode(out, new DataView(out.buffer), 0, "BEEF", 99);
    assert.equal(end, 7);
    assert.deepEqual([...out], [0, 0, 2, 0xbe, 0xef, 0, 0]);
  },
});

Deno.test({
  name: "encoder: template validation",
  permissions: "none",
  fn() {
    const ok = {
      command: 2 as BinaryCommand,
      payload,
      expiry: 0,
      priority: 10,
    };
    new NotificationEncoder({ ...ok, payload: new Uint8Array(65535) });
    new NotificationEncoder({ ...ok, expiry: 0xffffffff, priority: 255 });
    assert.throws(
      () => new NotificationEncoder({ ...ok, payload: new Uint8Array(65536) }),
      RangeError,
    );
    assert.throws(
      () => new NotificationEncoder({ ...ok, expiry: 2 ** 32 }),
      RangeError,
    );
    assert.throws(
      () => new NotificationEncoder({ ...ok, expiry: -1 }),
      RangeError,
    );
    assert.throws(
      () => new NotificationEncoder({ ...ok, expiry: 1.5 }),
      RangeError,
    );
    assert.throws(
      () => new NotificationEncoder({ ...ok, priority: 256 }),
      RangeError,
    );
    assert.throws(
      () => new NotificationEncoder({ ...ok, command: 3 as BinaryCommand }),
      RangeError,
    );
    assert.throws(
      () =>
        new NotificationEncoder({
          ...ok,
          payload: "x" as unknown as Uint8Array,
        }),
      TypeError,
    );
  },
});
