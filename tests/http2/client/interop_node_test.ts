import assert from "node:assert/strict";
import {
  Http2ClientConnection,
  Http2RequestError,
} from "../../../src/http2/client_connection.ts";
import { DenoTlsTransport } from "../../../src/transport/deno_tls.ts";
import { hasNode, startNodeServer } from "./_node_h2_server.ts";

const CA = Deno.readTextFileSync(
  new URL("../../fixtures/ca.crt", import.meta.url),
);
const enc = new TextEncoder();
const ignore = !hasNode();
if (ignore) {
  console.warn("node not found: skipping the node:http2 interop tests");
}

async function connect(port: number): Promise<Http2ClientConnection> {
  const conn = await new DenoTlsTransport().connect({
    hostname: "127.0.0.1",
    port,
    caCerts: [CA],
    alpnProtocols: ["h2"],
  });
  assert.equal(conn.alpnProtocol, "h2");
  return await Http2ClientConnection.open(conn, {
    authority: `127.0.0.1:${port}`,
    requestTimeout: 20000,
  });
}

async function stats(client: Http2ClientConnection) {
  const res = await client.request({ path: "/stats", method: "GET" });
  assert.equal(res.status, 200);
  return JSON.parse(new TextDecoder().decode(res.body));
}

function sendMany(client: Http2ClientConnection, n: number) {
  const payload = enc.encode(JSON.stringify({ aps: { alert: "hello" } }));
  return Array.from({ length: n }, (_, i) =>
    client.request({
      path: `/3/device/${i.toString(16).padStart(64, "0")}`,
      headers: [
        ["apns-topic", "com.example.app"],
        ["apns-id", crypto.randomUUID()],
        ["authorization", "bearer x.y.z"],
      ],
      body: payload,
    }));
}

Deno.test({
  name: "interop node:http2: maxConcurrentStreams 1, 1000 requests over TLS",
  ignore,
  async fn() {
    await using server = await startNodeServer({
      settings: { maxConcurrentStreams: 1 },
    });
    const client = await connect(server.port);
    assert.equal(client.maxConcurrentStreams, 1);
    const t0 = performance.now();
    const results = await Promise.all(sendMany(client, 1000));
    const ms = performance.now() - t0;
    console.log(
      `  mcs 1: 1000 requests in ${ms.toFixed(0)} ms (${
        (1000 / ms * 1000).toFixed(0)
      } req/s), ${client.writes} writes`,
    );
    assert.ok(results.every((r) => r.status === 200));
    assert.ok(
      results.every((r) =>
        r.headers.some(([n, v]) => n === "apns-id" && v.length === 36)
      ),
    );
    const s = await stats(client);
    assert.equal(s.total, 1000);
    assert.equal(s.maxActive, 1);
    await client.close();
    assert.equal(client.isOpen, false);
  },
});

Deno.test({
  name:
    "interop node:http2: 1000 concurrent, SETTINGS lowered then raised mid-flight",
  ignore,
  async fn() {
    await using server = await startNodeServer({
      settings: { maxConcurrentStreams: 100 },
      settingsAfter: [
        { streams: 200, settings: { maxConcurrentStreams: 5 } },
        { streams: 600, settings: { maxConcurrentStreams: 50 } },
      ],
      delay: 1,
    });
    const client = await connect(server.port);
    const t0 = performance.now();
    // Streams sent before the lowered limit reached us are refused
    // (node:http2 does not wait for our ACK): they fail as "unprocessed"
    // with REFUSED_STREAM, and are sent again, as a pool would.
    let refused = 0;
    const results = await Promise.all(
      sendMany(client, 1000).map((p) =>
        p.catch((e) => {
          assert.ok(e instanceof Http2RequestError, String(e));
          assert.equal(e.outcome, "unprocessed");
          assert.equal(e.errorCode, 0x7);
          refused++;
          return sendMany(client, 1)[0];
        })
      ),
    );
    const ms = performance.now() - t0;
    console.log(`  refused and resent: ${refused}`);
    console.log(
      `  settings change: 1000 requests in ${
        ms.toFixed(0)
      } ms, ${client.writes} writes`,
    );
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(client.maxConcurrentStreams, 50);
    const s = await stats(client);
    // Refused streams were never processed: each request counted once.
    assert.equal(s.total, 1000);
    assert.equal(s.sessions, 1);
    assert.ok(
      s.maxActive <= 100 && s.maxActive > 5,
      `maxActive ${s.maxActive}`,
    );
    await client.close();
  },
});

Deno.test({
  name: "interop node:http2: error responses with bodies, and a GET 404",
  ignore,
  async fn() {
    await using server = await startNodeServer({});
    const client = await connect(server.port);
    const bad = await client.request({
      path: "/3/device/00",
      body: new Uint8Array(0),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bad.body)), {
      reason: "PayloadEmpty",
    });
    const missing = await client.request({ path: "/nope", method: "GET" });
    assert.equal(missing.status, 404);
    assert.ok((await client.ping()) >= 0);
    await client.close();
  },
});
