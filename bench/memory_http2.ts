/**
 * Peak resident memory while sending 1,000,000 tokens (the count is the
 * first argument) from an async iterable through the public API over
 * HTTP/2, to the `node:http2` bench server (`_node_h2_server.cjs`, its own
 * Node process, MAX_CONCURRENT_STREAMS 1000 like APNs).
 *
 * Usage: `deno run -A --config deno.json bench/memory_http2.ts [tokens]`
 * - `--control`: instead, the same number of tokens through a plain loop
 *   with as many records in flight (2,016) and no client, to show what V8
 *   itself does with such a stream;
 * - `--v8-flags=--max-semi-space-size=4` caps V8's young generation;
 * - `APNS_BENCH_SESSION='{"maxConnections":1}'` passes Session options.
 *
 * The baseline is taken after a 1,000-token warm-up send (connections open,
 * code compiled; the RSS before it is printed too): the figure is what
 * streaming the tokens costs, and the tokens are made as they are pulled,
 * so the caller holds none.
 *
 * @module
 */

import { APNs, Message, Session } from "../mod.ts";
import { H2Server } from "./_h2_server_client.ts";
import {
  controlLoop,
  MemorySampler,
  MiB,
  randomTokens as tokens,
} from "./_memory.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const COUNT = Number(args[0] ?? 1_000_000);
/** Streams the dispatcher keeps in flight: 2 connections x 1000 + 16. */
const IN_FLIGHT = 2016;
const ROOT = new URL("../", import.meta.url);
const FIXTURES = new URL("tests/fixtures/", ROOT);
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(name, FIXTURES));

if (Deno.args.includes("--control")) {
  const sampler = await controlLoop(COUNT, IN_FLIGHT);
  console.log(
    `control: ${
      COUNT.toLocaleString("en")
    } tokens through a plain loop, ${IN_FLIGHT} records in flight, no client`,
  );
  for (const line of sampler.report("before the loop")) console.log(line);
  Deno.exit(0);
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
  const cold = Deno.memoryUsage().rss;
  await apns.send(message, { tokens: tokens(1000) });
  await server.arm();
  const sampler = new MemorySampler();
  sampler.start();
  const start = performance.now();
  const result = await apns.send(message, { tokens: tokens(COUNT) });
  const wall = performance.now() - start;
  sampler.stop();
  const counted = await server.status();

  console.log(
    `${COUNT.toLocaleString("en")} tokens from an async iterable: accepted ${
      result.accepted.toLocaleString("en")
    } (server answered ${
      counted.count.toLocaleString("en")
    }; ${counted.sessions} connection(s) opened during the run) in ${
      wall.toFixed(0)
    } ms = ${Math.round(result.accepted / wall * 1000).toLocaleString("en")}/s`,
  );
  console.log(
    `RSS before the warm-up (session made, nothing sent): ${MiB(cold)}`,
  );
  for (const line of sampler.report("after a 1,000-token warm-up")) {
    console.log(line);
  }
} finally {
  await server.close();
}
