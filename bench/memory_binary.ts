/**
 * Peak resident memory while sending one message of 1,000,000 tokens (the
 * count is the first argument) through the public API to the bench sink.
 *
 * Usage: `deno run -A --config deno.json bench/memory_binary.ts [tokens]`
 *
 * It prints the RSS before the tokens exist, once they exist (what the
 * caller holds anyway), the peak while sending (sampled every 5 ms), and the
 * peak minus the with-tokens figure: what sending costs on top.
 *
 * @module
 */

import { APNs, Message, Session } from "../mod.ts";
import { Sink } from "./_sink_client.ts";

const COUNT = Number(Deno.args[0] ?? 1_000_000);
const ROOT = new URL("../", import.meta.url);
const FIXTURES = new URL("tests/fixtures/", ROOT);
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(name, FIXTURES));
const MiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const sink = new Sink("raw", new URL("deno.json", ROOT).pathname);
await sink.start();
try {
  settle();
  const before = Deno.memoryUsage().rss;
  const tokens: string[] = new Array(COUNT);
  const bytes = new Uint8Array(32 * 1024);
  for (let i = 0; i < COUNT; i++) {
    if (i % 1024 === 0) crypto.getRandomValues(bytes);
    tokens[i] = bytes.subarray(32 * (i % 1024), 32 * (i % 1024) + 32).toHex();
  }
  settle();
  const withTokens = Deno.memoryUsage().rss;

  await using session = new Session();
  const apns = new APNs(
    session.getConnection(["127.0.0.1", sink.port], {
      certString: fixture("client.crt"),
      keyString: fixture("client.key"),
      caCerts: fixture("ca.crt"),
    }),
  );
  let peak = withTokens;
  const sampler = setInterval(() => {
    const rss = Deno.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, 5);
  await sink.arm(COUNT);
  const start = performance.now();
  const result = await apns.send(new Message(tokens, { alert: "Hello" }));
  const wall = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  const counted = await sink.result(performance.now() + 30_000);

  console.log(
    `${COUNT.toLocaleString("en")} tokens, one message: accepted ${
      result.accepted.toLocaleString("en")
    } (sink counted ${counted.count.toLocaleString("en")}) in ${
      wall.toFixed(0)
    } ms`,
  );
  console.log(`RSS before tokens:      ${MiB(before)}`);
  console.log(`RSS with tokens:        ${MiB(withTokens)}`);
  console.log(`peak RSS while sending: ${MiB(peak)}`);
  console.log(`sending costs:          ${MiB(peak - withTokens)}`);
} finally {
  await sink.close();
}
