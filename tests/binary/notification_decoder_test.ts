import assert from "node:assert/strict";
import {
  type DecodedNotification,
  type DecodeStep,
  NotificationDecoder,
} from "../../src/binary/notification_decoder.ts";
import {
  type BinaryCommand,
  NotificationEncoder,
} from "../../src/binary/notification_encoder.ts";
import {
  COMMAND0,
  COMMAND1,
  COMMAND2,
  hex,
  PAYLOAD_HEX,
  PAYLOAD_TEXT,
  TOKEN_HEX,
} from "./_vectors.ts";

const TOKEN = Uint8Array.fromHex(TOKEN_HEX);
const PAYLOAD = hex(PAYLOAD_HEX);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function drain(d: NotificationDecoder): DecodeStep[] {
  const steps: DecodeStep[] = [];
  for (let s = d.next(); s !== null; s = d.next()) {
    steps.push(s);
    if (s.kind === "malformed") break;
  }
  return steps;
}

function one(bytes: Uint8Array, max?: number): DecodeStep {
  const d = new NotificationDecoder(
    max === undefined ? {} : { maxFrameLength: max },
  );
  d.push(bytes);
  const s = d.next();
  assert.ok(s !== null, "expected a step");
  return s;
}

function notification(bytes: Uint8Array): DecodedNotification {
  const s = one(bytes);
  assert.equal(s.kind, "notification", JSON.stringify(s));
  return (s as { notification: DecodedNotification }).notification;
}

const N0: DecodedNotification = {
  command: 0,
  id: 0,
  expiry: 0,
  priority: 10,
  token: TOKEN,
  payload: PAYLOAD,
  hasToken: true,
  hasPayload: true,
  hasId: false,
  hasExpiry: false,
  hasPriority: false,
  size: 47,
};
const N1: DecodedNotification = {
  ...N0,
  command: 1,
  id: 7,
  expiry: 0x05f5e0ff,
  hasId: true,
  hasExpiry: true,
  size: 55,
};
const N2: DecodedNotification = {
  ...N1,
  command: 2,
  priority: 5,
  hasPriority: true,
  size: 71,
};

Deno.test({
  name: "decoder: exact vectors for commands 0, 1, 2",
  permissions: "none",
  fn() {
    assert.deepEqual(notification(COMMAND0), N0);
    assert.deepEqual(notification(COMMAND1), N1);
    assert.deepEqual(notification(COMMAND2), N2);
  },
});

Deno.test({
  name: "decoder: command 2 items in any order, optional items absent",
  permissions: "none",
  fn() {
    // priority, id, payload, token; no expiry. 4 + 7 + 13 + 35 = 59 = 0x3b
    const reordered = hex(
      `02 0000003b | 05 0001 0a | 03 0004 00000009 | 02 000a ${PAYLOAD_HEX}
       | 01 0020 ${TOKEN_HEX}`,
    );
    assert.deepEqual(notification(reordered), {
      ...N2,
      id: 9,
      expiry: 0,
      priority: 10,
      hasExpiry: false,
      size: 64,
    });
    // empty frame: nothing present
    assert.deepEqual(notification(hex("02 00000000")), {
      command: 2,
      id: 0,
      expiry: 0,
      priority: 10,
      token: new Uint8Array(0),
      payload: new Uint8Array(0),
      hasToken: false,
      hasPayload: false,
      hasId: false,
      hasExpiry: false,
      hasPriority: false,
      size: 5,
    });
    // zero-length token and payload items are present but empty
    const empty = notification(hex("02 00000006 01 0000 02 0000"));
    assert.equal(empty.hasToken, true);
    assert.equal(empty.token.length, 0);
    assert.equal(empty.hasPayload, true);
    assert.equal(empty.payload.length, 0);
  },
});

Deno.test({
  name: "decoder: tokens of any size are framed (semantics are the caller's)",
  permissions: "none",
  fn() {
    const n = notification(hex("01 00000003 00000000 0002 abcd 0000"));
    assert.deepEqual([...n.token], [0xab, 0xcd]);
    assert.equal(n.payload.length, 0);
    assert.equal(n.id, 3);
    const z = notification(hex("00 0000 0001 7b"));
    assert.equal(z.token.length, 0);
    assert.equal(z.size, 6);
  },
});

Deno.test({
  name: "decoder: every three-way split of a multi-message stream",
  permissions: "none",
  fn() {
    const stream = concat(COMMAND2, COMMAND0, COMMAND1, hex("02 00000000"));
    const n = stream.length;
    const empty = notification(hex("02 00000000"));
    const expected = [N2, N0, N1, empty];
    for (let i = 0; i <= n; i++) {
      for (let j = i; j <= n; j++) {
        const d = new NotificationDecoder();
        const got: DecodedNotification[] = [];
        for (const chunk of [[0, i], [i, j], [j, n]]) {
          d.push(stream.subarray(chunk[0], chunk[1]));
          for (const s of drain(d)) {
            assert.equal(s.kind, "notification");
            got.push((s as { notification: DecodedNotification }).notification);
          }
        }
        assert.deepEqual(got, expected, `split ${i},${j}`);
        assert.equal(d.pending, 0);
      }
    }
  },
});

Deno.test({
  name: "decoder: pending counts buffered bytes; the input chunk is copied",
  permissions: "none",
  fn() {
    const d = new NotificationDecoder();
    const chunk = COMMAND1.slice(0, 20);
    d.push(chunk);
    assert.equal(d.next(), null);
    assert.equal(d.pending, 20);
    chunk.fill(0xff); // caller reuses its buffer
    d.push(COMMAND1.subarray(20));
    assert.deepEqual(drain(d), [{ kind: "notification", notification: N1 }]);
    assert.equal(d.pending, 0);
  },
});

Deno.test({
  name: "decoder: malformed input, statuses and ids",
  permissions: "none",
  fn() {
    const cases: Array<[string, string, number, number]> = [
      ["unknown command", "03 00000000", 1, 0],
      ["error-response command from a client", "08 08 00000001", 1, 0],
      ["frame length above 64 KiB", "02 00010001", 7, 0],
      ["frame length u32 max", "02 ffffffff", 7, 0],
      ["unknown item", "02 0000000a | 03 0004 0000002a | 06 0000", 1, 42],
      [
        "unknown item 0, id item after",
        "02 0000000a | 00 0000 | 03 0004 0000002a",
        1,
        42,
      ],
      ["id item of 3 bytes", "02 00000006 | 03 0003 000001", 1, 0],
      [
        "expiry item of 5 bytes",
        "02 0000000f | 03 0004 00000005 | 04 0005 0000000000",
        1,
        5,
      ],
      ["priority item of 0 bytes", "02 00000003 | 05 0000", 1, 0],
      ["repeated token item", "02 00000008 | 01 0001 aa | 01 0001 bb", 1, 0],
      ["item runs past the frame", "02 00000004 | 01 0002 aa", 1, 0],
      [
        "truncated item header",
        "02 00000009 | 03 0004 00000011 | 02 00",
        1,
        0x11,
      ],
    ];
    for (const [name, bytes, status, id] of cases) {
      const s = one(hex(bytes));
      assert.equal(s.kind, "malformed", name);
      if (s.kind !== "malformed") continue;
      assert.equal(s.status, status, name);
      assert.equal(s.id, id, name);
      assert.ok(s.reason.length > 0);
    }
  },
});

Deno.test({
  name: "decoder: oversized commands 0/1 fail before being buffered",
  permissions: "none",
  fn() {
    // command 1, id 5, token 16 bytes + payload 0x0ff1 > 4096
    const bytes = concat(
      hex("01 00000005 00000000 0010"),
      new Uint8Array(16),
      hex("0ff1"),
    );
    assert.deepEqual(one(bytes, 4096), {
      kind: "malformed",
      status: 7,
      id: 5,
      reason: "notification length 4097 exceeds 4096",
    });
    // command 0 with a token length alone too long
    const s = one(hex("00 1001"), 4096);
    assert.equal(s.kind, "malformed");
    assert.equal((s as { status: number }).status, 7);
    // exactly at the bound is fine
    const atBound = concat(hex("02 00000010 02 000d"), new Uint8Array(13));
    assert.equal(one(atBound, 16).kind, "notification");
    assert.equal(one(atBound, 15).kind, "malformed");
    assert.throws(
      () => new NotificationDecoder({ maxFrameLength: -1 }),
      RangeError,
    );
  },
});

Deno.test({
  name: "decoder: stays failed after a malformed step",
  permissions: "none",
  fn() {
    const d = new NotificationDecoder();
    d.push(concat(COMMAND0, hex("09"), COMMAND1));
    const first = d.next();
    assert.equal(first?.kind, "notification");
    const bad = d.next();
    assert.deepEqual(bad, {
      kind: "malformed",
      status: 1,
      id: 0,
      reason: "unknown command 9",
    });
    assert.equal(d.pending, 0);
    d.push(COMMAND2);
    assert.equal(d.pending, 0);
    assert.deepEqual(d.next(), bad);
  },
});

Deno.test({
  name: "decoder: encoder round trip for every command and token length",
  permissions: "none",
  fn() {
    const payload = new TextEncoder().encode(PAYLOAD_TEXT);
    const tokens = ["", "ab", TOKEN_HEX, "cd".repeat(100)];
    for (const command of [0, 1, 2] as BinaryCommand[]) {
      const enc = new NotificationEncoder({
        command,
        payload,
        expiry: 123456,
        priority: 5,
      });
      const out = new Uint8Array(
        tokens.reduce((n, t) => n + enc.frameSize(t.length / 2), 0),
      );
      const view = new DataView(out.buffer);
      let off = 0;
      tokens.forEach((t, i) => {
        off = enc.encode(out, view, off, t, 1000 + i);
      });
      assert.equal(off, out.length);
      const d = new NotificationDecoder();
      d.push(out);
      const got = drain(d).map((s) => {
        assert.equal(s.kind, "notification");
        return (s as { notification: DecodedNotification }).notification;
      });
      assert.equal(got.length, tokens.length);
      got.forEach((n, i) => {
        assert.equal(n.command, command);
        assert.equal(n.token.toHex(), tokens[i]);
        assert.deepEqual(n.payload, payload);
        assert.equal(n.id, command === 0 ? 0 : 1000 + i);
        assert.equal(n.expiry, command === 0 ? 0 : 123456);
        assert.equal(n.priority, command === 2 ? 5 : 10);
        assert.equal(n.size, enc.frameSize(tokens[i].length / 2));
      });
    }
  },
});
