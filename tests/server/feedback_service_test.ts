import assert from "node:assert/strict";
import { MockFeedbackService } from "../../src/server/mod.ts";
import { connect, hex, readAll, SERVER_TLS, T1 } from "./_helpers.ts";

Deno.test("feedback: tuples arrive exactly, then the server closes", async () => {
  await using fb = new MockFeedbackService({
    ...SERVER_TLS,
    tuples: [
      { token: T1, time: 0x5f5e1000 },
      { token: "ABCDEF", time: 0xffffffff },
    ],
  });
  const { port } = await fb.listen();
  for (let round = 1; round <= 2; round++) {
    const conn = await connect(port);
    const { bytes, end } = await readAll(conn);
    conn.close();
    assert.equal(end, "eof");
    // u32 time | u16 length | token
    assert.deepEqual(
      bytes,
      hex(`5f5e1000 0020 ${T1} | ffffffff 0003 abcdef`),
    );
    assert.equal(fb.connectionCount, round);
  }
});

Deno.test("feedback: no tuples, immediate EOF; input is drained", async () => {
  await using fb = new MockFeedbackService({ ...SERVER_TLS, tuples: [] });
  const { port } = await fb.listen();
  const conn = await connect(port);
  await conn.write(new Uint8Array(100_000));
  const { bytes, end } = await readAll(conn);
  conn.close();
  assert.equal(end, "eof");
  assert.equal(bytes.length, 0);
});

Deno.test("feedback: rogue client certificate is rejected", async () => {
  await using fb = new MockFeedbackService({
    ...SERVER_TLS,
    tuples: [{ token: T1, time: 1 }],
  });
  const { port } = await fb.listen();
  const conn = await connect(port, "rogue");
  const { bytes, end } = await readAll(conn);
  conn.close();
  assert.equal(bytes.length, 0);
  assert.ok(end instanceof Deno.errors.UnexpectedEof, String(end));
  assert.equal(fb.connectionCount, 0);
});

Deno.test("feedback: bad tuples are refused at construction", () => {
  assert.throws(
    () =>
      new MockFeedbackService({
        ...SERVER_TLS,
        tuples: [{ token: "xyz", time: 1 }],
      }),
    TypeError,
  );
  assert.throws(
    () =>
      new MockFeedbackService({
        ...SERVER_TLS,
        tuples: [{ token: T1, time: -1 }],
      }),
    RangeError,
  );
  assert.throws(
    () => new MockFeedbackService({ cert: "", key: "", tuples: [] }),
    TypeError,
  );
});
