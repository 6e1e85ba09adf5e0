/**
 * Peak resident memory while sending 1,000,000 tokens (the count is the
 * first argument) through the public API over the binary protocol, to the
 * bench sink (`_binary_sink.ts`, its own process):
 *
 * 1. from an async iterable (the tokens are made as they are pulled, so the
 *    caller holds none), above the RSS after a 1,000-token warm-up send;
 * 2. as one message holding all the tokens, above the RSS once the tokens
 *    exist (what the caller holds anyway).
 *
 * Usage: `deno run -A --config deno.json bench/memory_binary.ts [tokens]`
 *
 * @module
 */

import { APNs, Message, Session } from "../mod.ts";
import { MemorySampler, MiB, randomTokens } from "./_memory.ts";
import { Sink } from "./_sink_client.ts";

const COUNT = Number(Deno.args[0] ?? 1_000_000);
const ROOT = new URL("../", import.meta.url);
const FIXTURES = new URL("tests/fixtures/", ROOT);
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(name, FIXTURES));
const count = (n: number) => n.toLocaleString("en");

const sink = new Sink("raw", new URL("deno.json", ROOT).pathname);
await sink.start();
try {
  await using session = new Session();
  const apns = new APNs(
    session.getConnection(["127.0.0.1", sink.port], {
      certString: fixture("client.crt"),
      keyString: fixture("client.key"),
      caCerts: fixture("ca.crt"),
    }),
  );
  const message = new Message([], { alert: "Hello" });
  const cold = Deno.memoryUsage().rss;
  await sink.arm(1000);
  await apns.send(message, { tokens: randomTokens(1000) });
  await sink.result(performance.now() + 30_000);

  // 1. Streamed from an async iterable.
  await sink.arm(COUNT);
  const streamed = new MemorySampler();
  streamed.start();
  let start = performance.now();
  let result = await apns.send(message, { tokens: randomTokens(COUNT) });
  let wall = performance.now() - start;
  streamed.stop();
  let counted = await sink.result(performance.now() + 30_000);
  console.log(
    `${count(COUNT)} tokens from an async iterable: accepted ${
      count(result.accepted)
    } (sink counted ${count(counted.count)}) in ${wall.toFixed(0)} ms`,
  );
  console.log(
    `RSS before the warm-up (session made, nothing sent): ${MiB(cold)}`,
  );
  for (const line of streamed.report("after a 1,000-token warm-up")) {
    console.log(line);
  }

  // 2. One message holding every token.
  (globalThis as { gc?: () => void }).gc?.();
  const before = Deno.memoryUsage().rss;
  const tokens: string[] = [];
  for await (const token of randomTokens(COUNT)) tokens.push(token);
  const one = new MemorySampler();
  one.start();
  await sink.arm(COUNT);
  start = performance.now();
  result = await apns.send(message.withTokens(tokens));
  wall = performance.now() - start;
  one.stop();
  counted = await sink.result(performance.now() + 30_000);
  console.log("");
  console.log(
    `${count(COUNT)} tokens, one message: accepted ${
      count(result.accepted)
    } (sink counted ${count(counted.count)}) in ${wall.toFixed(0)} ms`,
  );
  console.log(`RSS before the tokens existed: ${MiB(before)}`);
  for (const line of one.report("with the tokens")) console.log(line);
} finally {
  await sink.close();
}
