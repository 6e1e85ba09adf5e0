import assert from "node:assert/strict";
import type { Http2RequestError } from "../../../src/http2/client_connection.ts";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { settle, setup, teardown } from "./_peer.ts";

Deno.test("PING from the server is answered at once with the same payload", async () => {
  const { client, peer } = await setup();
  const payload = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  await peer.send((w) => w.writePing(false, payload));
  await peer.until(() => peer.ofType(FrameType.PING).length === 1, "PING ACK");
  const [ack] = peer.ofType(FrameType.PING);
  assert.ok(ack.ack);
  assert.deepEqual([...ack.payload], [...payload]);
  // A stray ACK (not ours) is ignored.
  await peer.send((w) => w.writePing(true, payload));
  assert.ok(client.isOpen);
  await teardown(client, peer);
});

Deno.test("ping(): resolves with the round trip when the ACK comes", async () => {
  const { client, peer } = await setup();
  peer.onFrame = (f) => {
    if (f.type === FrameType.PING && !f.ack) {
      const payload = f.payload.slice();
      setTimeout(() => peer.send((w) => w.writePing(true, payload)), 20);
    }
  };
  const rtt = await client.ping();
  assert.ok(rtt >= 15 && rtt < 1000, `rtt ${rtt}`);
  await teardown(client, peer);
});

Deno.test("keep-alive: PING after pingInterval idle; a missing ACK kills the connection", async () => {
  const { client, peer } = await setup({ pingInterval: 40, pingTimeout: 60 });
  let answer = true;
  peer.onFrame = (f) => {
    if (f.type === FrameType.PING && !f.ack && answer) {
      const payload = f.payload.slice();
      answer = false; // answer the first keep-alive only
      queueMicrotask(() => peer.send((w) => w.writePing(true, payload)));
    }
  };
  const t0 = performance.now();
  await peer.until(
    () => peer.ofType(FrameType.PING).length >= 1,
    "keep-alive PING",
    1000,
  );
  assert.ok(performance.now() - t0 >= 10);
  assert.ok(client.isOpen);
  const pending = settle(client.request({ path: "/" }));
  await peer.until(
    () => peer.ofType(FrameType.PING).length >= 2,
    "second PING",
    1000,
  );
  // No ACK this time: the connection is declared dead.
  await client.closed;
  assert.equal(client.isOpen, false);
  const r = await pending;
  assert.ok(!r.ok);
  assert.equal((r.error as Http2RequestError).outcome, "unknown");
  assert.match((r.error as Error).message, /PING/);
  await peer.done;
});

Deno.test("keep-alive: traffic from the server postpones the PING", async () => {
  const { client, peer } = await setup({
    pingInterval: 250,
    pingTimeout: 1000,
  });
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 25));
    await peer.send((w) => w.writeWindowUpdate(0, 1));
  }
  // 300 ms passed, never 250 ms without a frame.
  assert.equal(peer.ofType(FrameType.PING).length, 0);
  await teardown(client, peer);
});

Deno.test("ping(): a missing ACK rejects and ends the connection", async () => {
  const { client, peer } = await setup({ pingTimeout: 30 });
  await assert.rejects(
    client.ping(),
    (e: Error & { code?: string }) => e.code === "ERR_APNS_TIMEOUT",
  );
  await client.closed;
  await peer.done;
});
