import assert from "node:assert/strict";
import { Http2ClientConnection } from "../../../src/http2/client_connection.ts";
import { DenoTlsTransport } from "../../../src/transport/deno_tls.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
const CA = Deno.readTextFileSync(new URL("ca.crt", FIXTURES));

function findNghttpd(): string | null {
  for (
    const dir of (Deno.env.get("PATH") ?? "").split(":").concat([
      "/usr/sbin",
      "/usr/bin",
    ])
  ) {
    try {
      const path = `${dir}/nghttpd`;
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return null;
}

const NGHTTPD = findNghttpd();
if (NGHTTPD === null) {
  console.warn(
    "nghttpd not found (apt-get install -y nghttp2-server): skipping the nghttpd interop tests",
  );
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Runs nghttpd serving `files` with extra `args`; yields its port. */
async function withNghttpd(
  files: Record<string, Uint8Array>,
  args: string[],
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nghttpd-" });
  for (const [name, bytes] of Object.entries(files)) {
    await Deno.writeFile(`${dir}/${name}`, bytes);
  }
  const port = freePort();
  const child = new Deno.Command(NGHTTPD!, {
    args: [
      "-a",
      "127.0.0.1",
      "-d",
      dir,
      ...args,
      String(port),
      new URL("server.key", FIXTURES).pathname,
      new URL("server.crt", FIXTURES).pathname,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await waitForPort(port, 5000);
    await fn(port);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
}

async function connect(
  port: number,
  options: { initialWindowSize?: number; connectionWindowSize?: number } = {},
): Promise<Http2ClientConnection> {
  const conn = await new DenoTlsTransport().connect({
    hostname: "127.0.0.1",
    port,
    caCerts: [CA],
    alpnProtocols: ["h2"],
  });
  return await Http2ClientConnection.open(conn, {
    authority: `localhost:${port}`,
    requestTimeout: 20000,
    ...options,
  });
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

Deno.test({
  name:
    "interop nghttpd: GET static files larger than our windows, padded DATA, 4 streams at a time",
  ignore: NGHTTPD === null,

  async fn() {
    const small = new TextEncoder().encode("hello from nghttpd\n");
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await withNghttpd(
      { "small.txt": small, "big.bin": big },
      ["-m", "4", "-b", "10", "-c", "512"],
      async (port) => {
        // Stream windows of 64 KiB, a connection window of 1 MiB: each
        // response needs ~100 stream and the whole ~25 connection updates.
        const client = await connect(port, {
          initialWindowSize: 65535,
          connectionWindowSize: 1 << 20,
        });
        assert.equal(client.maxConcurrentStreams, 4);
        const s = await client.request({ path: "/small.txt", method: "GET" });
        assert.equal(s.status, 200);
        assert.deepEqual(s.body, small);
        const t0 = performance.now();
        const bigs = await Promise.all(
          Array.from(
            { length: 8 },
            () => client.request({ path: "/big.bin", method: "GET" }),
          ),
        );
        const ms = performance.now() - t0;
        console.log(
          `  8 × ${big.length} bytes, 4 at a time, in ${ms.toFixed(0)} ms`,
        );
        for (const r of bigs) {
          assert.equal(r.status, 200);
          assert.equal(r.body.length, big.length);
          assert.deepEqual(r.body, big);
          assert.equal(
            r.headers.find(([n]) => n === "content-length")?.[1],
            String(big.length),
          );
        }
        const missing = await client.request({ path: "/none", method: "GET" });
        assert.equal(missing.status, 404);
        await client.close();
      },
    );
  },
});

Deno.test({
  name:
    "interop nghttpd: one stream through 64 KiB stream and connection windows",
  ignore: NGHTTPD === null,

  async fn() {
    const big = randomBytes(2 * 1024 * 1024 + 3);
    await withNghttpd({ "big.bin": big }, [], async (port) => {
      const client = await connect(port, {
        initialWindowSize: 65535,
        connectionWindowSize: 65535,
      });
      for (let i = 0; i < 2; i++) {
        const r = await client.request({ path: "/big.bin", method: "GET" });
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, big);
      }
      await client.close();
    });
  },
});

Deno.test({
  name:
    "interop nghttpd: POST bodies through a 127-byte server window (--echo-upload)",
  ignore: NGHTTPD === null,

  async fn() {
    await withNghttpd(
      {},
      ["--echo-upload", "-w", "7", "-W", "16"],
      async (port) => {
        const client = await connect(port);
        const bodies = [1, 127, 128, 5000, 100000].map((n) => randomBytes(n));
        const results = await Promise.all(
          bodies.map((body) => client.request({ path: "/echo", body })),
        );
        results.forEach((r, i) => {
          assert.equal(r.status, 200);
          assert.deepEqual(r.body, bodies[i]);
        });
        await client.close();
      },
    );
  },
});
