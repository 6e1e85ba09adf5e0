import assert from "node:assert/strict";
import {
  checkRequest,
  requestHeaders,
} from "../../../src/http2/client_request.ts";
import { growWindow, ReceiveWindow } from "../../../src/http2/flow_control.ts";
import { DeadlineList, StreamRecord } from "../../../src/http2/stream.ts";
import {
  FLUSH_THRESHOLD,
  WriteCoalescer,
} from "../../../src/http2/write_coalescer.ts";
import { StreamTable } from "../../../src/http2/stream_table.ts";
import { Http2RequestError } from "../../../src/http2/client_errors.ts";
import { ApnsError } from "../../../src/errors.ts";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { settle, setup, teardown } from "./_peer.ts";

Deno.test("growWindow: sums, negative allowed, NaN past 2^31-1", () => {
  assert.equal(growWindow(10, -30), -20);
  assert.equal(growWindow(0x7ffffffe, 1), 0x7fffffff);
  assert.ok(Number.isNaN(growWindow(0x7fffffff, 1)));
});

Deno.test("ReceiveWindow: updates at half the window, overrun detected", () => {
  const w = new ReceiveWindow(1000);
  assert.ok(w.consume(499));
  assert.equal(w.takeUpdate(), 0);
  assert.ok(w.consume(1));
  assert.equal(w.takeUpdate(), 500);
  assert.equal(w.available, 1000);
  assert.ok(w.consume(1000));
  assert.equal(w.available, 0);
  assert.ok(!w.consume(1));
});

const NO_LISTENER = { onResponse() {}, onError() {} };

Deno.test("DeadlineList: append, unlink anywhere, head", () => {
  const recs = [1, 2, 3, 4].map((d) =>
    new StreamRecord({ path: "/" }, NO_LISTENER, d)
  );
  const list = new DeadlineList();
  recs.forEach((r) => list.push(r));
  assert.equal(list.head, recs[0]);
  list.remove(recs[2]);
  list.remove(recs[0]);
  assert.equal(list.head, recs[1]);
  assert.equal(recs[1].next, recs[3]);
  list.remove(recs[0]); // not linked: no-op
  list.remove(recs[3]);
  list.remove(recs[1]);
  assert.equal(list.head, null);
  list.push(recs[2]);
  assert.equal(list.head, recs[2]);
});

Deno.test("StreamRecord: body chunks joined into a fresh copy", () => {
  const r = new StreamRecord({ path: "/" }, NO_LISTENER, Infinity);
  const chunk = Uint8Array.of(1, 2, 3);
  r.addData(chunk.subarray(0, 2));
  r.addData(new Uint8Array(0));
  r.addData(chunk.subarray(2));
  const body = r.takeBody();
  assert.deepEqual([...body], [1, 2, 3]);
  assert.notEqual(body.buffer, chunk.buffer);
});

Deno.test("WriteCoalescer: one write in flight, the rest batched behind it", async () => {
  const writes: Uint8Array[] = [];
  let release: (() => void) | null = null;
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      writes.push(chunk);
      return new Promise<void>((r) => release = r);
    },
  });
  const sink = new WriteCoalescer(stream.getWriter(), () => {});
  sink.frames.writeSettingsAck();
  sink.schedule();
  sink.frames.writeSettingsAck();
  sink.schedule();
  assert.equal(writes.length, 0, "flushes on a microtask");
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(writes.length, 1);
  assert.equal(writes[0].length, 18);
  assert.equal(sink.generation, 1);
  for (let i = 0; i < 5; i++) {
    sink.frames.writeWindowUpdate(0, 1);
    sink.schedule();
  }
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(writes.length, 1, "waits behind the write in flight");
  const drained = sink.drained();
  release!();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(writes.length, 2);
  assert.equal(writes[1].length, 5 * 13);
  release!();
  await drained;
  assert.equal(sink.writes, 2);
});

Deno.test("WriteCoalescer: corked frames wait for uncork, the threshold or drained()", async () => {
  const writes: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      writes.push(chunk);
    },
  });
  const sink = new WriteCoalescer(stream.getWriter(), () => {});
  const tick = () => new Promise((r) => setTimeout(r, 0));
  sink.cork();
  sink.cork();
  assert.ok(sink.corked);
  for (let turn = 0; turn < 3; turn++) {
    sink.frames.writeWindowUpdate(0, 1);
    sink.schedule();
    await tick();
  }
  assert.equal(writes.length, 0, "held across turns");
  sink.uncork();
  await tick();
  assert.equal(writes.length, 0, "corks nest");
  sink.uncork();
  assert.ok(!sink.corked);
  await tick();
  assert.equal(writes.length, 1);
  assert.equal(writes[0].length, 3 * 13, "the held frames in one write");
  sink.uncork(); // one too many: ignored
  assert.ok(!sink.corked);

  sink.cork();
  while (sink.frames.length < FLUSH_THRESHOLD) {
    sink.frames.writeWindowUpdate(0, 1);
  }
  sink.schedule();
  await tick();
  assert.equal(writes.length, 2, "past the threshold it writes anyway");
  sink.frames.writeWindowUpdate(0, 1);
  sink.schedule();
  await tick();
  assert.equal(writes.length, 2);
  await sink.drained();
  assert.equal(writes.length, 3, "drained() writes what is held");
  assert.ok(sink.corked);
  sink.uncork();
});

Deno.test("StreamTable: agrees with a Map under random churn", () => {
  const table = new StreamTable(16);
  const model = new Map<number, StreamRecord>();
  let next = 1;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let op = 0; op < 20_000; op++) {
    const r = random();
    if (r < 0.55 || model.size === 0) {
      const rec = new StreamRecord({ path: "/" }, NO_LISTENER, Infinity);
      rec.id = next;
      table.set(next, rec);
      model.set(next, rec);
      next += 2;
    } else {
      // Delete a random open stream, sometimes a long-lived old one.
      const ids = [...model.keys()];
      const id = ids[Math.floor(random() * ids.length)];
      assert.equal(table.delete(id), true);
      model.delete(id);
      assert.equal(table.delete(id), false);
    }
    if (op % 97 === 0) {
      for (const [id, rec] of model) assert.equal(table.get(id), rec);
      assert.equal(table.get(next), undefined);
    }
    assert.equal(table.size, model.size);
  }
  assert.deepEqual(table.records(), [...model.values()]);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.get(1), undefined);
  assert.deepEqual(table.records(), []);
});

Deno.test("StreamTable: one stream left open while ids wrap around the ring many times", () => {
  const table = new StreamTable(16);
  const record = (id: number) => {
    const rec = new StreamRecord({ path: "/" }, NO_LISTENER, Infinity);
    rec.id = id;
    return rec;
  };
  const slow = record(1);
  table.set(1, slow);
  // 100 streams in flight at a time, 10,000 in all, the first never done.
  for (let id = 3; id < 20_003; id += 2) {
    table.set(id, record(id));
    if (id - 200 > 1) assert.ok(table.delete(id - 200));
    assert.equal(table.get(1), slow);
  }
  assert.equal(table.size, 101);
  assert.equal(table.records()[0], slow);
  assert.equal(table.get(20_001)?.id, 20_001);
  assert.equal(table.get(19_801), undefined);
  assert.ok(table.delete(1));
  assert.equal(table.size, 100);
});

Deno.test("WriteCoalescer: a failed write reports once and stops", async () => {
  const errors: unknown[] = [];
  const stream = new WritableStream<Uint8Array>({
    write() {
      throw new Error("broken pipe");
    },
  });
  const sink = new WriteCoalescer(stream.getWriter(), (e) => errors.push(e));
  sink.frames.writeSettingsAck();
  sink.schedule();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(errors.length, 1);
  sink.frames.writeSettingsAck();
  sink.schedule();
  await sink.drained();
  assert.equal(errors.length, 1);
});

Deno.test("checkRequest / requestHeaders", () => {
  assert.equal(
    checkRequest({ path: "/", method: "GET", headers: [["te", "trailers"]] }),
    null,
  );
  assert.ok(
    checkRequest({ path: "/", headers: [["te", "gzip"]] }) instanceof TypeError,
  );
  assert.ok(checkRequest({ path: "/", method: "GE T" }) instanceof TypeError);
  assert.ok(
    checkRequest({ path: "/", headers: [[":path", "/x"]] }) instanceof
      TypeError,
  );
  assert.deepEqual(
    requestHeaders({ path: "/p", method: "PURGE" }, [":scheme", "https"], [
      ":authority",
      "a",
    ]),
    [[":method", "PURGE"], [":scheme", "https"], [":authority", "a"], [
      ":path",
      "/p",
    ]],
  );
});

Deno.test("Http2RequestError: codes and instanceof", () => {
  const e = new Http2RequestError("t", {
    outcome: "unknown",
    code: "ERR_APNS_TIMEOUT",
    errorCode: 8,
  });
  assert.ok(e instanceof ApnsError);
  assert.equal(e.name, "Http2RequestError");
  assert.equal(e.code, "ERR_APNS_TIMEOUT");
  assert.equal(e.errorCode, 8);
  assert.equal(
    new Http2RequestError("x", { outcome: "unprocessed" }).errorCode,
    undefined,
  );
});

Deno.test("a response header list over maxHeaderListSize fails the stream only", async () => {
  const { client, peer } = await setup({ maxHeaderListSize: 1024 });
  let n = 0;
  peer.onRequest = (req) =>
    peer.send((w) => {
      const big = n++ === 0
        ? [["x-big", "v".repeat(2000)] as [string, string]]
        : [];
      peer.respond(w, req.id, 200, big);
    });
  const r = await settle(client.request({ path: "/" }));
  assert.ok(!r.ok);
  assert.equal((r.error as Http2RequestError).outcome, "unknown");
  await peer.until(() => peer.ofType(FrameType.RST_STREAM).length === 1, "RST");
  assert.equal((await client.request({ path: "/" })).status, 200);
  await teardown(client, peer);
});
