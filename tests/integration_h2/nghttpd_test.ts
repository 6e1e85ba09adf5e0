// The HTTP/2 provider API against a second independent server: nghttpd
// (Debian nghttp2-server), a static file server. It answers a POST to a
// path that does not exist with 404 and an HTML page, which proves our
// requests are valid HTTP/2 for an independent implementation; its `-v`
// frame log shows what it received.

import assert from "node:assert/strict";
import { APNs, Message, Session } from "../../mod.ts";
import {
  checkContract,
  fixturePath,
  h2Address,
  makeTokens,
  tokenCredentials,
  within,
} from "./_helpers.ts";

const NGHTTPD = "/usr/sbin/nghttpd";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const HAVE = exists(NGHTTPD);
if (!HAVE) {
  console.warn(
    `${NGHTTPD} not found (apt-get install nghttp2-server): skipping the nghttpd test`,
  );
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Runs `nghttpd -v`, resolves once it listens; `stop()` returns its log. */
async function startNghttpd(): Promise<
  { port: number; stop(): Promise<string> } & AsyncDisposable
> {
  const dir = await Deno.makeTempDir({ prefix: "apns-nghttpd-" });
  const port = freePort();
  const child = new Deno.Command(NGHTTPD, {
    args: [
      "-v",
      "-a",
      "127.0.0.1",
      "-d",
      dir,
      String(port),
      fixturePath("server.key"),
      fixturePath("server.crt"),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  let listening: () => void = () => {};
  const ready = new Promise<void>((resolve) => listening = resolve);
  const pump = (async () => {
    for await (
      const text of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      log += text;
      if (log.includes(`listen 127.0.0.1:${port}`)) listening();
    }
  })();
  const errors = new Response(child.stderr).text();
  let stopped: Promise<string> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await pump;
      const stderr = await errors;
      await Deno.remove(dir, { recursive: true });
      return log + stderr;
    })();
  try {
    await within(10_000, ready, "nghttpd start");
  } catch (e) {
    console.error(await stop());
    throw e;
  }
  return { port, stop, [Symbol.asyncDispose]: async () => void await stop() };
}

Deno.test({
  name:
    "h2 vs nghttpd: 100 POSTs to a missing path, each answered 404 once, no protocol error",
  ignore: !HAVE,
  async fn() {
    await using server = await startNghttpd();
    await using session = new Session();
    const con = session.getConnection(
      h2Address(server.port),
      tokenCredentials(),
    );
    const tokens = makeTokens(100, 7);
    const message = new Message(tokens, {
      alert: "nghttpd",
      topic: "com.example.app",
      collapseId: "ng",
    });
    const result = await within(20_000, new APNs(con).send(message));
    await session.shutdown();
    const log = await server.stop();
    // Client side: nothing accepted or lost; the 404 (nghttpd's HTML page,
    // no JSON reason) is a message-level error: every token in retry(),
    // once, not worth retrying.
    checkContract(result, tokens, []);
    assert.equal(result.accepted, 0);
    assert.equal(result.failed.size, 0);
    assert.equal(result.retryTokens.length, 100);
    assert.deepEqual(result.errors, [[404, "HTTP 404"]]);
    assert.equal(result.needsRetry(), false);
    // Server side, from the -v log: each path once, with our headers.
    const paths = [...log.matchAll(/recv \(stream_id=(\d+)\) :path: (\S+)/g)];
    const byStream = new Map(paths.map((m) => [m[1], m[2]]));
    assert.equal(paths.length, byStream.size, "one :path per stream");
    const seen = [...byStream.values()].map((p) =>
      p.slice("/3/device/".length)
    );
    assert.equal(new Set(seen).size, seen.length, "no token sent twice");
    assert.deepEqual(new Set(seen), new Set(tokens), "every token sent");
    const methods = [...log.matchAll(/recv \(stream_id=\d+\) :method: (\S+)/g)];
    assert.equal(methods.length, 100);
    assert.ok(methods.every((m) => m[1] === "POST"));
    for (
      const name of [
        "apns-topic: com.example.app",
        "apns-push-type: alert",
        "apns-priority: 10",
        `apns-expiration: ${message.expiry}`,
        "apns-collapse-id: ng",
        ":scheme: https",
        ":authority: 127.0.0.1",
      ]
    ) {
      const n = log.split(`) ${name}\n`).length - 1;
      assert.equal(n, 100, `"${name}" on every stream (saw ${n})`);
    }
    const auth = [
      ...log.matchAll(/recv \(stream_id=\d+\) authorization: bearer \S+/g),
    ];
    assert.equal(auth.length, 100);
    // Each request's body arrived in DATA frames ending the stream.
    const dataEnds = [
      ...log.matchAll(
        /recv DATA frame <length=(\d+), flags=0x01, stream_id=(\d+)>/g,
      ),
    ];
    assert.equal(dataEnds.length, 100);
    for (const m of dataEnds) {
      assert.equal(Number(m[1]), message.payloadBytes.length);
    }
    const statuses = log.match(/:status: 404/g) ?? [];
    assert.equal(statuses.length, 100);
    // No protocol trouble either way.
    assert.doesNotMatch(log, /PROTOCOL_ERROR|COMPRESSION_ERROR|FLOW_CONTROL/);
    assert.doesNotMatch(log, /send RST_STREAM|recv RST_STREAM/);
    assert.doesNotMatch(
      log,
      /send GOAWAY frame <[^>]*>\s*\(last_stream_id=\d+, error_code=(?!NO_ERROR)/,
    );
  },
});
