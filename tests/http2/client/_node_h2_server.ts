// Runs a `node:http2` secure server in a real Node process (node v20), for
// interop tests: POST /3/device/* answers 200 with an apns-id; GET /stats
// answers the server's counters as JSON.
const FIXTURES = new URL("../../fixtures/", import.meta.url);

const SCRIPT = `
import http2 from "node:http2";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
const opts = JSON.parse(process.argv[2]);
let active = 0, maxActive = 0, total = 0, sessions = 0;
const server = http2.createSecureServer({
  key: fs.readFileSync(opts.key),
  cert: fs.readFileSync(opts.cert),
  allowHTTP1: false,
  settings: opts.settings,
});
server.on("session", (session) => {
  sessions++;
  let n = 0;
  session.on("stream", () => {
    n++;
    for (const step of opts.settingsAfter ?? []) {
      if (n === step.streams) session.settings(step.settings);
    }
  });
});
server.on("stream", (stream, headers) => {
  active++;
  if (active > maxActive) maxActive = active;
  stream.on("close", () => { active--; });
  const path = headers[":path"];
  const method = headers[":method"];
  const chunks = [];
  stream.on("data", (c) => chunks.push(c));
  stream.on("end", () => {
    if (method === "GET" && path === "/stats") {
      stream.respond({ ":status": 200, "content-type": "application/json" });
      stream.end(JSON.stringify({ maxActive, total, sessions }));
      return;
    }
    if (method !== "POST" || !path.startsWith("/3/device/")) {
      stream.respond({ ":status": 404 });
      stream.end(JSON.stringify({ reason: "BadPath" }));
      return;
    }
    total++;
    const body = Buffer.concat(chunks);
    const reply = () => {
      if (body.length === 0) {
        stream.respond({ ":status": 400, "apns-id": headers["apns-id"] ?? randomUUID() });
        stream.end(JSON.stringify({ reason: "PayloadEmpty" }));
      } else {
        stream.respond({ ":status": 200, "apns-id": headers["apns-id"] ?? randomUUID() }, { endStream: true });
      }
    };
    if (opts.delay) setTimeout(reply, opts.delay); else setImmediate(reply);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\\n");
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
`;

/** Options for the Node server. */
export interface NodeServerOptions {
  settings?: Record<string, number | boolean>;
  settingsAfter?: { streams: number; settings: Record<string, number> }[];
  delay?: number;
}

/** A running Node HTTP/2 server. */
export interface NodeServer extends AsyncDisposable {
  port: number;
  close(): Promise<void>;
}

/** Whether `node` is on the PATH. */
export function hasNode(): boolean {
  try {
    const out = new Deno.Command("node", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync();
    return out.success;
  } catch {
    return false;
  }
}

/** Starts the server and waits for its port. */
export async function startNodeServer(
  options: NodeServerOptions = {},
): Promise<NodeServer> {
  const dir = await Deno.makeTempDir({ prefix: "h2-node-" });
  const script = `${dir}/server.mjs`;
  await Deno.writeTextFile(script, SCRIPT);
  const opts = {
    key: new URL("server.key", FIXTURES).pathname,
    cert: new URL("server.crt", FIXTURES).pathname,
    ...options,
  };
  const child = new Deno.Command("node", {
    args: [script, JSON.stringify(opts)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill(), 10000);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("node server exited before listening");
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const { port } = JSON.parse(text.split("\n")[0]);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await child.stdin.close().catch(() => {});
    const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await child.status;
    clearTimeout(killer);
    await reader.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  };
  return { port, close, [Symbol.asyncDispose]: close };
}
