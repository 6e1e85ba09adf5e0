/**
 * The binary send path's CPU profile: `APNs.send` of one 100,000-token
 * message through {@linkcode NullTransport} (no TLS, no kernel), 100 times
 * after a warm-up, so that a profile shows the library alone.
 *
 * Usage:
 * `deno run -A --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile_binary_send.ts`,
 * then `deno run -R bench/_cpuprofile_top.ts /tmp/prof/<file>.cpuprofile`.
 *
 * @module
 */

import { APNs, Message, Session } from "../mod.ts";
import { NullTransport } from "./_null_transport.ts";

const FIXTURES = new URL("../tests/fixtures/", import.meta.url);
const ROUNDS = Number(Deno.args[0] ?? 100);
const session = new Session({ transport: new NullTransport() });
const apns = new APNs(
  session.getConnection(["127.0.0.1", 2195], {
    certString: Deno.readTextFileSync(new URL("client.crt", FIXTURES)),
    keyString: Deno.readTextFileSync(new URL("client.key", FIXTURES)),
  }),
);
const tokens = Array.from(
  { length: 100_000 },
  () => crypto.getRandomValues(new Uint8Array(32)).toHex(),
);
const message = new Message(tokens, { alert: "Hello", badge: 1 });
for (let i = 0; i < 10; i++) await apns.send(message);
const start = performance.now();
for (let i = 0; i < ROUNDS; i++) {
  const result = await apns.send(message);
  if (result.accepted !== tokens.length) throw new Error("not all accepted");
}
const ns = (performance.now() - start) / ROUNDS / tokens.length * 1e6;
console.log(
  `APNs.send through a null transport: ${ns.toFixed(1)} ns per notification`,
);
await session.shutdown();
