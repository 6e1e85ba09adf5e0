import assert from "node:assert/strict";
import { Http2RequestError } from "../../../src/http2/client_connection.ts";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { enc, settle, setup, teardown } from "./_peer.ts";

Deno.test("GOAWAY in the middle of 50 in-flight requests", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 100 });
  const infos: unknown[] = [];
  client.onGoaway = (info) => infos.push(info);
  const all = Array.from(
    { length: 50 },
    (_, i) =>
      settle(
        client.request({ path: `/3/device/${i}`, body: enc.encode("{}") }),
      ),
  );
  await peer.until(
    () => [...peer.requests.values()].filter((r) => r.ended).length === 50,
    "50 requests",
  );
  await peer.send((w) =>
    w.writeGoaway(49, 0, enc.encode('{"reason":"Shutdown"}'))
  );
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(client.isOpen, false);
  assert.deepEqual(client.goaway, {
    lastStreamId: 49,
    errorCode: 0,
    debug: '{"reason":"Shutdown"}',
  });
  assert.deepEqual(infos, [client.goaway]);
  const refused = await settle(client.request({ path: "/after" }));
  assert.ok(!refused.ok);
  assert.equal((refused.error as Http2RequestError).outcome, "unprocessed");

  // Streams 1..49 (25 of them) still complete.
  await peer.send((w) => {
    for (let id = 1; id <= 49; id += 2) {
      peer.respond(w, id, 200, [["apns-id", String(id)]]);
    }
  });
  const results = await Promise.all(all);
  results.forEach((r, i) => {
    const id = 2 * i + 1;
    if (id <= 49) {
      assert.ok(r.ok, `stream ${id} resolved`);
      assert.equal(r.value.streamId, id);
    } else {
      assert.ok(!r.ok, `stream ${id} rejected`);
      assert.ok(r.error instanceof Http2RequestError);
      assert.equal(r.error.outcome, "unprocessed");
      assert.equal(r.error.errorCode, 0);
      assert.match(r.error.message, /Shutdown/);
    }
  });
  assert.equal(results.filter((r) => r.ok).length, 25);
  // Then the client closes on its own, after a GOAWAY of its own.
  await client.closed;
  await peer.done;
  const ours = peer.ofType(FrameType.GOAWAY);
  assert.equal(ours.length, 1);
  assert.equal(ours[0].errorCode, 0);
  assert.equal(ours[0].lastStreamId, 0);
});

Deno.test("GOAWAY queued requests fail unprocessed; with nothing open the client closes at once", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 1 });
  const a = settle(client.request({ path: "/a" }));
  const b = settle(client.request({ path: "/b" }));
  await peer.until(() => peer.requests.size === 1, "a");
  // last-stream-id 0: stream 1 was not processed either.
  await peer.send((w) => w.writeGoaway(0, 0xb, enc.encode("calm down")));
  const [ra, rb] = await Promise.all([a, b]);
  assert.ok(!ra.ok && !rb.ok);
  assert.equal((ra.error as Http2RequestError).outcome, "unprocessed");
  assert.equal((rb.error as Http2RequestError).outcome, "unprocessed");
  assert.equal((ra.error as Http2RequestError).errorCode, 0xb);
  assert.equal(client.goaway?.debug, "calm down");
  await client.closed;
  await peer.done;
});

Deno.test("RST_STREAM: REFUSED_STREAM -> unprocessed; others -> unknown with the code", async () => {
  const { client, peer } = await setup();
  const a = settle(client.request({ path: "/a" }));
  const b = settle(client.request({ path: "/b" }));
  await peer.until(() => peer.requests.size === 2, "2 requests");
  await peer.send((w) => {
    w.writeRstStream(1, 0x7);
    w.writeRstStream(3, 0x2);
  });
  const [ra, rb] = await Promise.all([a, b]);
  assert.ok(!ra.ok && !rb.ok);
  const ea = ra.error as Http2RequestError;
  const eb = rb.error as Http2RequestError;
  assert.ok(ea instanceof Http2RequestError);
  assert.equal(ea.outcome, "unprocessed");
  assert.equal(ea.errorCode, 7);
  assert.equal(eb.outcome, "unknown");
  assert.equal(eb.errorCode, 2);
  assert.match(eb.message, /INTERNAL_ERROR/);
  assert.equal(client.activeStreams, 0);
  assert.ok(client.isOpen);
  await teardown(client, peer);
});

Deno.test("close(): GOAWAY(NO_ERROR), open streams finish, queued fail, then closed", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 1 });
  const a = settle(client.request({ path: "/a" }));
  const b = settle(client.request({ path: "/b" }));
  await peer.until(() => peer.requests.size === 1, "a");
  const closing = client.close();
  assert.equal(client.isOpen, false);
  await peer.until(() => peer.ofType(FrameType.GOAWAY).length === 1, "GOAWAY");
  assert.equal(peer.ofType(FrameType.GOAWAY)[0].errorCode, 0);
  const rb = await b;
  assert.ok(!rb.ok);
  assert.equal((rb.error as Http2RequestError).outcome, "unprocessed");
  await peer.send((w) => peer.respond(w, 1));
  const ra = await a;
  assert.ok(ra.ok);
  await closing;
  await peer.done;
  assert.equal(peer.ofType(FrameType.GOAWAY).length, 1);
});

Deno.test("close(timeout): streams still open after it are failed", async () => {
  const { client, peer } = await setup();
  const a = settle(client.request({ path: "/a" }));
  await peer.until(() => peer.requests.size === 1, "a");
  await client.close(20);
  const ra = await a;
  assert.ok(!ra.ok);
  assert.equal((ra.error as Http2RequestError).outcome, "unknown");
  await peer.done;
});

Deno.test("destroy(): never-written requests unprocessed, written ones unknown", async () => {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 2 });
  const a = settle(client.request({ path: "/a" }));
  await peer.until(() => peer.requests.size === 1, "a written");
  const b = settle(client.request({ path: "/b" })); // open, not yet written
  const c = settle(client.request({ path: "/c" })); // queued
  client.destroy(new Error("bye"));
  const [ra, rb, rc] = await Promise.all([a, b, c]);
  assert.ok(!ra.ok && !rb.ok && !rc.ok);
  assert.equal((ra.error as Http2RequestError).outcome, "unknown");
  assert.equal((rb.error as Http2RequestError).outcome, "unprocessed");
  assert.equal((rc.error as Http2RequestError).outcome, "unprocessed");
  assert.equal((ra.error as Error).cause instanceof Error, true);
  await client.closed;
  peer.close();
  await peer.done;
  await assert.rejects(client.ping(), /closed/);
  const after = await settle(client.request({ path: "/d" }));
  assert.ok(!after.ok);
  assert.equal((after.error as Http2RequestError).outcome, "unprocessed");
});

Deno.test("the server closing the socket fails written requests as unknown", async () => {
  const { client, peer } = await setup();
  const a = settle(client.request({ path: "/a" }));
  await peer.until(() => peer.requests.size === 1, "a");
  peer.close();
  const ra = await a;
  assert.ok(!ra.ok);
  assert.equal((ra.error as Http2RequestError).outcome, "unknown");
  assert.equal((ra.error as Http2RequestError).code, "ERR_APNS_CLOSED");
  await client.closed;
  await peer.done;
  assert.equal(client.isOpen, false);
});
