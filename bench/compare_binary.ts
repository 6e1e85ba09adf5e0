/**
 * Binary-protocol throughput, side by side, against one gateway sink on
 * 127.0.0.1 (`_binary_sink.ts`, its own process):
 *
 * - the raw ceiling: pre-encoded command-2 frames written straight to a
 *   `Deno.connectTls` socket in 64 KiB writes, then a probe;
 * - this module through its public API (`Session`, `APNs`, `Message`) on
 *   one cached connection: 1000-token messages with 8 sends in flight (on
 *   the default `DenoTlsTransport` and on `NodeTlsTransport`, which sets
 *   TCP_NODELAY), the same messages all sent at once, and one large
 *   message (100,000 tokens: the seed's best case shape) on each transport;
 * - `apn@1.7.8` (the last binary node-apn) run by Node in a child process,
 *   with its defaults and with `fastMode`, installed into `bench/.peers/` on
 *   first use with `npm install --prefix` (`--no-peers` skips it). node-apn
 *   insists on Apple's sandbox extension in the client certificate, so the
 *   script issues one from the test CA into `bench/.peers/` with openssl;
 * - with `--seed DIR` (or `APNS_BENCH_SEED=DIR`), the seed itself (apns-client 0.2, Python, its stdio
 *   back-end) sending one message of 100,000 tokens: DIR holds its
 *   `apnsclient` package, which is not in this repository (fetch it
 *   yourself); it runs on Debian's python3 with python3-openssl and
 *   python3-six (`bench/_seed_peer.py`). Its end-to-end figure includes its
 *   fixed 3 s wait for an error after the last write (`read_tail_timeout`).
 *
 * Rows are interleaved over several rounds; the table shows medians. The
 * primary rate is measured at the sink, from the first to the last
 * notification of a run, so it is the same yardstick for every client. The
 * end-to-end rate adds connecting and the proof of acceptance (the answer
 * to the end-of-burst probe); node-apn has no such proof.
 *
 * The default sink is a minimal frame counter: `MockBinaryGateway` (`--sink
 * mock`) parses every payload as JSON and tops out near 0.7 M
 * notifications/s here, below every client but node-apn.
 *
 * Usage: `deno run -A --config deno.json bench/compare_binary.ts
 * [--quick] [--no-peers] [--sink raw|mock] [--rounds N] [--only a,b]
 * [--seed DIR]` (`--only` takes row keys: batches, batches-node, burst,
 * big, big-node, apn, apn-fast, seed; the raw row always runs).
 *
 * @module
 */

import { APNs, Message, NodeTlsTransport, Session } from "../mod.ts";
import { NotificationEncoder } from "../src/binary/notification_encoder.ts";
import { lines, Sink, type SinkResult } from "./_sink_client.ts";

const args = Deno.args;
const QUICK = args.includes("--quick");
const NO_PEERS = args.includes("--no-peers");
const SINK_KIND = optionValue("--sink") === "mock" ? "mock" : "raw";
const ROUNDS = Number(optionValue("--rounds") ?? (QUICK ? 1 : 3));
const APN_VERSION = "1.7.8";
/** `--only raw,batches`: run just these rows (for profiling). */
const ONLY = optionValue("--only")?.split(",");
/** `--seed DIR` (or `APNS_BENCH_SEED`): where the seed's `apnsclient` is. */
const SEED_DIR = optionValue("--seed") ?? Deno.env.get("APNS_BENCH_SEED");

const BENCH = new URL("./", import.meta.url);
const ROOT = new URL("../", BENCH);
const FIXTURES = new URL("tests/fixtures/", ROOT);
const PEERS = new URL(".peers/", BENCH);

/** Notifications per run of each row. */
const SIZES = QUICK
  ? { raw: 20_000, batches: 20_000, big: 10_000, apn: 5_000 }
  : { raw: 1_000_000, batches: 1_000_000, big: 100_000, apn: 100_000 };
const BATCH = 1000;
const IN_FLIGHT = 8;
/** Longest a single run may take before it is cut short. */
const RUN_LIMIT_MS = QUICK ? 15_000 : 60_000;

const OPTIONS = { alert: "Hello", badge: 1 } as const;

function optionValue(name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

// ----------------------------------------------------------------- tokens

const POOL_SIZE = Math.max(SIZES.big, Math.min(100_000, SIZES.batches));
const TOKENS: string[] = (() => {
  const bytes = new Uint8Array(32 * POOL_SIZE);
  for (let i = 0; i < bytes.length; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, i + 65536));
  }
  const out: string[] = new Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) {
    out[i] = bytes.subarray(32 * i, 32 * i + 32).toHex();
  }
  return out;
})();

// ---------------------------------------------------------- the rows

interface RunResult extends SinkResult {
  /** Client-side milliseconds from connecting to the proof of acceptance. */
  wallMs?: number;
  note?: string;
}

interface Row {
  key: string;
  label: string;
  size: number;
  /** Runs per round (short rows repeat to steady their median). */
  repeat?: number;
  run(sink: Sink, size: number): Promise<RunResult>;
}

/** Pre-encoded 64 KiB chunks of command-2 frames, cycled through the pool. */
const RAW = (() => {
  const message = new Message([], OPTIONS);
  const encoder = new NotificationEncoder({
    command: 2,
    payload: message.payloadBytes,
    expiry: message.expiry,
    priority: 10,
  });
  const frame = encoder.frameSize(32);
  const perChunk = Math.floor(65536 / frame);
  const chunks: Uint8Array[] = [];
  let id = 1;
  for (let t = 0; t < POOL_SIZE; t += perChunk) {
    const n = Math.min(perChunk, POOL_SIZE - t);
    const out = new Uint8Array(n * frame);
    const view = new DataView(out.buffer);
    let at = 0;
    for (let i = 0; i < n; i++) {
      at = encoder.encode(out, view, at, TOKENS[t + i], id++);
    }
    chunks.push(out);
  }
  return { chunks, frame };
})();

/** A command-2 probe (empty token) with identifier 0xffffff00. */
const PROBE = new Uint8Array([
  2,
  0,
  0,
  0,
  26, //
  1,
  0,
  0, //
  2,
  0,
  2,
  0x7b,
  0x7d, //
  3,
  0,
  4,
  0xff,
  0xff,
  0xff,
  0x00, //
  4,
  0,
  4,
  0,
  0,
  0,
  0, //
  5,
  0,
  1,
  10,
]);

async function writeAll(conn: Deno.TlsConn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

async function rawRun(sink: Sink, size: number): Promise<RunResult> {
  await sink.arm(size);
  const start = performance.now();
  const deadline = start + RUN_LIMIT_MS;
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: sink.port,
    caCerts: [fixture("ca.crt")],
    cert: fixture("client.crt"),
    key: fixture("client.key"),
  });
  let wallMs: number | undefined;
  try {
    const { chunks, frame } = RAW;
    let left = size;
    let c = 0;
    while (left > 0 && performance.now() < deadline) {
      const chunk = chunks[c++ % chunks.length];
      const frames = chunk.length / frame;
      if (left >= frames) {
        await writeAll(conn, chunk);
        left -= frames;
      } else {
        await writeAll(conn, chunk.subarray(0, left * frame));
        left = 0;
      }
    }
    await writeAll(conn, PROBE);
    const answer = new Uint8Array(6);
    let have = 0;
    while (have < 6) {
      const n = await conn.read(answer.subarray(have));
      if (n === null) break;
      have += n;
    }
    if (have === 6 && answer[0] === 8 && answer[1] === 2) {
      wallMs = performance.now() - start;
    }
  } finally {
    conn.close();
  }
  const result = await sink.result(deadline + 5000);
  return { ...result, wallMs };
}

const sessions: Session[] = [];
const clients = new Map<string, APNs>();

/** One cached connection per transport, kept across runs. */
function client(sink: Sink, transport: "deno" | "node" = "deno"): APNs {
  let apns = clients.get(transport);
  if (!apns) {
    const session = new Session(
      transport === "node" ? { transport: new NodeTlsTransport() } : {},
    );
    sessions.push(session);
    apns = new APNs(
      session.getConnection(["127.0.0.1", sink.port], {
        certString: fixture("client.crt"),
        keyString: fixture("client.key"),
        caCerts: fixture("ca.crt"),
      }),
    );
    clients.set(transport, apns);
  }
  return apns;
}

/** `inFlight` sends of `BATCH` tokens at a time, each refilled as one resolves. */
function batches(
  inFlight: number,
  transport: "deno" | "node" = "deno",
): (sink: Sink, size: number) => Promise<RunResult> {
  return (sink, size) => batchesRun(sink, size, inFlight, transport);
}

async function batchesRun(
  sink: Sink,
  size: number,
  inFlight: number,
  transport: "deno" | "node",
): Promise<RunResult> {
  const api = client(sink, transport);
  await sink.arm(size);
  const start = performance.now();
  const deadline = start + RUN_LIMIT_MS;
  const total = Math.ceil(size / BATCH);
  let next = 0;
  let accepted = 0;
  let other = 0;
  const worker = async () => {
    while (next < total && performance.now() < deadline) {
      const i = next++;
      const from = (i * BATCH) % POOL_SIZE;
      const n = Math.min(BATCH, size - i * BATCH);
      const result = await api.send(
        new Message(TOKENS.slice(from, from + n), OPTIONS),
      );
      accepted += result.accepted;
      other += n - result.accepted;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(inFlight, total) }, worker),
  );
  const wallMs = performance.now() - start;
  const result = await sink.result(deadline + 5000);
  return {
    ...result,
    wallMs: accepted === size ? wallMs : undefined,
    note: other > 0 ? `${other} not accepted` : undefined,
  };
}

function big(
  transport: "deno" | "node",
): (sink: Sink, size: number) => Promise<RunResult> {
  return (sink, size) => bigRun(sink, size, transport);
}

async function bigRun(
  sink: Sink,
  size: number,
  transport: "deno" | "node",
): Promise<RunResult> {
  const api = client(sink, transport);
  const tokens = TOKENS.slice(0, size);
  await sink.arm(size);
  const start = performance.now();
  const result = await api.send(new Message(tokens, OPTIONS));
  const wallMs = performance.now() - start;
  const counted = await sink.result(start + RUN_LIMIT_MS);
  return {
    ...counted,
    wallMs: result.accepted === size ? wallMs : undefined,
    note: result.accepted !== size
      ? `${size - result.accepted} not accepted`
      : undefined,
  };
}

let apnInfo: { version: string; node: string } | undefined;

/**
 * node-apn checks that the client certificate carries Apple's sandbox
 * extension (1.2.840.113635.100.6.3.1) when not talking to the production
 * host: issue such a certificate for the test client key from the test CA.
 */
async function ensureApnCert(): Promise<string> {
  const crt = new URL("apn-client.crt", PEERS);
  try {
    await Deno.stat(crt);
    return crt.pathname;
  } catch {
    // make it
  }
  const ext = new URL("apn-client.ext", PEERS);
  const csr = new URL("apn-client.csr", PEERS);
  await Deno.writeTextFile(
    ext,
    "basicConstraints = CA:FALSE\n" +
      "keyUsage = critical, digitalSignature, keyEncipherment\n" +
      "extendedKeyUsage = clientAuth\n" +
      "1.2.840.113635.100.6.3.1 = ASN1:NULL\n",
  );
  const run = async (argv: string[]) => {
    const out = await new Deno.Command("openssl", {
      args: argv,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `openssl ${argv[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  await run([
    "req",
    "-new",
    "-key",
    new URL("client.key", FIXTURES).pathname,
    "-subj",
    "/UID=com.example.app/CN=Apple Development IOS Push Services: com.example.app",
    "-out",
    csr.pathname,
  ]);
  await run([
    "x509",
    "-req",
    "-in",
    csr.pathname,
    "-CA",
    new URL("ca.crt", FIXTURES).pathname,
    "-CAkey",
    new URL("ca.key", FIXTURES).pathname,
    "-set_serial",
    "4242",
    "-days",
    "365",
    "-sha256",
    "-extfile",
    ext.pathname,
    "-out",
    crt.pathname,
  ]);
  await Deno.remove(csr);
  await Deno.remove(ext);
  return crt.pathname;
}

async function ensureApn(): Promise<string> {
  const dir = new URL(`node_modules/apn/`, PEERS);
  await Deno.mkdir(PEERS, { recursive: true });
  try {
    const pkg = JSON.parse(
      await Deno.readTextFile(new URL("package.json", dir)),
    );
    if (pkg.version === APN_VERSION) return dir.pathname;
  } catch {
    // not installed yet
  }
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      PEERS.pathname,
      "--no-audit",
      "--no-fund",
      "--no-save",
      `apn@${APN_VERSION}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `npm install apn@${APN_VERSION} failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return dir.pathname;
}

function apnRun(
  fast: boolean,
): (sink: Sink, size: number) => Promise<RunResult> {
  return (sink, size) => apnRunWith(sink, size, fast);
}

async function apnRunWith(
  sink: Sink,
  size: number,
  fast: boolean,
): Promise<RunResult> {
  const dir = await ensureApn();
  const cert = await ensureApnCert();
  await sink.arm(size);
  const start = performance.now();
  const child = new Deno.Command("node", {
    args: [
      "--no-deprecation",
      new URL("_apn_peer.cjs", BENCH).pathname,
      dir.replace(/\/$/, ""),
      String(sink.port),
      String(size),
      FIXTURES.pathname,
      cert,
      fast ? "1" : "0",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = lines(child.stdout)[Symbol.asyncIterator]();
  const stderr = new Response(child.stderr).text();
  const first = await out.next();
  if (!first.done) {
    const hello = JSON.parse(first.value);
    if (hello.version) apnInfo = hello;
  }
  const result = await sink.result(start + RUN_LIMIT_MS);
  try {
    child.kill("SIGTERM");
  } catch {
    // exited already
  }
  const status = await child.status;
  let note: string | undefined;
  for (;;) {
    const r = await out.next();
    if (r.done) break;
    const msg = JSON.parse(r.value);
    if (msg.error) note = `node-apn error: ${msg.error}`;
  }
  const err = (await stderr).trim();
  if (result.count === 0) {
    note ??= `node exited ${status.code}: ${err.slice(0, 300)}`;
  }
  return { ...result, note };
}

let seedInfo: { version: string; python: string } | undefined;

/** The seed sends one message of `size` tokens (`bench/_seed_peer.py`). */
async function seedRun(sink: Sink, size: number): Promise<RunResult> {
  await sink.arm(size);
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("_seed_peer.py", BENCH).pathname,
      SEED_DIR!,
      String(sink.port),
      String(size),
      FIXTURES.pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = lines(child.stdout)[Symbol.asyncIterator]();
  const stderr = new Response(child.stderr).text();
  const hello = await out.next();
  if (!hello.done) seedInfo = JSON.parse(hello.value);
  const result = await sink.result(performance.now() + RUN_LIMIT_MS);
  const done = await out.next();
  const status = await child.status;
  if (done.done) {
    return {
      ...result,
      note: `python exited ${status.code}: ${(await stderr).slice(-300)}`,
    };
  }
  const report = JSON.parse(done.value);
  const note = report.failed || report.errors.length
    ? `seed reported ${report.failed} failed, errors ${
      JSON.stringify(report.errors)
    }`
    : undefined;
  return { ...result, wallMs: report.ms, note };
}

const ROWS: Row[] = [
  {
    key: "raw",
    label: "raw ceiling: pre-encoded command-2 frames, 64 KiB writes",
    size: SIZES.raw,
    run: rawRun,
  },
  {
    key: "batches",
    label:
      `@apns/client: ${BATCH}-token messages, ${IN_FLIGHT} sends in flight`,
    size: SIZES.batches,
    run: batches(IN_FLIGHT),
  },
  {
    key: "batches-node",
    label:
      `@apns/client: ${BATCH}-token messages, ${IN_FLIGHT} sends in flight, NodeTlsTransport`,
    size: SIZES.batches,
    run: batches(IN_FLIGHT, "node"),
  },
  {
    key: "burst",
    label: `@apns/client: ${BATCH}-token messages, all sends at once`,
    size: SIZES.batches,
    run: batches(Infinity),
  },
  {
    key: "big",
    label: `@apns/client: one ${SIZES.big.toLocaleString("en")}-token message`,
    size: SIZES.big,
    repeat: 5,
    run: big("deno"),
  },
  {
    key: "big-node",
    label: `@apns/client: one ${
      SIZES.big.toLocaleString("en")
    }-token message, NodeTlsTransport`,
    size: SIZES.big,
    repeat: 5,
    run: big("node"),
  },
];
if (!NO_PEERS) {
  ROWS.push({
    key: "apn",
    label: `apn@${APN_VERSION} (node-apn, defaults), Node`,
    size: SIZES.apn,
    run: apnRun(false),
  }, {
    key: "apn-fast",
    label: `apn@${APN_VERSION} (node-apn, fastMode: true), Node`,
    size: SIZES.apn,
    run: apnRun(true),
  });
}

if (SEED_DIR) {
  ROWS.push({
    key: "seed",
    label: `apns-client 0.2 (the seed), Python: one ${
      SIZES.big.toLocaleString("en")
    }-token message`,
    size: SIZES.big,
    run: seedRun,
  });
}

if (ONLY) {
  for (let i = ROWS.length - 1; i >= 0; i--) {
    if (!ONLY.includes(ROWS[i].key) && ROWS[i].key !== "raw") ROWS.splice(i, 1);
  }
}

// ----------------------------------------------------------------- main

/**
 * Median wall time of opening a TLS connection with the client certificate
 * (what every end-of-burst probe costs the next burst), over `n` connects.
 */
async function handshakeMs(n: number): Promise<number> {
  const transport = new NodeTlsTransport();
  const options = {
    hostname: "127.0.0.1",
    port: sink.port,
    certificate: { cert: fixture("client.crt"), key: fixture("client.key") },
    caCerts: [fixture("ca.crt")],
  };
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const conn = await transport.connect(options);
    times.push(performance.now() - start);
    conn.close();
    await conn.closed;
  }
  return median(times);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en");
}

async function nodeVersion(): Promise<string> {
  try {
    const out = await new Deno.Command("node", { args: ["--version"] })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "not found";
  }
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

const sink = new Sink(SINK_KIND, new URL("deno.json", ROOT).pathname);
await sink.start();
const results = new Map<string, RunResult[]>(ROWS.map((r) => [r.key, []]));
let handshake = 0;
try {
  // Warm-up: JIT both sides and open the pool entry; not counted.
  const warm = QUICK ? 2000 : 20_000;
  for (const row of ROWS) {
    if (row.key.startsWith("apn") || row.key === "seed") continue;
    await row.run(sink, Math.min(row.size, warm));
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const row of ROWS) {
      for (let k = 0; k < (row.repeat ?? 1); k++) await runRow(row, round);
    }
  }
  handshake = await handshakeMs(QUICK ? 3 : 21);
} finally {
  await Promise.all(sessions.map((s) => s.shutdown()));
  await sink.close();
}

async function runRow(row: Row, round: number): Promise<void> {
  const r = await row.run(sink, row.size);
  results.get(row.key)!.push(r);
  const rate = r.ms > 0 ? r.count / r.ms * 1000 : 0;
  console.log(
    `round ${round}  ${row.key.padEnd(12)} ${fmt(r.count)} in ${
      r.ms.toFixed(1)
    } ms = ${fmt(rate)}/s${
      r.wallMs !== undefined
        ? `  (end-to-end ${fmt(r.count / r.wallMs * 1000)}/s)`
        : ""
    }${r.timedOut ? "  TIMED OUT" : ""}${r.note ? `  ${r.note}` : ""}`,
  );
}

const cores = navigator.hardwareConcurrency;
console.log("");
console.log(
  `Machine: ${cpuModel()}, ${cores} cores; Deno ${Deno.version.deno} ` +
    `(V8 ${Deno.version.v8}); Node ${await nodeVersion()}; ${Deno.build.os}/${Deno.build.arch}`,
);
console.log(
  `Sink: ${
    sink.kind === "mock"
      ? "MockBinaryGateway (retain: false)"
      : "minimal node:tls frame counter (bench/_binary_sink.ts)"
  } in its own Deno process; ${ROUNDS} round(s), one-message rows 5 runs a round; medians; payload ` +
    `${new Message([], OPTIONS).payloadBytes.length} bytes.` +
    (apnInfo ? ` apn ${apnInfo.version} on Node ${apnInfo.node}.` : "") +
    (seedInfo
      ? ` apns-client ${seedInfo.version} on Python ${seedInfo.python}.`
      : ""),
);
console.log(
  `TLS handshake with the client certificate (NodeTlsTransport, median): ${
    handshake.toFixed(2)
  } ms`,
);
console.log("");
const rawRates = results.get("raw")!.map((r) => r.count / r.ms * 1000);
const raw = median(rawRates);
console.log(
  "| Client (shape) | Notifications per run | Rate at the sink (notif/s) | × raw ceiling | End-to-end (notif/s) |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of ROWS) {
  const rs = results.get(row.key)!;
  const rate = median(rs.map((r) => r.ms > 0 ? r.count / r.ms * 1000 : 0));
  const walls = rs.filter((r) => r.wallMs !== undefined);
  const wall = walls.length === rs.length && rs.length > 0
    ? fmt(median(walls.map((r) => r.count / r.wallMs! * 1000)))
    : "—";
  const cut = rs.some((r) => r.timedOut) ? " (cut at time limit)" : "";
  console.log(
    `| ${row.label}${cut} | ${fmt(median(rs.map((r) => r.count)))} | ${
      fmt(rate)
    } | ${(rate / raw).toFixed(2)} | ${wall} |`,
  );
}
