// Load through nghttp2's h2load (Debian: `apt-get install nghttp2-client`).
// h2load cannot present client certificates, so the gateway runs with
// `auth: "none"` (no certificate requested, no token; a topic is required).

import assert from "node:assert/strict";
import { MockHttp2Gateway } from "../../../src/server/mod.ts";
import { PAYLOAD, run, SERVER_TLS, T1, TOPIC, which } from "./_helpers.ts";

const H2LOAD = which("h2load");
if (H2LOAD === undefined) {
  console.warn(
    "h2load_test: h2load not found, skipping (apt-get install nghttp2-client)",
  );
}

async function load(port: number, n: number, extra: string[] = []) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/payload.json`, PAYLOAD);
    const out = await run(H2LOAD!, [
      "-n",
      String(n),
      "-c",
      "2",
      "-m",
      "50",
      `--data=${dir}/payload.json`,
      "-H",
      `apns-topic: ${TOPIC}`,
      ...extra,
      `https://127.0.0.1:${port}/3/device/${T1}`,
    ], 30000);
    assert.equal(out.code, 0, out.stderr + out.stdout);
    return out.stdout;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "h2load: 2000 requests over 2 connections x 50 streams, all 200",
  ignore: H2LOAD === undefined,
  async fn() {
    await using gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "none",
      retain: false,
    });
    const { port } = await gw.listen();
    const out = await load(port, 2000);
    assert.match(out, /2000 succeeded, 0 failed, 0 errored/);
    assert.match(out, /status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx/);
    const rate = Number(/finished in .*?, ([\d.]+) req\/s/.exec(out)?.[1]);
    console.log(`h2load: ${rate} req/s`);
    assert.ok(rate > 1000, `only ${rate} req/s`);
    assert.equal(gw.acceptedCount, 2000);
    assert.equal(gw.connectionCount, 2);
  },
});

Deno.test({
  name: "h2load: bad requests are answered 400 under load",
  ignore: H2LOAD === undefined,
  async fn() {
    await using gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "none",
      retain: false,
    });
    const { port } = await gw.listen();
    const out = await load(port, 500, ["-H", "apns-priority: 2"]);
    assert.match(out, /status codes: 0 2xx, 0 3xx, 500 4xx, 0 5xx/);
    assert.equal(gw.rejectedCount, 500);
  },
});
