// The HTTP/2 provider API against an independent server: a `node:http2`
// secure server run by real Node (v20) in a child process. The server
// checks on its side what arrives — pseudo-headers, the exact set of
// apns-* headers, the body bytes, the client certificate (certificate
// auth) or the provider token's ES256 signature with the public key
// (token auth, Node's crypto.verify with dsaEncoding "ieee-p1363") — and
// prints one JSON line per request, which the test reads back.

import assert from "node:assert/strict";
import { APNs, Message, Session } from "../../mod.ts";
import {
  certCredentials,
  checkContract,
  fixturePath,
  h2Address,
  KEY_ID,
  makeTokens,
  TEAM_ID,
  tokenCredentials,
  within,
} from "./_helpers.ts";

const SCRIPT = `
import http2 from "node:http2";
import fs from "node:fs";
import crypto from "node:crypto";
const opts = JSON.parse(process.argv[2]);
const pub = fs.readFileSync(opts.pub, "utf8");
const jwts = new Map(); // jwt -> number (1-based, first-seen order)
let ok = 0;
const server = http2.createSecureServer({
  key: fs.readFileSync(opts.key),
  cert: fs.readFileSync(opts.cert),
  ...(opts.requestCert
    ? { requestCert: true, rejectUnauthorized: true, ca: fs.readFileSync(opts.ca) }
    : {}),
  allowHTTP1: false,
});
function checkJwt(jwt) {
  const [h, c, s] = jwt.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
  const claims = JSON.parse(Buffer.from(c, "base64url").toString("utf8"));
  const verified = crypto.verify(
    "sha256",
    Buffer.from(h + "." + c, "ascii"),
    { key: pub, dsaEncoding: "ieee-p1363" },
    Buffer.from(s, "base64url"),
  );
  return { header, claims, verified, sigBytes: Buffer.from(s, "base64url").length };
}
server.on("stream", (stream, headers) => {
  const chunks = [];
  stream.on("data", (c) => chunks.push(c));
  stream.on("error", () => {});
  stream.on("end", () => {
    const body = Buffer.concat(chunks);
    const path = headers[":path"];
    const m = /^\\/3\\/device\\/([0-9a-f]{64})$/.exec(path);
    const names = Object.keys(headers);
    const record = { headers: {}, names, body: body.toString("base64") };
    for (const n of names) record.headers[n] = headers[n];
    const peer = stream.session.socket.getPeerCertificate?.();
    record.peerSubject = peer && peer.subject ? peer.subject : null;
    record.authorized = stream.session.socket.authorized === true;
    let status = 200, reason;
    const auth = headers["authorization"];
    if (auth !== undefined) {
      const jwt = auth.replace(/^bearer /, "");
      if (!jwts.has(jwt)) jwts.set(jwt, jwts.size + 1);
      record.jwtNumber = jwts.get(jwt);
      try { record.jwt = checkJwt(jwt); } catch (e) { record.jwt = { error: String(e) }; }
      if (opts.expireAfter !== undefined && ok >= opts.expireAfter && jwts.get(jwt) === 1) {
        status = 403; reason = "ExpiredProviderToken";
      }
    }
    if (status === 200) {
      if (headers[":method"] !== "POST" || m === null) { status = 404; reason = "BadPath"; }
      else if (m[1] === opts.bad) { status = 400; reason = "BadDeviceToken"; }
    }
    const id = crypto.randomUUID().toUpperCase();
    record.status = status;
    record.id = id;
    record.token = m ? m[1] : null;
    if (status === 200) ok++;
    process.stdout.write(JSON.stringify(record) + "\\n");
    if (reason === undefined) {
      stream.respond({ ":status": 200, "apns-id": id }, { endStream: true });
    } else {
      stream.respond({ ":status": status, "apns-id": id, "content-type": "application/json" });
      stream.end(JSON.stringify({ reason }));
    }
  });
});
server.on("session", (session) => session.on("error", () => {}));
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\\n");
});
process.stdin.resume();
// Pipes are asynchronous in Node: exit once every line has left.
process.stdin.on("end", () => process.stdout.write("", () => process.exit(0)));
`;

/** What the Node server saw of one request. */
interface Seen {
  headers: Record<string, string>;
  names: string[];
  body: string;
  peerSubject: Record<string, string> | null;
  authorized: boolean;
  jwtNumber?: number;
  jwt?: {
    header: Record<string, unknown>;
    claims: Record<string, unknown>;
    verified: boolean;
    sigBytes: number;
    error?: string;
  };
  status: number;
  id: string;
  token: string | null;
}

function hasNode20(): boolean {
  try {
    const out = new Deno.Command("node", {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const v = new TextDecoder().decode(out.stdout).trim();
    return out.success && Number(/^v(\d+)/.exec(v)?.[1]) >= 20;
  } catch {
    return false;
  }
}

const NODE = hasNode20();
if (!NODE) console.warn("node >= 20 not found: skipping the node:http2 tests");

interface NodeServer extends AsyncDisposable {
  readonly port: number;
  /** Stops the server and returns every request line it printed. */
  stop(): Promise<Seen[]>;
}

async function startNode(
  options: { requestCert: boolean; bad: string; expireAfter?: number },
): Promise<NodeServer> {
  const dir = await Deno.makeTempDir({ prefix: "apns-h2-node-" });
  const script = `${dir}/server.mjs`;
  await Deno.writeTextFile(script, SCRIPT);
  const child = new Deno.Command("node", {
    args: [
      script,
      JSON.stringify({
        key: fixturePath("server.key"),
        cert: fixturePath("server.crt"),
        ca: fixturePath("ca.crt"),
        pub: fixturePath("token.pub.pem"),
        ...options,
      }),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  let portLine: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => portLine = resolve);
  const pump = (async () => {
    let buffer = "";
    for await (
      const text of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      buffer += text;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (lines.length === 0 && line.startsWith('{"port"')) portLine(line);
        lines.push(line);
      }
    }
  })();
  let port: number;
  try {
    port = JSON.parse(await within(10_000, first, "node server start")).port;
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    await pump;
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
  let stopped: Promise<Seen[]> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      await child.stdin.close().catch(() => {});
      let killer: ReturnType<typeof setTimeout> | undefined;
      killer = setTimeout(() => {
        killer = undefined;
        child.kill("SIGKILL");
      }, 5000);
      await child.status;
      if (killer !== undefined) clearTimeout(killer);
      await pump;
      await Deno.remove(dir, { recursive: true });
      return lines.slice(1).map((l) => JSON.parse(l) as Seen);
    })();
  return {
    port,
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}

const PSEUDO = [":authority", ":method", ":path", ":scheme"];

function checkHeaders(
  seen: Seen,
  message: Message,
  topic: string,
  withAuth: boolean,
): void {
  const expected = [
    ...PSEUDO,
    "apns-collapse-id",
    "apns-expiration",
    "apns-priority",
    "apns-push-type",
    "apns-topic",
    ...(withAuth ? ["authorization"] : []),
  ].sort();
  assert.deepEqual([...seen.names].sort(), expected, "exactly these headers");
  const h = seen.headers;
  assert.equal(h[":method"], "POST");
  assert.equal(h[":scheme"], "https");
  assert.equal(h[":authority"], "127.0.0.1");
  assert.equal(h[":path"], `/3/device/${seen.token}`);
  assert.equal(h["apns-topic"], topic);
  assert.equal(h["apns-push-type"], message.pushType);
  assert.equal(h["apns-priority"], String(message.priority));
  assert.equal(h["apns-expiration"], String(message.expiry));
  assert.equal(h["apns-collapse-id"], message.collapseId);
  // The body, byte for byte.
  assert.deepEqual(Uint8Array.fromBase64(seen.body), message.payloadBytes);
}

function testMessage(tokens: string[], topic?: string): Message {
  return new Message(tokens, {
    alert: { title: "Node", body: "ünïcödé ✓" },
    badge: 3,
    extra: { n: 1 },
    topic,
    pushType: "alert",
    priority: 5,
    expiry: 1_900_000_000,
    collapseId: "node-1",
  });
}

function checkAgainstServer(
  seen: Seen[],
  tokens: string[],
  bad: string,
  result: Awaited<ReturnType<APNs["send"]>>,
): void {
  const oks = seen.filter((s) => s.status === 200);
  checkContract(result, tokens, oks.map((s) => s.token!));
  assert.equal(result.accepted, tokens.length - 1);
  assert.deepEqual(
    result.failed,
    new Map<string, [number, string]>([[bad, [400, "BadDeviceToken"]]]),
  );
  assert.deepEqual(result.errors, []);
  assert.equal(result.apnsIds.size, tokens.length - 1);
  for (const s of oks) assert.equal(result.apnsIds.get(s.token!), s.id);
}

Deno.test({
  name: "h2 vs node:http2: certificate auth, headers and body as intended",
  ignore: !NODE,
  async fn() {
    const tokens = makeTokens(200, 3);
    const bad = tokens[77];
    await using server = await startNode({ requestCert: true, bad });
    await using session = new Session();
    const con = session.getConnection(
      h2Address(server.port),
      certCredentials(),
    );
    const message = testMessage(tokens); // topic: the certificate's UID
    const result = await within(20_000, new APNs(con).send(message));
    await session.shutdown();
    const seen = await server.stop();
    assert.equal(seen.length, 200, "each token reached the server once");
    for (const s of seen) {
      checkHeaders(s, message, "com.example.app", false);
      assert.equal(s.authorized, true, "client certificate verified");
      assert.equal(s.peerSubject?.UID, "com.example.app");
    }
    checkAgainstServer(seen, tokens, bad, result);
  },
});

Deno.test({
  name: "h2 vs node:http2: token auth, bearer JWT verified with the public key",
  ignore: !NODE,
  async fn() {
    const tokens = makeTokens(200, 4);
    const bad = tokens[5];
    await using server = await startNode({ requestCert: false, bad });
    await using session = new Session();
    const con = session.getConnection(
      h2Address(server.port),
      tokenCredentials(),
    );
    const message = testMessage(tokens, "com.example.app");
    const result = await within(20_000, new APNs(con).send(message));
    await session.shutdown();
    const seen = await server.stop();
    assert.equal(seen.length, 200);
    const now = Math.floor(Date.now() / 1000);
    for (const s of seen) {
      checkHeaders(s, message, "com.example.app", true);
      assert.match(s.headers.authorization, /^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(s.jwt?.error, undefined);
      assert.equal(s.jwt!.verified, true, "ES256 signature verifies");
      assert.equal(s.jwt!.sigBytes, 64);
      assert.deepEqual(s.jwt!.header, { alg: "ES256", kid: KEY_ID });
      assert.deepEqual(Object.keys(s.jwt!.claims).sort(), ["iat", "iss"]);
      assert.equal(s.jwt!.claims.iss, TEAM_ID);
      const iat = s.jwt!.claims.iat as number;
      assert.ok(Number.isInteger(iat) && Math.abs(now - iat) < 120);
      assert.equal(s.jwtNumber, 1, "one token for the whole send");
      assert.equal(s.peerSubject === null || !s.peerSubject.UID, true);
    }
    checkAgainstServer(seen, tokens, bad, result);
  },
});

Deno.test({
  name:
    "h2 vs node:http2: ExpiredProviderToken causes exactly one refresh for all",
  ignore: !NODE,
  async fn() {
    const first = makeTokens(100, 5);
    const tokens = makeTokens(1000, 6);
    const bad = tokens[999];
    // After 100 accepted requests the first JWT counts as expired.
    await using server = await startNode({
      requestCert: false,
      bad,
      expireAfter: 100,
    });
    await using session = new Session();
    const con = session.getConnection(
      h2Address(server.port),
      tokenCredentials(),
    );
    const apns = new APNs(con);
    const r1 = await within(
      20_000,
      apns.send(testMessage(first, "com.example.app")),
    );
    assert.equal(r1.accepted, 100);
    // ES256 signatures from WebCrypto are deterministic (RFC 6979): a token
    // re-signed within the same second is the same string. Apple expires
    // tokens after an hour, so let a second pass before the refresh.
    const nextSecond = (Math.floor(Date.now() / 1000) + 1) * 1000;
    await new Promise((r) => setTimeout(r, nextSecond - Date.now() + 50));
    const message = testMessage(tokens, "com.example.app");
    const result = await within(20_000, apns.send(message));
    await session.shutdown();
    const seen = (await server.stop()).slice(100);
    const expired = seen.filter((s) => s.status === 403);
    const numbers = new Set(seen.map((s) => s.jwtNumber));
    console.log(
      `  ${expired.length} ExpiredProviderToken answers; JWTs seen: ${numbers.size}`,
    );
    assert.ok(expired.length >= 1);
    assert.deepEqual(numbers, new Set([1, 2]), "exactly one refresh");
    for (const s of seen) assert.equal(s.jwt!.verified, true);
    for (const s of expired) assert.equal(s.jwtNumber, 1);
    // Each expired request was sent again once, with the new token.
    const expiredTokens = new Set(expired.map((s) => s.token));
    assert.equal(expiredTokens.size, expired.length);
    for (const t of expiredTokens) {
      const again = seen.filter((s) => s.token === t && s.status !== 403);
      assert.equal(again.length, 1, `${t} resent once`);
      assert.equal(again[0].jwtNumber, 2);
    }
    checkAgainstServer(
      seen.filter((s) => s.status !== 403),
      tokens,
      bad,
      result,
    );
  },
});
