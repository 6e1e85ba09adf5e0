import assert from "node:assert/strict";
import { MockBinaryGateway } from "../../src/server/mod.ts";
import {
  concat,
  connect,
  frame0,
  frame1,
  frame2,
  hex,
  readAll,
  SERVER_TLS,
  T1,
  T2,
  T3,
} from "./_helpers.ts";

/** Waits until `cond` holds (bounded). */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("gateway: records accepted notifications of commands 0, 1, 2 exactly", async () => {
  const lines: string[] = [];
  const seen: number[] = [];
  await using gw = new MockBinaryGateway({
    ...SERVER_TLS,
    record: (l) => lines.push(l),
    onNotification: (n) => seen.push(n.id),
  });
  const { port } = await gw.listen();
  const conn = await connect(port);
  await conn.write(concat(
    frame2(T1, '{"aps":{"alert":"hi"}}', 7, 0x05f5e0ff, 5),
    frame1(T2, '{"a":1}', 8, 1700000000),
    frame0(T3, "not json"),
  ));
  await until(() => gw.acceptedCount === 3);
  await conn.closeWrite();
  const { bytes, end } = await readAll(conn);
  conn.close();
  assert.equal(end, "eof");
  assert.equal(bytes.length, 0); // success is silent
  assert.deepEqual(gw.accepted, [
    {
      token: T1,
      id: 7,
      expiry: 0x05f5e0ff,
      priority: 5,
      payload: { aps: { alert: "hi" } },
      command: 2,
      connection: 1,
    },
    {
      token: T2,
      id: 8,
      expiry: 1700000000,
      priority: 10,
      payload: { a: 1 },
      command: 1,
      connection: 1,
    },
    {
      token: T3,
      id: 0,
      expiry: 0,
      priority: 10,
      payload: "not json",
      command: 0,
      connection: 1,
    },
  ]);
  assert.deepEqual(lines.map((l) => JSON.parse(l)), [
    {
      token: T1,
      id: 7,
      expiry: 0x05f5e0ff,
      priority: 5,
      payload: { aps: { alert: "hi" } },
    },
    { token: T2, id: 8, expiry: 1700000000, priority: 10, payload: { a: 1 } },
    { token: T3, id: 0, expiry: 0, priority: 10, payload: "not json" },
  ]);
  assert.deepEqual(gw.errors, []);
  assert.deepEqual(seen, [7, 8, 0]);
});

Deno.test("gateway: record file gets one JSON line per notification, flushed on close", async () => {
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const gw = new MockBinaryGateway({ ...SERVER_TLS, record: path });
    const { port } = await gw.listen();
    const conn = await connect(port);
    await conn.write(concat(frame2(T1, "{}", 1), frame2(T2, "[1]", 2)));
    await until(() => gw.acceptedCount === 2);
    conn.close();
    await gw.close();
    const text = await Deno.readTextFile(path);
    assert.equal(
      text,
      `{"token":"${T1}","id":1,"expiry":0,"priority":10,"payload":{}}\n` +
        `{"token":"${T2}","id":2,"expiry":0,"priority":10,"payload":[1]}\n`,
    );
  } finally {
    await Deno.remove(path);
  }
});

/** Sends `good`, then `bad`, expects exactly `expected` then EOF. */
async function expectError(
  gw: MockBinaryGateway,
  bytes: Uint8Array,
  expected: number[],
): Promise<void> {
  const { port } = await gw.listen();
  const conn = await connect(port);
  await conn.write(bytes);
  const { bytes: got, end } = await readAll(conn);
  conn.close();
  assert.equal(end, "eof");
  assert.deepEqual([...got], expected);
}

Deno.test("gateway: validation statuses", async (t) => {
  // [name, bytes after a good notification with id 1, expected response (hex)]
  const cases: Array<[string, Uint8Array, string]> = [
    [
      "token absent (command 2) -> 2",
      // frame length 12: payload item (5) + id item 9 (7)
      hex("02 0000000c | 02 0002 7b7d | 03 0004 00000009"),
      "08 02 00000009",
    ],
    ["empty token -> 2", frame1("", "{}", 10), "08 02 0000000a"],
    ["31-byte token -> 5", frame2("ab".repeat(31), "{}", 11), "08 05 0000000b"],
    ["33-byte token -> 5", frame1("ab".repeat(33), "{}", 12), "08 05 0000000c"],
    ["empty payload -> 4", frame2(T1, "", 13), "08 04 0000000d"],
    [
      "2049-byte payload -> 7",
      frame2(T1, `"${"x".repeat(2047)}"`, 14),
      "08 07 0000000e",
    ],
    ["command 0 failure carries id 0", frame0("ab", "{}"), "08 05 00000000"],
    ["unknown command -> 1", hex("09 010203"), "08 01 00000000"],
    ["frame above 64 KiB -> 7", hex("02 00010001"), "08 07 00000000"],
  ];
  for (const [name, bytes, expected] of cases) {
    await t.step(name, async () => {
      await using gw = new MockBinaryGateway(SERVER_TLS);
      await expectError(
        gw,
        concat(frame2(T1, "{}", 1), bytes, frame2(T2, "{}", 99)),
        [...hex(expected)],
      );
      assert.deepEqual(gw.accepted.map((n) => n.id), [1]); // nothing after the failure
    });
  }
  await t.step("2048-byte payload is accepted", async () => {
    await using gw = new MockBinaryGateway(SERVER_TLS);
    const { port } = await gw.listen();
    const conn = await connect(port);
    await conn.write(frame2(T1, `"${"x".repeat(2046)}"`, 5));
    await until(() => gw.acceptedCount === 1);
    conn.close();
  });
  await t.step("maxPayloadBytes and nonJsonStatus options", async () => {
    await using gw = new MockBinaryGateway({
      ...SERVER_TLS,
      maxPayloadBytes: 4,
      nonJsonStatus: 1,
    });
    await expectError(gw, concat(frame2(T1, "{}", 1), frame2(T1, "[1,2]", 2)), [
      8,
      7,
      0,
      0,
      0,
      2,
    ]);
    await using gw2 = new MockBinaryGateway({
      ...SERVER_TLS,
      nonJsonStatus: 1,
    });
    await expectError(gw2, concat(frame2(T1, "{}", 1), frame2(T1, "{", 3)), [
      8,
      1,
      0,
      0,
      0,
      3,
    ]);
  });
});

Deno.test("gateway: error frame then EOF even while the client keeps writing a burst", async () => {
  await using gw = new MockBinaryGateway({
    ...SERVER_TLS,
    faults: { failTokens: new Map([[T2, 8]]) },
  });
  const { port } = await gw.listen();
  const conn = await connect(port);
  const one = frame2(T1, '{"aps":{"alert":"' + "y".repeat(200) + '"}}', 0);
  // 20000 good notifications after the bad one: about 5 MB
  const burst = new Uint8Array(one.length * 20000);
  for (let i = 0; i < 20000; i++) burst.set(one, i * one.length);
  const reading = readAll(conn, 10000);
  const writing = (async () => {
    await conn.write(concat(frame2(T1, "{}", 1), frame2(T2, "{}", 2)));
    let written = 0;
    try {
      while (written < burst.length) {
        written += await conn.write(burst.subarray(written, written + 65536));
      }
    } catch (err) {
      return err as Error;
    }
    return written;
  })();
  const { bytes, end } = await reading;
  const wrote = await writing;
  conn.close();
  assert.equal(end, "eof");
  assert.deepEqual([...bytes], [8, 8, 0, 0, 0, 2]);
  assert.deepEqual(gw.accepted.map((n) => n.id), [1]);
  assert.deepEqual(gw.errors.map((e) => [e.status, e.id, e.token]), [[
    8,
    2,
    T2,
  ]]);
  // The server drained instead of closing: the writer was never reset.
  assert.equal(wrote, burst.length);
});

Deno.test("gateway: a client certificate from another CA is rejected", async () => {
  await using gw = new MockBinaryGateway(SERVER_TLS);
  const { port } = await gw.listen();
  const conn = await connect(port, "rogue"); // TLS 1.3: the handshake "succeeds" client-side
  await conn.handshake();
  const wrote = await conn.write(frame2(T1, "{}", 1)); // the write is accepted locally
  assert.ok(wrote > 0);
  const { bytes, end } = await readAll(conn);
  conn.close();
  assert.equal(bytes.length, 0);
  assert.ok(end instanceof Deno.errors.UnexpectedEof, String(end));
  assert.match((end as Error).message, /close_notify/);
  await until(() => gw.tlsErrors === 1);
  assert.equal(gw.connectionCount, 0);
  assert.equal(gw.acceptedCount, 0);
});

Deno.test("gateway: a client without a certificate gets a CertificateRequired alert", async () => {
  await using gw = new MockBinaryGateway(SERVER_TLS);
  const { port } = await gw.listen();
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [SERVER_TLS.ca],
  });
  await conn.write(frame2(T1, "{}", 1));
  const { end } = await readAll(conn);
  conn.close();
  assert.ok(end instanceof Deno.errors.InvalidData, String(end));
  assert.match((end as Error).message, /CertificateRequired/);
  assert.equal(gw.acceptedCount, 0);
});

Deno.test("gateway: faults", async (t) => {
  const three = concat(
    frame2(T1, "{}", 1),
    frame2(T2, "{}", 2),
    frame2(T3, "{}", 3),
  );
  await t.step("failAtIndex", async () => {
    await using gw = new MockBinaryGateway({
      ...SERVER_TLS,
      faults: { failAtIndex: new Map([[1, 255]]) },
    });
    await expectError(gw, three, [8, 255, 0, 0, 0, 2]);
    assert.deepEqual(gw.accepted.map((n) => n.id), [1]);
  });
  await t.step("failTokens", async () => {
    await using gw = new MockBinaryGateway({
      ...SERVER_TLS,
      faults: { failTokens: new Map([[T3, 8]]) },
    });
    await expectError(gw, three, [8, 8, 0, 0, 0, 3]);
    assert.deepEqual(gw.accepted.map((n) => n.id), [1, 2]);
  });
  await t.step("shutdownAfter names the last accepted id", async () => {
    await using gw = new MockBinaryGateway({
      ...SERVER_TLS,
      faults: { shutdownAfter: 2 },
    });
    await expectError(gw, three, [8, 10, 0, 0, 0, 2]);
    assert.deepEqual(gw.accepted.map((n) => n.id), [1, 2]);
    // counts are per connection: a new connection accepts two more
    await expectError(gw, concat(frame2(T1, "{}", 4), frame2(T1, "{}", 5)), [
      8,
      10,
      0,
      0,
      0,
      5,
    ]);
    assert.deepEqual(gw.accepted.map((n) => [n.id, n.connection]), [
      [1, 1],
      [2, 1],
      [4, 2],
      [5, 2],
    ]);
  });
  await t.step(
    "dropAfter destroys the connection without a frame",
    async () => {
      await using gw = new MockBinaryGateway({
        ...SERVER_TLS,
        faults: { dropAfter: 1 },
      });
      const { port } = await gw.listen();
      const conn = await connect(port);
      await conn.write(three);
      const { bytes, end } = await readAll(conn);
      conn.close();
      assert.equal(bytes.length, 0);
      // The server destroys the socket: no close_notify reaches the client,
      // which sees the same error as for a rejected certificate.
      assert.ok(end instanceof Deno.errors.UnexpectedEof, String(end));
      assert.deepEqual(gw.accepted.map((n) => n.id), [1]);
      assert.deepEqual(gw.errors, []);
    },
  );
  await t.step("readDelayMs slows the reader but loses nothing", async () => {
    await using gw = new MockBinaryGateway({
      ...SERVER_TLS,
      faults: { readDelayMs: 20 },
    });
    const { port } = await gw.listen();
    const conn = await connect(port);
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await conn.write(frame2(T1, "{}", i));
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => gw.acceptedCount === 5);
    assert.ok(Date.now() - started >= 20);
    conn.close();
    assert.deepEqual(gw.accepted.map((n) => n.id), [0, 1, 2, 3, 4]);
  });
});

Deno.test("gateway: close() ends connections that clients keep open", async () => {
  const gw = new MockBinaryGateway({ ...SERVER_TLS, retain: false });
  const { port } = await gw.listen();
  const a = await connect(port);
  const b = await connect(port);
  await a.write(frame2(T1, "{}", 1));
  await b.write(frame2(T1, "{}", 2));
  await until(() => gw.acceptedCount === 2);
  assert.deepEqual(gw.accepted, []);
  const started = Date.now();
  await gw.close();
  assert.ok(Date.now() - started < 1500);
  for (const c of [a, b]) {
    const { end } = await readAll(c);
    c.close();
    assert.equal(end, "eof");
  }
  await gw.close(); // idempotent
});
