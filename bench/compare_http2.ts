/**
 * HTTP/2 provider-API throughput, side by side, over TLS on 127.0.0.1,
 * against two servers each in its own process:
 *
 * - `node`: a `node:http2` stand-in run by Node (`_node_h2_server.cjs`),
 *   independent of this module's HTTP/2 code;
 * - `mock`: this module's `MockHttp2Gateway` (`auth: "none"`, `retain:
 *   false`) run by Deno (`_h2_mock_server.ts`).
 *
 * Clients (each row), all with token auth headers (ignored by the servers)
 * and the test CA trusted:
 *
 * - this module through its public API (`Session`, `APNs`, `Message`), one
 *   `send()` of a message with every token, with `maxConnections: 1` (the
 *   same concurrency as the others: the server's MAX_CONCURRENT_STREAMS)
 *   and with the defaults (2 connections);
 * - a plain Deno `fetch` loop over `Deno.createHttpClient({ http2: true,
 *   http1: false })` and a plain `node:http2` loop run by Node: what a user
 *   would hand-write, `c` requests in flight;
 * - `@parse/node-apn` and `apns2` run by Node (`_h2_peer.cjs`), `c`
 *   single-token sends in flight, installed into `bench/.peers/` with
 *   `npm install --prefix` on first use (`--no-peers` skips them);
 * - `h2load -c 1 -m c` (nghttp2), the native reference.
 *
 * Scenarios (columns): `c100`/`c500` (the server advertises
 * MAX_CONCURRENT_STREAMS c, clients keep c in flight), `mcs1` (the server
 * allows one stream at a time, clients try 100) and `goaway` (MAX_CONCURRENT_STREAMS
 * 100, GOAWAY after every 500 streams of a connection, clients keep 100 in
 * flight). Every run starts fresh (new connections). The rate is measured
 * at the server: 200 answers from its first request to its last answer, the
 * same yardstick for every client. Each client also reports how many of
 * the requests it was asked to send were answered 200; the table flags any
 * shortfall. Rows are interleaved over rounds; the table shows medians.
 *
 * Usage: `deno run -A --config deno.json bench/compare_http2.ts [--quick]
 * [--no-peers] [--rounds N] [--only ours-1,fetch,...] [--servers node,mock]
 * [--scenarios c100,c500,mcs1,goaway]`
 *
 * @module
 */

import { APNs, Message, ProviderToken, Session } from "../mod.ts";
import { lines } from "./_sink_client.ts";
import {
  H2Server,
  type ListenerConfig,
  type ServerCount,
} from "./_h2_server_client.ts";

const args = Deno.args;
const QUICK = args.includes("--quick");
const NO_PEERS = args.includes("--no-peers");
const ROUNDS = Number(optionValue("--rounds") ?? (QUICK ? 1 : 3));
const ONLY = optionValue("--only")?.split(",");
const SERVERS = (optionValue("--servers")?.split(",") ?? ["node", "mock"])
  .filter((s): s is "node" | "mock" => s === "node" || s === "mock");
const PEERS_PINNED = { "@parse/node-apn": "8.1.0", apns2: "12.2.0" };
const H2LOAD = "/usr/bin/h2load";

const BENCH = new URL("./", import.meta.url);
const ROOT = new URL("../", BENCH);
const FIXTURES = new URL("tests/fixtures/", ROOT);
const PEERS = new URL(".peers/", BENCH);

/** Requests per run. */
const SIZE = QUICK ? 500 : 40_000;
const SIZE_MCS1 = QUICK ? 30 : 5_000;
/**
 * Longest a single run may take before it is cut short (its rate is then
 * what the server answered until the cut).
 */
const RUN_LIMIT_MS = 10_000;

const TOPIC = "com.example.app";
const KEY_ID = "ABC123DEFG";
const TEAM_ID = "DEF123GHIJ";
const PAYLOAD = { alert: "Hello", badge: 1 } as const;
const PAYLOAD_JSON = JSON.stringify({ aps: PAYLOAD });

function optionValue(name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

interface Scenario {
  key: string;
  label: string;
  listener: ListenerConfig;
  concurrency: number;
  size: number;
}

const ALL_SCENARIOS: Scenario[] = [
  {
    key: "c100",
    label: "c=100",
    listener: { name: "c100", maxConcurrentStreams: 100 },
    concurrency: 100,
    size: SIZE,
  },
  {
    key: "c500",
    label: "c=500",
    listener: { name: "c500", maxConcurrentStreams: 500 },
    concurrency: 500,
    size: SIZE,
  },
  {
    key: "mcs1",
    label: "MCS 1 (c=100)",
    listener: { name: "mcs1", maxConcurrentStreams: 1 },
    concurrency: 100,
    size: SIZE_MCS1,
  },
  {
    key: "goaway",
    label: "GOAWAY every 500 (c=100)",
    listener: { name: "goaway", maxConcurrentStreams: 100, goawayAfter: 500 },
    concurrency: 100,
    size: SIZE,
  },
];
const SCENARIOS = ALL_SCENARIOS.filter((s) =>
  optionValue("--scenarios")?.split(",").includes(s.key) ?? true
);

// ----------------------------------------------------------------- tokens

const TOKENS: string[] = (() => {
  const n = Math.max(SIZE, SIZE_MCS1);
  const bytes = new Uint8Array(32 * n);
  for (let i = 0; i < bytes.length; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, i + 65536));
  }
  return Array.from(
    { length: n },
    (_, i) => bytes.subarray(32 * i, 32 * i + 32).toHex(),
  );
})();

const TOKEN_CREDENTIALS = {
  keyId: KEY_ID,
  teamId: TEAM_ID,
  signingKey: fixture("token.p8"),
};
const JWT = await new ProviderToken(TOKEN_CREDENTIALS).get();

// ---------------------------------------------------------- the rows

interface RunResult {
  /** Requests answered 200, as the client saw them. */
  answered: number;
  /** Requests it was asked to send. */
  asked: number;
  timedOut?: boolean;
  note?: string;
}

/** Resets the server's counters: called by a run just before it starts sending. */
type Arm = () => Promise<void>;

interface Row {
  key: string;
  label: string;
  run(port: number, scenario: Scenario, arm: Arm): Promise<RunResult>;
}

function withLimit<T>(
  work: Promise<T>,
  ms: number,
): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function ours(
  maxConnections?: number,
): (port: number, scenario: Scenario, arm: Arm) => Promise<RunResult> {
  return async (port, scenario, arm) => {
    const session = new Session(maxConnections ? { maxConnections } : {});
    const apns = new APNs(
      session.getConnection({ hostname: "127.0.0.1", port, protocol: "h2" }, {
        token: TOKEN_CREDENTIALS,
        caCerts: fixture("ca.crt"),
      }),
    );
    const message = new Message(TOKENS.slice(0, scenario.size), {
      ...PAYLOAD,
      topic: TOPIC,
    });
    await arm();
    const outcome = await withLimit(apns.send(message), RUN_LIMIT_MS);
    await withLimit(session.shutdown(), 5000);
    if (outcome === "timeout") {
      return { answered: 0, asked: scenario.size, timedOut: true };
    }
    const lost = scenario.size - outcome.accepted;
    return {
      answered: outcome.accepted,
      asked: scenario.size,
      note: lost > 0
        ? `${outcome.retryTokens.length} to retry, ${outcome.failed.size} failed: ${
          outcome.errors.map(([c, e]) => `${c} ${e}`).join("; ").slice(0, 200)
        }`
        : undefined,
    };
  };
}

async function fetchLoop(
  port: number,
  scenario: Scenario,
  arm: Arm,
): Promise<RunResult> {
  const client = Deno.createHttpClient({
    caCerts: [fixture("ca.crt")],
    http2: true,
    http1: false,
  });
  const body = new TextEncoder().encode(PAYLOAD_JSON);
  const headers = {
    "apns-topic": TOPIC,
    "apns-push-type": "alert",
    authorization: `bearer ${JWT}`,
  };
  await arm();
  const signal = AbortSignal.timeout(RUN_LIMIT_MS);
  const errors = new Map<string, number>();
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < scenario.size && !signal.aborted) {
      const token = TOKENS[next++];
      try {
        const res = await fetch(`https://127.0.0.1:${port}/3/device/${token}`, {
          method: "POST",
          headers,
          body,
          client,
          signal,
        });
        await res.arrayBuffer();
        if (res.status === 200) answered++;
        else {
          const key = `HTTP ${res.status}`;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
      } catch (error) {
        const key = String((error as Error)?.message ?? error).slice(0, 80);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.min(scenario.concurrency, scenario.size) },
      worker,
    ),
  );
  client.close();
  return {
    answered,
    asked: scenario.size,
    timedOut: signal.aborted,
    note: errors.size > 0 ? errorNote(errors) : undefined,
  };
}

function errorNote(errors: Map<string, number> | Record<string, number>) {
  const entries = errors instanceof Map ? [...errors] : Object.entries(errors);
  return entries.map(([k, v]) => `${v}× ${k}`).join("; ").slice(0, 200);
}

const peerVersions = new Map<string, string>();

async function ensurePeers(): Promise<void> {
  await Deno.mkdir(PEERS, { recursive: true });
  const missing: string[] = [];
  for (const [name, version] of Object.entries(PEERS_PINNED)) {
    try {
      const pkg = JSON.parse(
        await Deno.readTextFile(
          new URL(`node_modules/${name}/package.json`, PEERS),
        ),
      );
      if (pkg.version === version) continue;
    } catch {
      // not installed
    }
    missing.push(`${name}@${version}`);
  }
  if (missing.length === 0) return;
  // Saved into bench/.peers/package.json, so that compare_binary.ts's own
  // `npm install --no-save apn@...` does not prune them.
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      PEERS.pathname,
      "--no-audit",
      "--no-fund",
      "--save-exact",
      ...missing,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `npm install ${missing.join(" ")} failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

/** JIT warm-up requests a Node peer sends on a client of its own first. */
const PEER_WARMUP = QUICK ? 0 : 5000;

function nodePeer(
  kind: "node-apn" | "apns2" | "node-h2",
): (port: number, scenario: Scenario, arm: Arm) => Promise<RunResult> {
  return async (port, scenario, arm) => {
    const child = new Deno.Command("node", {
      args: [
        "--no-deprecation",
        new URL("_h2_peer.cjs", BENCH).pathname,
        kind,
        PEERS.pathname,
        String(port),
        String(scenario.size),
        String(scenario.concurrency),
        FIXTURES.pathname,
        String(PEER_WARMUP),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const stdin = child.stdin.getWriter();
    let timedOut = false;
    let armed = false;
    // The warm-up is not timed; the measured run is.
    let timer = setTimeout(() => kill(), RUN_LIMIT_MS + 30_000);
    const kill = () => {
      timedOut = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // exited
      }
    };
    const go = async () => {
      await arm();
      armed = true;
      clearTimeout(timer);
      timer = setTimeout(kill, RUN_LIMIT_MS);
      await stdin.write(new TextEncoder().encode("go\n"));
    };
    let end: Record<string, unknown> | undefined;
    let fatal: string | undefined;
    for await (const line of lines(child.stdout)) {
      if (!line.startsWith("{")) continue;
      const msg = JSON.parse(line);
      if (msg.version) {
        peerVersions.set(kind, msg.version);
        if (PEER_WARMUP === 0) await go();
      } else if (msg.ready) await go();
      else if (msg.asked !== undefined) end = msg;
      else if (msg.fatal) fatal = msg.fatal;
    }
    clearTimeout(timer);
    await child.status;
    await stdin.close().catch(() => {});
    const err = await stderr;
    if (!armed) await arm();
    if (!end) {
      return {
        answered: 0,
        asked: scenario.size,
        timedOut,
        note: `node: ${String(fatal ?? err).slice(0, 200)}`,
      };
    }
    const errors = end.errors as Record<string, number>;
    return {
      answered: end.answered as number,
      asked: end.asked as number,
      note: Object.keys(errors).length > 0 ? errorNote(errors) : undefined,
    };
  };
}

let payloadFile: string | undefined;
let h2loadVersion = "";

async function h2load(
  port: number,
  scenario: Scenario,
  arm: Arm,
): Promise<RunResult> {
  if (payloadFile === undefined) {
    payloadFile = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(payloadFile, PAYLOAD_JSON);
    const version = await new Deno.Command(H2LOAD, { args: ["--version"] })
      .output();
    h2loadVersion = new TextDecoder().decode(version.stdout)
      .match(/nghttp2\/[\d.]+/)?.[0] ?? "";
  }
  await arm();
  const out = await new Deno.Command(H2LOAD, {
    args: [
      "-c",
      "1",
      "-m",
      String(scenario.concurrency),
      "-n",
      String(scenario.size),
      `--data=${payloadFile}`,
      "-H",
      `apns-topic: ${TOPIC}`,
      "-H",
      "apns-push-type: alert",
      "-H",
      `authorization: bearer ${JWT}`,
      `https://127.0.0.1:${port}/3/device/${TOKENS[0]}`,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(RUN_LIMIT_MS),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const ok = Number(text.match(/status codes: (\d+) 2xx/)?.[1] ?? 0);
  const failed = Number(text.match(/(\d+) failed/)?.[1] ?? 0);
  const errored = Number(text.match(/(\d+) errored/)?.[1] ?? 0);
  return {
    answered: ok,
    asked: scenario.size,
    timedOut: out.signal === "SIGTERM",
    note: failed + errored > 0
      ? `h2load: ${failed} failed, ${errored} errored`
      : out.success
      ? undefined
      : `h2load exited ${out.code}`,
  };
}

async function hasH2load(): Promise<boolean> {
  try {
    await Deno.stat(H2LOAD);
    return true;
  } catch {
    return false;
  }
}

const ROWS: Row[] = [
  {
    key: "ours-1",
    label: "@apns/client, `maxConnections: 1`",
    run: ours(1),
  },
  {
    key: "ours",
    label: "@apns/client, defaults (2 connections)",
    run: ours(),
  },
  {
    key: "fetch",
    label: "plain Deno `fetch` loop (HTTP/2 client)",
    run: fetchLoop,
  },
  {
    key: "node-h2",
    label: "plain `node:http2` loop, Node",
    run: nodePeer("node-h2"),
  },
];
if (!NO_PEERS) {
  ROWS.push({
    key: "node-apn",
    label: `@parse/node-apn ${PEERS_PINNED["@parse/node-apn"]}, Node`,
    run: nodePeer("node-apn"),
  }, {
    key: "apns2",
    label: `apns2 ${PEERS_PINNED.apns2}, Node`,
    run: nodePeer("apns2"),
  });
}
if (await hasH2load()) {
  ROWS.push({
    key: "h2load",
    label: "h2load -c 1 -m c (nghttp2, native)",
    run: h2load,
  });
}
if (ONLY) {
  for (let i = ROWS.length - 1; i >= 0; i--) {
    if (!ONLY.includes(ROWS[i].key)) ROWS.splice(i, 1);
  }
}

// ----------------------------------------------------------------- main

interface Sample extends RunResult {
  server: ServerCount;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "—";
}

function rateOf(s: Sample): number {
  return s.server.ms > 0 ? s.server.count / s.server.ms * 1000 : 0;
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

if (!NO_PEERS) await ensurePeers();

const servers: H2Server[] = SERVERS.map((kind) =>
  new H2Server(
    kind,
    SCENARIOS.map((s) => s.listener),
    new URL("deno.json", ROOT).pathname,
  )
);
const results = new Map<string, Sample[]>();
const cell = (server: string, scenario: string, row: string) =>
  `${server}/${scenario}/${row}`;
try {
  await Promise.all(servers.map((s) => s.start()));
  if (!QUICK) {
    // Warm-up: JIT the servers and the in-process clients (twice each, at
    // the largest concurrency); not counted. The Node peers warm up in
    // their own processes before each measured run.
    const scenario = SCENARIOS.reduce((a, b) =>
      b.concurrency > a.concurrency ? b : a
    );
    for (let k = 0; k < 2; k++) {
      for (const server of servers) {
        for (const row of ROWS) {
          if (!["ours-1", "ours", "fetch"].includes(row.key)) continue;
          await row.run(
            server.ports[scenario.listener.name],
            scenario,
            () => server.arm(),
          );
        }
      }
    }
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const scenario of SCENARIOS) {
      for (const server of servers) {
        for (const row of ROWS) {
          await runOne(round, server, scenario, row);
        }
      }
    }
  }
} finally {
  await Promise.all(servers.map((s) => s.close()));
  if (payloadFile) await Deno.remove(payloadFile);
}

async function runOne(
  round: number,
  server: H2Server,
  scenario: Scenario,
  row: Row,
): Promise<void> {
  const r = await row.run(
    server.ports[scenario.key],
    scenario,
    () => server.arm(),
  );
  const counted = await server.status();
  const sample = { ...r, server: counted };
  const key = cell(server.kind, scenario.key, row.key);
  if (!results.has(key)) results.set(key, []);
  results.get(key)!.push(sample);
  console.log(
    `round ${round}  ${server.kind.padEnd(4)} ${scenario.key.padEnd(6)} ${
      row.key.padEnd(8)
    } ${fmt(r.answered)}/${fmt(r.asked)} answered; server ${
      fmt(counted.count)
    } in ${counted.ms.toFixed(0)} ms = ${fmt(rateOf(sample))}/s${
      counted.sessions > 0 ? `, ${counted.sessions} conn` : ""
    }${r.timedOut ? "  TIMED OUT" : ""}${r.note ? `  ${r.note}` : ""}`,
  );
}

function rate(server: string, scenario: string, row: string): number {
  return median((results.get(cell(server, scenario, row)) ?? []).map(rateOf));
}

/** The rate cell, flagged when any round lost requests or timed out. */
function rateCell(server: string, scenario: string, row: string): string {
  const rs = results.get(cell(server, scenario, row)) ?? [];
  if (rs.length === 0) return "—";
  const worst = rs.reduce((a, b) => a.answered <= b.answered ? a : b);
  let text = fmt(rate(server, scenario, row));
  if (rs.some((r) => r.timedOut)) return text + " (cut at time limit)";
  if (worst.answered < worst.asked) {
    const lost = worst.asked - worst.answered;
    text += worst.answered < worst.asked / 2
      ? ` **collapsed: ${fmt(worst.answered)} of ${fmt(worst.asked)} answered**`
      : ` **lost ${fmt(lost)} of ${fmt(worst.asked)}**`;
  }
  return text;
}

const SERVER_LABEL: Record<string, string> = {
  node: "node:http2 (Node)",
  mock: "MockHttp2Gateway (Deno)",
};

const cores = navigator.hardwareConcurrency;
console.log("");
console.log(
  `Machine: ${cpuModel()}, ${cores} cores; Deno ${Deno.version.deno} ` +
    `(V8 ${Deno.version.v8}); Node ${await nodeVersion()}; ${Deno.build.os}/${Deno.build.arch}`,
);
const versions = [
  ...ROWS.filter((r) => r.key === "node-apn" || r.key === "apns2").map((r) =>
    `${r.key === "node-apn" ? "@parse/node-apn" : "apns2"} ${
      peerVersions.get(r.key) ?? "?"
    }`
  ),
  ...(ROWS.some((r) => r.key === "h2load") ? [`h2load ${h2loadVersion}`] : []),
];
console.log(
  `Servers: ${
    servers.map((s) => `${SERVER_LABEL[s.kind]} ${s.runtime}`).join(", ")
  }, ` +
    `TLS on 127.0.0.1, each in its own process; ${ROUNDS} round(s), medians; ` +
    `${fmt(SIZE)} requests a run (${fmt(SIZE_MCS1)} at MCS 1); payload ${
      new TextEncoder().encode(PAYLOAD_JSON).length
    } bytes.${versions.length ? ` Peers: ${versions.join(", ")}.` : ""}`,
);
console.log(
  "Rates: notifications/s answered 200, measured at the server; " +
    "lost = requests the client was asked to send that were not answered 200 (worst round).",
);
console.log("");
const showRatio = SCENARIOS.some((s) => s.key === "c500") &&
  ROWS.some((r) => r.key === "h2load");
console.log(
  `| Server | Client | ${
    SCENARIOS.map((s) => `${s.label} (notif/s)`).join(" | ")
  }${showRatio ? " | × h2load at c=500" : ""} |`,
);
console.log(
  `| --- | --- | ${SCENARIOS.map(() => "---:").join(" | ")}${
    showRatio ? " | ---:" : ""
  } |`,
);
for (const server of servers) {
  for (const row of ROWS) {
    const cells = SCENARIOS.map((s) => rateCell(server.kind, s.key, row.key));
    const ratio = showRatio
      ? ` | ${
        (rate(server.kind, "c500", row.key) /
          rate(server.kind, "c500", "h2load")).toFixed(2)
      }`
      : "";
    console.log(
      `| ${SERVER_LABEL[server.kind]} | ${row.label} | ${
        cells.join(" | ")
      }${ratio} |`,
    );
  }
}

// Goals, against the same server at c=500 and with MCS 1.
const goals: string[] = [];
const mark = (ok: boolean) => ok ? "met" : "MISSED";
for (const server of servers) {
  for (const ourKey of ["ours-1", "ours"]) {
    if (!ROWS.some((r) => r.key === ourKey)) continue;
    const parts: string[] = [];
    const ourRate = rate(server.kind, "c500", ourKey);
    for (
      const [peer, factor] of [["h2load", 0.8], ["node-apn", 1.5], [
        "fetch",
        1.5,
      ]] as const
    ) {
      if (!ROWS.some((r) => r.key === peer) || !Number.isFinite(ourRate)) {
        continue;
      }
      const ratio = ourRate / rate(server.kind, "c500", peer);
      parts.push(
        `${ratio.toFixed(2)} × ${peer} (goal ≥ ${factor}: ${
          mark(ratio >= factor)
        })`,
      );
    }
    const s1 = results.get(cell(server.kind, "mcs1", ourKey)) ?? [];
    if (s1.length > 0) {
      const r1 = rate(server.kind, "mcs1", ourKey);
      const lost = Math.max(...s1.map((s) => s.asked - s.answered));
      parts.push(
        `MCS 1: ${fmt(r1)}/s, ${fmt(lost)} lost (goal ≥ 1,000/s, none lost: ${
          mark(r1 >= 1000 && lost === 0)
        })`,
      );
    }
    if (parts.length > 0) {
      goals.push(
        `- ${SERVER_LABEL[server.kind]}, ${
          ROWS.find((r) => r.key === ourKey)!.label
        }: ${parts.join("; ")}`,
      );
    }
  }
}
if (goals.length > 0) {
  console.log("");
  console.log("Goals at c=500 (same server):");
  for (const line of goals) console.log(line);
}
