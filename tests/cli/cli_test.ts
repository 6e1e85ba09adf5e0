// The command line as a user runs it: `serve` in one process, `send` and
// `feedback` in others, over real TLS on loopback.
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const fixtures = `${root}tests/fixtures/`;
const decoder = new TextDecoder();

interface Served {
  ports: Record<string, number>;
  stop(): Promise<number>;
}

async function serve(args: string[]): Promise<Served> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${root}deno.json`,
      `${root}cli.ts`,
      "serve",
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  reader.releaseLock();
  const ports = JSON.parse(text.split("\n")[0]);
  return {
    ports,
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      clearTimeout(timer);
      await child.stdout.cancel().catch(() => {});
      return status.code;
    },
  };
}

async function cli(
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${root}deno.json`,
      `${root}cli.ts`,
      ...args,
    ],
  }).output();
  return { code, out: decoder.decode(stdout), err: decoder.decode(stderr) };
}

const T = (n: number) => n.toString(16).padStart(64, "0");
const tls = [
  "--cert",
  `${fixtures}client.crt`,
  "--key",
  `${fixtures}client.key`,
  "--ca",
  `${fixtures}ca.crt`,
];

Deno.test("cli: serve --h2-port alone binds only HTTP/2; send over HTTP/2 with token auth and --json", async () => {
  const server = await serve([
    "--h2-port",
    "0",
    "--token-key",
    `${fixtures}token.p8`,
    "--key-id",
    "KEY1234567",
    "--team-id",
    "TEAM123456",
    "--reason",
    `${T(2)}=410:Unregistered@1700000000000`,
  ]);
  try {
    assert.deepEqual(Object.keys(server.ports).sort(), ["h2Port", "hostname"]);
    const { code, out } = await cli([
      "send",
      "--address",
      `127.0.0.1:${server.ports.h2Port}`,
      "--h2",
      "--token-key",
      `${fixtures}token.p8`,
      "--key-id",
      "KEY1234567",
      "--team-id",
      "TEAM123456",
      "--ca",
      `${fixtures}ca.crt`,
      "--topic",
      "com.example.app",
      "--alert",
      "hi",
      "--json",
      T(1),
      T(2),
      "not-hex",
    ]);
    const result = JSON.parse(out);
    assert.equal(code, 3); // not every token was accepted
    assert.equal(result.accepted, 1);
    assert.deepEqual(result.failed, {
      [T(2)]: [410, "Unregistered"],
      "not-hex": [400, "BadDeviceToken"],
    });
    assert.deepEqual(result.retry, []);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

Deno.test("cli: binary serve with --record, --fail and --feedback; send from a tokens file; feedback --json", async () => {
  const dir = await Deno.makeTempDir();
  const record = `${dir}/sent.jsonl`;
  const server = await serve([
    "--binary-port",
    "0",
    "--feedback-port",
    "0",
    "--cert",
    `${fixtures}server.crt`,
    "--key",
    `${fixtures}server.key`,
    "--ca",
    `${fixtures}ca.crt`,
    "--record",
    record,
    "--fail",
    `${T(3)}=8`,
    "--feedback",
    `${T(3)}@1700000000`,
  ]);
  try {
    assert.deepEqual(Object.keys(server.ports).sort(), [
      "binaryPort",
      "feedbackPort",
      "hostname",
    ]);
    const tokensFile = `${dir}/tokens.txt`;
    await Deno.writeTextFile(
      tokensFile,
      [T(1), T(2), T(3), T(4)].join("\n") + "\n",
    );
    const sent = await cli([
      "send",
      "--address",
      `127.0.0.1:${server.ports.binaryPort}`,
      ...tls,
      "--tokens-file",
      tokensFile,
      "--alert",
      "Hello",
      "--badge",
      "3",
      "--expiry",
      "0",
      "--json",
    ]);
    const result = JSON.parse(sent.out);
    assert.equal(result.accepted, 3);
    assert.deepEqual(result.failed, { [T(3)]: [8, "Invalid token"] });
    const fb = await cli([
      "feedback",
      "--address",
      `127.0.0.1:${server.ports.feedbackPort}`,
      ...tls,
      "--json",
    ]);
    assert.equal(fb.code, 0);
    assert.deepEqual(JSON.parse(fb.out.trim()), {
      token: T(3),
      time: 1700000000,
    });
    // The table form, as a person reads it.
    const table = await cli([
      "send",
      "--address",
      `127.0.0.1:${server.ports.binaryPort}`,
      ...tls,
      "--alert",
      "x",
      T(5),
    ]);
    assert.equal(table.code, 0);
    assert.match(table.out, /^accepted 1, failed 0, to retry 0 \(of 1\)/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const lines = (await Deno.readTextFile(record)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert.deepEqual(lines.map((l) => l.token), [T(1), T(2), T(4), T(5)]);
  assert.deepEqual(lines[0].payload, { aps: { alert: "Hello", badge: 3 } });
  assert.equal(lines[0].expiry, 0);
  assert.equal(lines[0].priority, 10);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("cli: usage errors exit 2 with a message; connection errors exit 1", async () => {
  const bad = await cli(["send", "--address", "push_sandbox", T(1)]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--cert FILE/);
  const unknown = await cli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  const refused = await cli(["send", "--address", "127.0.0.1:1", ...tls, T(1)]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /cannot connect to 127\.0\.0\.1:1/);
});
