// The gateway against a node:http2 client run by real Node (not Deno's
// node:http2), with a client certificate: 1000 requests on one session,
// some of them bad, and a forced MAX_CONCURRENT_STREAMS that Node honours.

import assert from "node:assert/strict";
import { MockHttp2Gateway } from "../../../src/server/mod.ts";
import { fixturePath, run, SERVER_TLS, T1, T2, which } from "./_helpers.ts";

const NODE = which("node");

// Sends N requests: i % 10 == 3 bad priority, i % 10 == 7 an unregistered
// token, the rest fine (every 5th with its own apns-id). Prints a summary.
const SCRIPT = `
const http2 = require("node:http2");
const fs = require("node:fs");
const [port, n, dir] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const session = http2.connect("https://127.0.0.1:" + port, {
  cert: fs.readFileSync(dir + "client.crt"),
  key: fs.readFileSync(dir + "client.key"),
  ca: fs.readFileSync(dir + "ca.crt"),
});
session.on("error", (e) => { console.error("session", e); process.exit(2); });
let maxSeen = 0;
const counts = {};
const echoed = [];
let done = 0;
// Streams opened before the server's SETTINGS arrive may exceed its limit
// (and be refused, as RFC 9113 allows): start once they are known.
session.once("remoteSettings", (s) => { maxSeen = s.maxConcurrentStreams; start(); });
function start() {
for (let i = 0; i < n; i++) {
  const headers = {
    ":method": "POST",
    ":path": "/3/device/" + (i % 10 === 7 ? "${T2}" : "${T1}"),
    "apns-topic": "com.example.app",
    "apns-priority": i % 10 === 3 ? "7" : "10",
  };
  const id = i % 5 === 0 ? "00000000-0000-0000-0000-" + String(i).padStart(12, "0") : undefined;
  if (id) headers["apns-id"] = id;
  const req = session.request(headers);
  let status = 0, apnsId = "", body = "";
  req.on("response", (h) => { status = h[":status"]; apnsId = h["apns-id"]; });
  req.setEncoding("utf8");
  req.on("data", (d) => { body += d; });
  req.on("end", () => {
    const key = status + (body ? " " + body : "");
    counts[key] = (counts[key] || 0) + 1;
    if (id && status === 200) echoed.push(apnsId === id);
    if (++done === n) {
      session.close();
      console.log(JSON.stringify({ counts, echoed: echoed.length, allEchoed: echoed.every(Boolean), maxSeen }));
    }
  });
  req.on("error", (e) => { console.error("stream", e); process.exit(3); });
  req.end(JSON.stringify({ aps: { alert: "n" + i } }));
}
}
`;

async function runNode(port: number, n: number) {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/client.cjs`;
    await Deno.writeTextFile(file, SCRIPT);
    const fixtures = fixturePath("ca.crt").replace(/ca\.crt$/, "");
    const out = await run(
      NODE!,
      [file, String(port), String(n), fixtures],
      30000,
    );
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "node:http2 (Node): 1000 requests, bad ones get their reasons",
  ignore: NODE === undefined,
  async fn() {
    await using gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "certificate",
      retain: false,
      faults: {
        reasons: new Map([[T2, {
          status: 410,
          reason: "Unregistered",
          timestamp: 1700000000000,
        }]]),
      },
    });
    const { port } = await gw.listen();
    const summary = await runNode(port, 1000);
    assert.deepEqual(summary.counts, {
      "200": 800,
      '400 {"reason":"BadPriority"}': 100,
      '410 {"reason":"Unregistered","timestamp":1700000000000}': 100,
    });
    // Ids of i % 5 == 0 that were accepted (i % 10 == 0 or 5) are echoed.
    assert.equal(summary.echoed, 200);
    assert.equal(summary.allEchoed, true);
    assert.equal(summary.maxSeen, 1000);
    assert.equal(gw.acceptedCount, 800);
    assert.equal(gw.rejectedCount, 200);
    assert.equal(gw.connectionCount, 1);
  },
});

Deno.test({
  name: "node:http2 (Node): honours MAX_CONCURRENT_STREAMS 5 with 300 requests",
  ignore: NODE === undefined,
  async fn() {
    let open = 0;
    let peak = 0;
    await using gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "certificate",
      retain: false,
      faults: { maxConcurrentStreams: 5, delayMs: 2 },
      onRequest: () => {
        peak = Math.max(peak, ++open);
        return new Promise((r) =>
          setTimeout(() => {
            open--;
            r(undefined);
          }, 1)
        );
      },
    });
    const { port } = await gw.listen();
    const summary = await runNode(port, 300);
    assert.equal(summary.maxSeen, 5);
    assert.equal(summary.counts["200"], 270);
    assert.equal(summary.counts['400 {"reason":"BadPriority"}'], 30);
    assert.ok(peak <= 5, `peak ${peak}`);
  },
});
