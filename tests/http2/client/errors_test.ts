import assert from "node:assert/strict";
import { Http2RequestError } from "../../../src/http2/client_connection.ts";
import { FrameType } from "../../../src/http2/frame/types.ts";
import { ApnsError } from "../../../src/errors.ts";
import { settle, setup } from "./_peer.ts";

async function connectionErrorCase(
  frames: Parameters<Awaited<ReturnType<typeof setup>>["peer"]["send"]>[0],
  expectedCode: number,
): Promise<void> {
  const { client, peer } = await setup({}, { maxConcurrentStreams: 1 });
  const a = settle(client.request({ path: "/a" }));
  const b = settle(client.request({ path: "/b" }));
  await peer.until(() => peer.requests.size === 1, "a");
  await peer.send(frames);
  const [ra, rb] = await Promise.all([a, b]);
  assert.ok(!ra.ok && !rb.ok);
  const ea = ra.error as Http2RequestError;
  const eb = rb.error as Http2RequestError;
  assert.ok(ea instanceof Http2RequestError && ea instanceof ApnsError);
  assert.equal(ea.outcome, "unknown");
  assert.equal(eb.outcome, "unprocessed");
  assert.equal(ea.code, "ERR_APNS_PROTOCOL");
  assert.equal(ea.errorCode, expectedCode);
  await client.closed;
  await peer.done;
  const goaway = peer.ofType(FrameType.GOAWAY);
  assert.equal(goaway.length, 1);
  assert.equal(goaway[0].errorCode, expectedCode);
  assert.equal(client.isOpen, false);
}

Deno.test("connection error from the frame decoder: GOAWAY(PROTOCOL_ERROR), all fail", async () => {
  // DATA on stream 0.
  await connectionErrorCase(
    (w) => w.writeFrame(0x0, 0, 0, new Uint8Array(1)),
    0x1,
  );
});

Deno.test("HPACK garbage: GOAWAY(COMPRESSION_ERROR)", async () => {
  // Indexed field 0x80 (index 0) is a decoding error.
  await connectionErrorCase(
    (w) => w.writeHeaders(1, Uint8Array.of(0x80), true),
    0x9,
  );
});

Deno.test("PUSH_PROMISE with push disabled: GOAWAY(PROTOCOL_ERROR)", async () => {
  await connectionErrorCase(
    (w) => w.writeFrame(0x5, 0x4, 1, Uint8Array.of(0, 0, 0, 2, 0x88)),
    0x1,
  );
});

Deno.test("frames on idle streams: GOAWAY(PROTOCOL_ERROR)", async () => {
  await connectionErrorCase((w) => w.writeData(5, Uint8Array.of(1), true), 0x1);
});

Deno.test("SETTINGS_ENABLE_PUSH 1 from a server: GOAWAY(PROTOCOL_ERROR)", async () => {
  await connectionErrorCase((w) => w.writeSettings({ enablePush: true }), 0x1);
});

Deno.test("SETTINGS_INITIAL_WINDOW_SIZE overflowing an open stream: GOAWAY(FLOW_CONTROL_ERROR)", async () => {
  await connectionErrorCase((w) => {
    w.writeWindowUpdate(1, 0x7fffffff - 65535);
    w.writeSettings({ initialWindowSize: 65536 });
  }, 0x3);
});

Deno.test("frames on closed streams are ignored; WINDOW_UPDATE 0 on a stream resets it", async () => {
  const { client, peer } = await setup();
  peer.onRequest = (req) => peer.send((w) => peer.respond(w, req.id));
  assert.equal((await client.request({ path: "/" })).status, 200);
  peer.onRequest = null;
  await peer.send((w) => {
    w.writeData(1, Uint8Array.of(1), true);
    w.writeRstStream(1, 0x8);
    w.writeWindowUpdate(1, 5);
    w.writeHeaders(1, peer.encoder.encode([[":status", "200"]]), true);
  });
  const b = settle(client.request({ path: "/b" }));
  await peer.until(() => peer.requests.size === 2, "b");
  await peer.send((w) => w.writeFrame(0x8, 0, 3, new Uint8Array(4)));
  const rb = await b;
  assert.ok(!rb.ok);
  assert.equal((rb.error as Http2RequestError).errorCode, 0x1);
  assert.ok(client.isOpen);
  client.destroy();
  peer.close();
  await client.closed;
  await peer.done;
});
