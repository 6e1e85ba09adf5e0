import assert from "node:assert/strict";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { settle, setup, teardown } from "./_peer.ts";

Deno.test("MAX_CONCURRENT_STREAMS 1: never two streams open, 500 requests complete in order", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 1 });
  let open = 0;
  let maxOpen = 0;
  peer.onFrame = (f) => {
    if (f.type === FrameType.HEADERS) {
      open++;
      maxOpen = Math.max(maxOpen, open);
    }
  };
  peer.onRequest = (req) => {
    // Answer on a later turn, as a real server would.
    queueMicrotask(() => {
      open--;
      peer.send((w) =>
        peer.respond(w, req.id, 200, [["apns-id", `id-${req.id}`]])
      );
    });
  };
  const all = [];
  for (let i = 0; i < 500; i++) {
    all.push(
      client.request({ path: `/3/device/${i}`, body: Uint8Array.of(i & 0xff) }),
    );
  }
  assert.equal(client.activeStreams, 1);
  assert.equal(client.queued, 499);
  const results = await Promise.all(all);
  assert.equal(maxOpen, 1);
  results.forEach((r, i) => {
    assert.equal(r.status, 200);
    assert.equal(r.streamId, 2 * i + 1);
    assert.deepEqual(r.headers, [["apns-id", `id-${r.streamId}`]]);
  });
  // Each request's body reached the server with its path.
  for (let i = 0; i < 500; i++) {
    const req = peer.requests.get(2 * i + 1)!;
    assert.deepEqual([...req.body], [i & 0xff]);
    assert.equal(
      req.headers.find(([n]) => n === ":path")![1],
      `/3/device/${i}`,
    );
  }
  assert.equal(client.activeStreams, 0);
  assert.equal(client.queued, 0);
  await teardown(client, peer);
});

Deno.test("SETTINGS mid-flight: lowering and raising MAX_CONCURRENT_STREAMS", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 10 });
  const pending: number[] = [];
  let open = 0;
  let limit = 10;
  let violations = 0;
  let maxOpen = 0;
  peer.onRequest = (req) => {
    open++;
    if (open > limit) violations++;
    maxOpen = Math.max(maxOpen, open);
    pending.push(req.id);
  };
  const answer = async (n: number) => {
    const ids = pending.splice(0, n);
    open -= ids.length;
    await peer.send((w) => ids.forEach((id) => peer.respond(w, id)));
  };
  const all = Array.from(
    { length: 100 },
    (_, i) => client.request({ path: `/${i}` }),
  );
  await peer.until(() => pending.length === 10, "10 streams");
  assert.equal(client.queued, 90);
  // Lower to 2 while 10 are open: no new stream until fewer than 2 are open.
  await peer.send((w) => w.writeSettings({ maxConcurrentStreams: 2 }));
  await peer.until(
    () => peer.ofType(FrameType.SETTINGS).filter((f) => f.ack).length === 2,
    "ACK",
  );
  assert.equal(client.maxConcurrentStreams, 2);
  limit = 2;
  await answer(5);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(peer.requests.size, 10, "no new streams while 5 are open");
  await answer(5);
  await peer.until(() => pending.length === 2, "2 new streams");
  while (peer.requests.size < 40) {
    await answer(pending.length);
    await peer.until(() => pending.length === 2, "2 more");
  }
  // Raise to 50: the rest go out at once.
  limit = 50;
  await peer.send((w) => w.writeSettings({ maxConcurrentStreams: 50 }));
  await peer.until(() => pending.length === 50, "50 streams", 2000);
  assert.equal(violations, 0);
  while (pending.length > 0) await answer(pending.length);
  const results = await Promise.all(all);
  assert.ok(results.every((r) => r.status === 200));
  assert.equal(maxOpen, 50);
  await teardown(client, peer);
});

Deno.test("our maxConcurrentStreams caps the server's", async () => {
  const { client, peer } = await setup({ maxConcurrentStreams: 3 }, {});
  assert.equal(client.maxConcurrentStreams, 3);
  const all = Array.from(
    { length: 10 },
    () => settle(client.request({ path: "/" })),
  );
  assert.equal(client.activeStreams, 3);
  assert.equal(client.queued, 7);
  await teardown(client, peer);
  const results = await Promise.all(all);
  assert.equal(
    results.filter((r) =>
      !r.ok && (r.error as { outcome: string }).outcome === "unprocessed"
    ).length,
    10,
    "destroyed before any write: all unprocessed",
  );
});

Deno.test("coalescing: 100 requests issued in one tick leave in one write", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 1000 });
  const before = peer.chunks.length;
  const writesBefore = client.writes;
  peer.onRequest = null;
  const all = Array.from(
    { length: 100 },
    (_, i) =>
      client.request({
        path: `/3/device/${i}`,
        headers: [["apns-topic", "t"]],
        body: new Uint8Array(100),
      }),
  );
  await peer.until(
    () =>
      peer.requests.size === 100 &&
      [...peer.requests.values()].every((r) => r.ended),
    "100 requests",
  );
  assert.equal(peer.chunks.length - before, 1, "one chunk");
  assert.equal(client.writes - writesBefore, 1, "one socket write");
  // The responses, sent as one chunk, are answered (WINDOW_UPDATEs etc.)
  // without a write per response.
  await peer.send((w) => {
    for (let id = 1; id <= 199; id += 2) {
      peer.respond(w, id, 200, [], new Uint8Array(10));
    }
  });
  const results = await Promise.all(all);
  assert.equal(results.length, 100);
  assert.ok(client.writes - writesBefore <= 2);
  await teardown(client, peer);
});

Deno.test("request timeout: open stream reset with CANCEL (unknown), queued fails unprocessed", async () => {
  const { client, peer } = await setup({ requestTimeout: 40 }, {
    maxConcurrentStreams: 1,
  });
  const a = settle(client.request({ path: "/a" }));
  const b = settle(client.request({ path: "/b" }));
  const [ra, rb] = await Promise.all([a, b]);
  assert.ok(!ra.ok && !rb.ok);
  const ea = ra.error as { code: string; outcome: string; errorCode: number };
  const eb = rb.error as { code: string; outcome: string };
  assert.equal(ea.code, "ERR_APNS_TIMEOUT");
  assert.equal(ea.outcome, "unknown");
  assert.equal(ea.errorCode, 0x8);
  assert.equal(eb.code, "ERR_APNS_TIMEOUT");
  // b expires in the same pass as a, still queued: never sent.
  assert.equal(eb.outcome, "unprocessed");
  await peer.until(() => peer.ofType(FrameType.RST_STREAM).length >= 1, "RST");
  const rst = peer.ofType(FrameType.RST_STREAM)[0];
  assert.equal(rst.streamId, 1);
  assert.equal(rst.errorCode, 0x8);
  // The connection stays usable.
  peer.onRequest = (req) => peer.send((w) => peer.respond(w, req.id));
  assert.equal((await client.request({ path: "/c" })).status, 200);
  await teardown(client, peer);
});

Deno.test("a request queued behind a timed-out one starts when the slot frees", async () => {
  const { client, peer } = await setup({ requestTimeout: 200 }, {
    maxConcurrentStreams: 1,
  });
  const a = settle(client.request({ path: "/a" }));
  await new Promise((r) => setTimeout(r, 100));
  const b = settle(client.request({ path: "/b" }));
  // a times out at 200 ms; b (deadline 300) then starts on stream 3.
  const ra = await a;
  assert.ok(!ra.ok);
  await peer.until(
    () => peer.requests.size === 2,
    "b sent after a's slot freed",
  );
  await peer.send((w) => peer.respond(w, 3));
  const rb = await b;
  assert.ok(rb.ok);
  await teardown(client, peer);
});

Deno.test("send(): listeners hear each outcome once, without promises; one that throws does not break the connection", async () => {
  const { client, peer } = await setup();
  peer.onRequest = (req) =>
    peer.send((w) => peer.respond(w, req.id, 200, [["apns-id", `${req.id}`]]));
  const uncaught: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    uncaught.push(event.error);
    event.preventDefault();
  };
  globalThis.addEventListener("error", onError);
  try {
    const heard: number[] = [];
    const done = Promise.withResolvers<void>();
    const listener = {
      onResponse(r: { status: number; streamId: number }) {
        heard.push(r.streamId);
        if (r.streamId === 3) throw new Error("listener bug");
        if (heard.length === 3) done.resolve();
      },
      onError(e: Error) {
        done.reject(e);
      },
    };
    // The same header list for each: checked once, reused.
    const headers: [string, string][] = [["apns-topic", "a.b"]];
    for (let i = 0; i < 3; i++) {
      client.send({ path: `/3/device/${i}`, headers }, listener);
    }
    await done.promise;
    assert.deepEqual(heard, [1, 3, 5]);
    for (let t = 0; t < 100 && uncaught.length === 0; t++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal((uncaught[0] as Error).message, "listener bug");
    // The connection goes on; a malformed request is reported at once.
    const after = await client.request({ path: "/3/device/x", headers });
    assert.equal(after.status, 200);
    const refused: Error[] = [];
    client.send({ path: "no-slash" }, {
      onResponse: () => assert.fail("no response expected"),
      onError: (e) => refused.push(e),
    });
    assert.equal(refused.length, 1);
    assert.ok(refused[0] instanceof TypeError);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  await teardown(client, peer);
});
