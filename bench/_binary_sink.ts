/**
 * The gateway sink of `compare_binary.ts`, run as its own process so that it
 * does not share a thread with the clients it measures.
 *
 * `--kind mock` serves `MockBinaryGateway` (`retain: false`); `--kind raw`
 * (the default) serves a minimal `node:tls` sink that requires client
 * certificates, walks the frames of commands 0, 1 and 2 to count them, and
 * answers a notification with an empty token (the end-of-burst probe) with
 * `8 | 2 | id` before ending the connection. It validates nothing else.
 *
 * Control, one JSON object per line: it prints `{"port":N}` once listening,
 * then reads commands on stdin:
 * - `{"cmd":"arm","target":N}`: resets the counters and answers
 *   `{"armed":true}`; when the N-th notification after that is counted it
 *   prints `{"done":true,"count":N,"ms":T}`, T being the time from the first
 *   to the N-th notification.
 * - `{"cmd":"status"}`: prints `{"count":C,"ms":T}` (T up to now).
 * - `{"cmd":"quit"}`: closes everything and exits.
 *
 * @module
 */

import * as tls from "node:tls";
import { MockBinaryGateway } from "../src/server/mod.ts";

const FIXTURES = new URL("../tests/fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));
const TLS = {
  cert: read("server.crt"),
  key: read("server.key"),
  ca: read("ca.crt"),
};

const out = new TextEncoder();
function say(value: unknown): void {
  Deno.stdout.writeSync(out.encode(JSON.stringify(value) + "\n"));
}

let target = Infinity;
let count = 0;
let first = 0;
let last = 0;

/** Counts `n` notifications that arrived together. */
function counted(n: number): void {
  if (n === 0) return;
  const now = performance.now();
  if (count === 0) first = now;
  const before = count;
  count += n;
  last = now;
  if (before < target && count >= target) {
    say({ done: true, count, ms: last - first });
  }
}

/** The minimal sink: walks frames, counts them, answers probes. */
function serveRaw(socket: tls.TLSSocket): void {
  let carry: Uint8Array | null = null;
  let done = false;
  socket.on("error", () => {});
  socket.on("data", (chunk: Uint8Array) => {
    if (done) return;
    let buf = chunk;
    if (carry !== null) {
      buf = new Uint8Array(carry.length + chunk.length);
      buf.set(carry);
      buf.set(chunk, carry.length);
      carry = null;
    }
    const len = buf.length;
    let at = 0;
    let n = 0;
    let answer = -1; // probe id, when one is found
    let bad = false;
    for (;;) {
      const rest = len - at;
      if (rest < 1) break;
      const command = buf[at];
      let size: number;
      let tokenLen: number;
      let id = 0;
      if (command === 2) {
        if (rest < 8) break;
        size = 5 +
          ((buf[at + 1] << 24 | buf[at + 2] << 16 | buf[at + 3] << 8 |
            buf[at + 4]) >>> 0);
        if (size > 5 + 65535 + 64) {
          bad = true;
          break;
        }
        if (rest < size) break;
        // The first item is the token in every client measured here.
        tokenLen = buf[at + 5] === 1 ? (buf[at + 6] << 8 | buf[at + 7]) : 0;
        if (tokenLen === 0) {
          // Find the identifier item.
          let p = at + 5;
          const end = at + size;
          while (p + 3 <= end) {
            const type = buf[p];
            const itemLen = buf[p + 1] << 8 | buf[p + 2];
            if (type === 3 && itemLen === 4 && p + 7 <= end) {
              id = (buf[p + 3] << 24 | buf[p + 4] << 16 | buf[p + 5] << 8 |
                buf[p + 6]) >>> 0;
            }
            p += 3 + itemLen;
          }
        }
      } else if (command === 1 || command === 0) {
        const head = command === 1 ? 11 : 3;
        if (rest < head) break;
        tokenLen = buf[at + head - 2] << 8 | buf[at + head - 1];
        if (rest < head + tokenLen + 2) break;
        const payloadLen = buf[at + head + tokenLen] << 8 |
          buf[at + head + tokenLen + 1];
        size = head + tokenLen + 2 + payloadLen;
        if (rest < size) break;
        if (command === 1) {
          id = (buf[at + 1] << 24 | buf[at + 2] << 16 | buf[at + 3] << 8 |
            buf[at + 4]) >>> 0;
        }
      } else {
        bad = true;
        break;
      }
      at += size;
      if (tokenLen === 0) {
        answer = id;
        break;
      }
      n++;
    }
    counted(n);
    if (bad || answer >= 0) {
      done = true;
      const status = bad ? 1 : 2;
      const id = answer >= 0 ? answer : 0;
      socket.end(
        new Uint8Array([
          8,
          status,
          id >>> 24,
          (id >>> 16) & 255,
          (id >>> 8) & 255,
          id & 255,
        ]),
      );
      return;
    }
    if (at < len) carry = buf.slice(at);
  });
}

const kind = Deno.args.includes("--kind") &&
    Deno.args[Deno.args.indexOf("--kind") + 1] === "mock"
  ? "mock"
  : "raw";

let close: () => Promise<void>;
if (kind === "mock") {
  const gateway = new MockBinaryGateway({
    ...TLS,
    retain: false,
    onNotification: () => counted(1),
  });
  const { port } = await gateway.listen();
  close = () => gateway.close();
  say({ port, kind });
} else {
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({
    ...TLS,
    requestCert: true,
    rejectUnauthorized: true,
  }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveRaw(socket);
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve())
  );
  close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  say({ port: (server.address() as { port: number }).port, kind });
}

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let pending = "";
outer: for await (const text of lines) {
  pending += text;
  let nl: number;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim() === "") continue;
    const msg = JSON.parse(line) as { cmd: string; target?: number };
    if (msg.cmd === "arm") {
      target = msg.target ?? Infinity;
      count = 0;
      first = last = 0;
      say({ armed: true });
    } else if (msg.cmd === "status") {
      say({ count, ms: count === 0 ? 0 : performance.now() - first });
    } else if (msg.cmd === "quit") {
      break outer;
    }
  }
}
await close();
Deno.exit(0);
