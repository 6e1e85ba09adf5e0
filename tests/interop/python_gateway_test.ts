// Interoperability with an independent implementation: the client against
// `binary_gateway.py`, a binary APNs gateway and feedback service written in
// Python (standard library only) from PROTOCOL.md, not from our mock. Each
// token must end exactly once as accepted (in the Python gateway's record),
// failed, or in retry(), with commands 2, 1 and 0 and a status-10 shutdown.

import assert from "node:assert/strict";
import {
  APNs,
  type FeedbackEntry,
  Message,
  type Result,
  Session,
  statusText,
  TlsError,
} from "../../mod.ts";
import type { BinaryCommand } from "../../mod.ts";
import {
  checkInvariant,
  credentials,
  makeTokens,
  within,
} from "../integration/_helpers.ts";

const SCRIPT = new URL("./binary_gateway.py", import.meta.url).pathname;
const FIXTURES = new URL("../fixtures/", import.meta.url);

/**
 * The interpreter behind `python3` on PATH (`sys.executable`), or null.
 * Spawning it directly, not through a wrapper such as a pyenv shim, makes
 * sure SIGTERM reaches the gateway itself.
 */
async function findPython(): Promise<string | null> {
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", "import sys; print(sys.executable)"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(out.stdout).trim();
    return out.success && path !== "" ? path : null;
  } catch {
    return null;
  }
}

const PYTHON = await findPython();
const SKIP = PYTHON === null;
if (SKIP) {
  console.warn(
    "tests/interop: python3 not found on PATH; skipping the Python gateway interop tests",
  );
}

/** A running `binary_gateway.py`. */
interface PythonGateway extends AsyncDisposable {
  readonly binaryPort: number;
  readonly feedbackPort: number | null;
  /** The accepted notifications recorded so far, in order. */
  records(): Promise<Record<string, unknown>[]>;
}

/** Starts `binary_gateway.py` on 127.0.0.1 with ephemeral ports. */
async function startPython(args: string[] = []): Promise<PythonGateway> {
  const record = await Deno.makeTempFile({
    prefix: "py-gateway-",
    suffix: ".jsonl",
  });
  const child = new Deno.Command(PYTHON!, {
    args: [
      SCRIPT,
      "--cert",
      new URL("server.crt", FIXTURES).pathname,
      "--key",
      new URL("server.key", FIXTURES).pathname,
      "--ca",
      new URL("ca.crt", FIXTURES).pathname,
      "--record",
      record,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // exited already
    }
    const killer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited
      }
    }, 3000);
    const status = await child.status;
    clearTimeout(killer);
    await reader.cancel().catch(() => {});
    const errText = await stderr;
    await Deno.remove(record).catch(() => {});
    return { status, errText };
  };
  let text = "";
  try {
    await within(
      10_000,
      (async () => {
        while (!text.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) {
            throw new Error("binary_gateway.py exited before listening");
          }
          text += value;
        }
      })(),
      "binary_gateway.py start",
    );
  } catch (error) {
    const { errText } = (await close())!;
    throw new Error(`${(error as Error).message}\n${errText}`);
  }
  const ready = JSON.parse(text.split("\n")[0]);
  return {
    binaryPort: ready.binaryPort,
    feedbackPort: ready.feedbackPort,
    async records() {
      const lines = (await Deno.readTextFile(record)).split("\n");
      return lines.filter((l) => l !== "").map((l) => JSON.parse(l));
    },
    async [Symbol.asyncDispose]() {
      const { status, errText } = (await close())!;
      // SIGTERM is handled: a clean exit, and no traceback from any thread.
      assert.equal(status.code, 0, `binary_gateway.py exited: ${errText}`);
      assert.doesNotMatch(errText, /Traceback/, errText);
    },
  };
}

const N = 2000;

/** 2,000 tokens, two rejected by the gateway (8) and one of 31 bytes (5). */
function batch(tag: number) {
  const tokens = makeTokens(N, tag);
  const invalid = [tokens[311], tokens[1500]];
  tokens[977] = "ab".repeat(31);
  return { tokens, invalid, short: tokens[977] };
}

async function sendThrough(
  gw: PythonGateway,
  command: BinaryCommand,
  tokens: string[],
  alert: string,
): Promise<Result> {
  await using session = new Session({ command, readTailTimeout: 10_000 });
  const apns = new APNs(
    session.getConnection(["127.0.0.1", gw.binaryPort], credentials()),
  );
  return await within(
    20_000,
    apns.send(new Message(tokens, { alert })),
    "send",
  );
}

for (const command of [2, 1] as const) {
  Deno.test({
    name:
      `python gateway: command ${command}, 2,000 tokens; failing tokens attributed, the rest accepted once`,
    ignore: SKIP,
    async fn() {
      const { tokens, invalid, short } = batch(command);
      await using gw = await startPython(
        invalid.flatMap((t) => ["--fail", `${t}=8`]),
      );
      const result = await sendThrough(gw, command, tokens, `c${command}`);
      const records = await gw.records();
      assert.ok(records.every((r) => r.command === command));
      assert.ok(
        records.every((r) => r.payload === `{"aps":{"alert":"c${command}"}}`),
      );
      const accepted = checkInvariant(
        result,
        tokens,
        records.map((r) => r.token as string),
      );
      assert.equal(accepted.length, N - 3);
      assert.deepEqual(
        [...result.failed].sort(),
        [
          [invalid[0], [8, statusText(8)]],
          [invalid[1], [8, statusText(8)]],
          [short, [5, statusText(5)]],
        ].sort(),
      );
      assert.equal(result.retry(), null);
      assert.deepEqual(result.errors, []);
    },
  });
}

Deno.test({
  name:
    "python gateway: command 0, 2,000 tokens, none failing: all accepted once (the probe is command 1)",
  ignore: SKIP,
  async fn() {
    const tokens = makeTokens(N, 0x0c);
    await using gw = await startPython();
    const result = await sendThrough(gw, 0, tokens, "c0");
    const records = await gw.records();
    assert.ok(records.every((r) => r.command === 0));
    checkInvariant(result, tokens, records.map((r) => r.token as string));
    assert.equal(result.accepted, N);
  },
});

Deno.test({
  name:
    "python gateway: command 0, 2,000 tokens; failures are not attributable, nothing lost or doubled",
  ignore: SKIP,
  async fn() {
    const { tokens, invalid } = batch(0);
    await using gw = await startPython(["--fail", `${invalid[0]}=8`]);
    const result = await sendThrough(gw, 0, tokens, "c0");
    const records = await gw.records();
    assert.ok(records.every((r) => r.command === 0 && r.id === 0));
    // Command 0 carries no identifier: the client cannot tell which
    // written tokens the gateway took before the failure, so those are in
    // retry() (unproven) and may also be in the record, at most once.
    checkInvariant(result, tokens, records.map((r) => r.token as string), {
      unproven: true,
    });
    assert.equal(result.failed.size, 0);
    assert.ok(
      result.errors.some(([code]) => code === 8),
      "errors has [8, ...]",
    );
    assert.ok(result.retryTokens.includes(invalid[0]));
    // The gateway took exactly the tokens before the failing one on the
    // first connection (tokens never written then may follow on another).
    const at = tokens.indexOf(invalid[0]);
    assert.deepEqual(
      records.slice(0, at).map((r) => [r.token, r.connection]),
      tokens.slice(0, at).map((t) => [t, 1]),
    );
    assert.ok(records.slice(at).every((r) => r.connection !== 1));
  },
});

Deno.test({
  name:
    "python gateway: status 10 after 700: the rest goes on a fresh connection, each token once",
  ignore: SKIP,
  async fn() {
    const tokens = makeTokens(N, 10);
    const invalid = tokens[1200];
    await using gw = await startPython([
      "--shutdown-after",
      "700",
      "--fail",
      `${invalid}=8`,
    ]);
    const result = await sendThrough(gw, 2, tokens, "c10");
    const records = await gw.records();
    checkInvariant(result, tokens, records.map((r) => r.token as string));
    assert.equal(result.accepted, N - 1);
    assert.deepEqual([...result.failed.keys()], [invalid]);
    assert.equal(result.retry(), null);
    // The 700th was the last on the first connection; the 701st opened the next.
    assert.equal(records[699].connection, 1);
    assert.equal(records[699].token, tokens[699]);
    assert.notEqual(records[700].connection, 1);
    assert.equal(records[700].token, tokens[700]);
  },
});

Deno.test({
  name:
    "python feedback service: tuples read by apns.feedback() as [hex, Date]",
  ignore: SKIP,
  async fn() {
    const tokens = makeTokens(3, 0xfb);
    const times = [1_700_000_000, 1_700_000_123, 4_000_000_000];
    await using gw = await startPython([
      "--feedback-port",
      "0",
      ...tokens.flatMap((t, i) => ["--feedback", `${t}@${times[i]}`]),
    ]);
    await using session = new Session();
    const apns = new APNs(
      session.newConnection(["127.0.0.1", gw.feedbackPort!], credentials()),
    );
    const entries: FeedbackEntry[] = [];
    await within(
      10_000,
      (async () => {
        for await (const entry of apns.feedback()) entries.push(entry);
      })(),
      "feedback",
    );
    assert.deepEqual(
      entries,
      tokens.map((t, i) => [t, new Date(times[i] * 1000)]),
    );
  },
});

Deno.test({
  name:
    "python gateway: a client certificate from an untrusted CA is a TlsError, nothing recorded",
  ignore: SKIP,
  async fn() {
    await using gw = await startPython();
    await using session = new Session();
    const apns = new APNs(
      session.getConnection(["127.0.0.1", gw.binaryPort], credentials("rogue")),
    );
    await assert.rejects(
      within(10_000, apns.send(new Message(makeTokens(5), { alert: "x" }))),
      TlsError,
    );
    assert.deepEqual(await gw.records(), []);
  },
});

Deno.test({
  name:
    "python gateway (by hand): command-2 items in any order; an empty token is status 2 with its id, then EOF",
  ignore: SKIP,
  async fn() {
    await using gw = await startPython();
    const token = "a1".repeat(32);
    // u8 2 | u32 frameLength | items: priority, id, payload, expiry, token.
    const payload = new TextEncoder().encode('{"x":1}');
    const items = [
      [5, 0, 1, 5],
      [3, 0, 4, 0, 0, 0x01, 0x02],
      [2, 0, payload.length, ...payload],
      [4, 0, 4, 0x65, 0x53, 0xf1, 0x00],
      [1, 0, 32, ...Uint8Array.fromHex(token)],
    ].flat();
    // Then an empty token (item 1, length 0) with id 0x0203.
    const empty = [1, 0, 0, 2, 0, 2, 0x7b, 0x7d, 3, 0, 4, 0, 0, 0x02, 0x03];
    const bytes = new Uint8Array([
      2,
      ...[0, 0, 0, items.length],
      ...items,
      2,
      ...[0, 0, 0, empty.length],
      ...empty,
    ]);
    const creds = credentials();
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: gw.binaryPort,
      caCerts: [creds.caCerts],
      cert: creds.certString,
      key: creds.keyString,
    });
    try {
      await conn.write(bytes);
      const got: number[] = [];
      await within(
        5000,
        (async () => {
          for await (const chunk of conn.readable) got.push(...chunk);
        })(),
        "error response and EOF",
      );
      assert.deepEqual(got, [8, 2, 0, 0, 0x02, 0x03]);
    } finally {
      try {
        conn.close();
      } catch {
        // closed by the stream's end
      }
    }
    assert.deepEqual(await gw.records(), [{
      token,
      id: 0x0102,
      command: 2,
      expiry: 0x6553f100,
      priority: 5,
      payload: '{"x":1}',
      connection: 1,
    }]);
  },
});
