/**
 * Peak resident memory while sending 1,000,000 tokens (the count is the
 * first argument) from an async iterable through the public API over
 * HTTP/2, to the `node:http2` bench server (`_node_h2_server.cjs`, its own
 * Node process, MAX_CONCURRENT_STREAMS 1000 like APNs).
 *
 * Usage: `deno run -A --config deno.json bench/memory_http2.ts [tokens]`
 * (add `--v8-flags=--expose-gc` to settle the heap before the baseline;
 * `APNS_BENCH_SESSION='{"maxConnections":1}'` passes Session options).
 *
 * The tokens are made as they are pulled, so the caller holds none: the
 * figure is what sending costs. It prints the baseline RSS (session made,
 * nothing sent), the peak while sending (sampled every 5 ms) and the
 * difference; the goal is at most 64 MiB above the baseline.
 *
 * @module
 */

import { APNs, Message, Session } from "../mod.ts";
import { H2Server } from "./_h2_server_client.ts";

const COUNT = Number(Deno.args[0] ?? 1_000_000);
const GOAL_MIB = 64;
const ROOT = new URL("../", import.meta.url);
const FIXTURES = new URL("tests/fixtures/", ROOT);
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(name, FIXTURES));
const MiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** `count` random tokens, made 1024 at a time as they are pulled. */
async function* tokens(count: number): AsyncGenerator<string> {
  const bytes = new Uint8Array(32 * 1024);
  for (let i = 0; i < count; i++) {
    if (i % 1024 === 0) crypto.getRandomValues(bytes);
    const at = 32 * (i % 1024);
    yield bytes.subarray(at, at + 32).toHex();
  }
}

const server = new H2Server(
  "node",
  [{ name: "apns", maxConcurrentStreams: 1000 }],
  new URL("deno.json", ROOT).pathname,
);
await server.start();
try {
  await using session = new Session(
    JSON.parse(Deno.env.get("APNS_BENCH_SESSION") ?? "{}"),
  );
  const apns = new APNs(
    session.getConnection(
      { hostname: "127.0.0.1", port: server.ports.apns, protocol: "h2" },
      {
        token: {
          keyId: "ABC123DEFG",
          teamId: "DEF123GHIJ",
          signingKey: fixture("token.p8"),
        },
        caCerts: fixture("ca.crt"),
      },
    ),
  );
  const message = new Message([], {
    alert: "Hello",
    badge: 1,
    topic: "com.example.app",
  });
  settle();
  const baseline = Deno.memoryUsage().rss;
  const heapBase = Deno.memoryUsage();
  let peak = baseline;
  let peakHeap = heapBase.heapUsed;
  let peakExternal = heapBase.external;
  let peakTotal = heapBase.heapTotal;
  const sampler = setInterval(() => {
    const m = Deno.memoryUsage();
    if (m.rss > peak) peak = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    if (m.external > peakExternal) peakExternal = m.external;
    if (m.heapTotal > peakTotal) peakTotal = m.heapTotal;
  }, 5);
  await server.arm();
  const start = performance.now();
  const result = await apns.send(message, { tokens: tokens(COUNT) });
  const wall = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  const counted = await server.status();

  console.log(
    `${COUNT.toLocaleString("en")} tokens from an async iterable: accepted ${
      result.accepted.toLocaleString("en")
    } (server answered ${
      counted.count.toLocaleString("en")
    } on ${counted.sessions} connection(s)) in ${wall.toFixed(0)} ms = ${
      Math.round(result.accepted / wall * 1000).toLocaleString("en")
    }/s`,
  );
  console.log(`baseline RSS:           ${MiB(baseline)}`);
  console.log(`peak RSS while sending: ${MiB(peak)}`);
  console.log(
    `JS heap used: ${MiB(heapBase.heapUsed)} before, ${
      MiB(peakHeap)
    } at most (heap total ${MiB(heapBase.heapTotal)} before, ${
      MiB(peakTotal)
    } at most); external ${MiB(heapBase.external)} before, ${
      MiB(peakExternal)
    } at most`,
  );
  console.log(
    `delta:                  ${MiB(peak - baseline)} (goal ≤ ${GOAL_MIB} MiB: ${
      peak - baseline <= GOAL_MIB * 1048576 ? "met" : "MISSED"
    })`,
  );
} finally {
  await server.close();
}
