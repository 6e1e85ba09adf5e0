/**
 * This module's mock (`MockHttp2Gateway`, `auth: "none"`, `retain: false`)
 * as the second server of `compare_http2.ts`, in its own Deno process, with
 * the arguments and control channel of `_node_h2_server.cjs`:
 *
 * `deno run -A _h2_mock_server.ts '<listeners JSON>'`, an array of
 * `{"name", "maxConcurrentStreams", "goawayAfter"?}`, one gateway each.
 * It prints `{"ports":{name:port}}`, then reads `{"cmd":"arm"}`,
 * `{"cmd":"status"}` (`{"count","ms","refused","sessions"}`: accepted
 * notifications since arming, milliseconds from the first valid request to
 * the last acceptance; refused and sessions are not tracked here: -1) and
 * `{"cmd":"quit"}` on stdin.
 *
 * @module
 */

import { MockHttp2Gateway } from "../src/server/mod.ts";

interface ListenerConfig {
  name: string;
  maxConcurrentStreams?: number;
  goawayAfter?: number;
}

const FIXTURES = new URL("../tests/fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));

const out = new TextEncoder();
function say(value: unknown): void {
  Deno.stdout.writeSync(out.encode(JSON.stringify(value) + "\n"));
}

let count = 0;
let first = 0;
let last = 0;

const configs = JSON.parse(Deno.args[0] ?? "[]") as ListenerConfig[];
const gateways: MockHttp2Gateway[] = [];
const ports: Record<string, number> = {};
for (const config of configs) {
  const gateway = new MockHttp2Gateway({
    cert: read("server.crt"),
    key: read("server.key"),
    auth: "none",
    retain: false,
    faults: {
      maxConcurrentStreams: config.maxConcurrentStreams ?? 1000,
      goawayAfter: config.goawayAfter,
    },
    onRequest: () => {
      if (first === 0) first = performance.now();
    },
    onAccepted: () => {
      count++;
      last = performance.now();
    },
  });
  const { port } = await gateway.listen();
  ports[config.name] = port;
  gateways.push(gateway);
}
say({ ports, deno: Deno.version.deno });

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let pending = "";
outer: for await (const text of lines) {
  pending += text;
  let nl: number;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim() === "") continue;
    const msg = JSON.parse(line) as { cmd: string };
    if (msg.cmd === "arm") {
      count = 0;
      first = last = 0;
      say({ armed: true });
    } else if (msg.cmd === "status") {
      say({
        count,
        ms: count === 0 ? 0 : last - first,
        refused: -1,
        sessions: -1,
      });
    } else if (msg.cmd === "quit") {
      break outer;
    }
  }
}
await Promise.all(gateways.map((g) => g.close()));
Deno.exit(0);
