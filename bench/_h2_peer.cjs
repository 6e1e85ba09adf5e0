// The Node clients of compare_http2.ts, each run in a child process:
//   node _h2_peer.cjs <kind> <peers dir> <port> <count> <concurrency> <fixtures dir> <warm-up count>
// <kind>: "node-apn" (@parse/node-apn), "apns2" or "node-h2" (a plain
// node:http2 loop, what a user would hand-write). Each keeps <concurrency>
// single-token sends in flight until <count> were asked for, with token
// auth (tests/fixtures/token.p8, made-up key and team ids; the servers
// ignore the header) and the test CA trusted, against 127.0.0.1:<port>.
//
// Prints {"version","node"} once loaded. With a warm-up count above 0, it
// first sends that many through a client of its own (JIT warm-up), closes
// it, prints {"ready":true} and waits for a line on stdin; the measured run
// then starts on a new client (new connections), as every run does. At the
// end it prints {"answered","asked","ms","errors"}: answered = 200
// answers, ms = from the first send to the last answer, errors = counts by
// message.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const http2 = require("node:http2");

const [kind, peers, port, count, concurrency, fixtures, warm] = process.argv
  .slice(2);
const N = Number(count);
const WARM = Number(warm || 0);
const C = Number(concurrency);
const KEY_ID = "ABC123DEFG";
const TEAM_ID = "DEF123GHIJ";
const TOPIC = "com.example.app";
const keyPath = path.join(fixtures, "token.p8");
const caPath = path.join(fixtures, "ca.crt");
const modules = path.resolve(peers, "node_modules");

function say(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

const POOL = Math.min(N, 10000);
const pool = crypto.randomBytes(32 * POOL);
const tokens = [];
for (let i = 0; i < POOL; i++) {
  tokens.push(pool.subarray(32 * i, 32 * i + 32).toString("hex"));
}

const errors = {};
function failed(error) {
  const text = String(
    (error && (error.reason || error.message ||
      (error.error && (error.error.message || error.error)) ||
      (error.status && `HTTP ${error.status}`))) || error,
  ).slice(0, 120);
  errors[text] = (errors[text] || 0) + 1;
}

/** Keeps C sends in flight; send(token) resolves true when answered 200. */
async function drive(send, n = N) {
  let next = 0;
  let answered = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < n) {
      const token = tokens[next++ % POOL];
      try {
        if (await send(token)) answered++;
      } catch (error) {
        failed(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(C, n) }, worker));
  return { answered, ms: performance.now() - start };
}

function version(name) {
  return JSON.parse(
    fs.readFileSync(path.join(modules, name, "package.json"), "utf8"),
  ).version;
}

/** Each kind: load, then make() a client: { send(token), close() }. */
function nodeApn() {
  const apn = require(path.join(modules, "@parse/node-apn"));
  say({ version: version("@parse/node-apn"), node: process.version });
  const note = new apn.Notification();
  note.alert = "Hello";
  note.badge = 1;
  note.topic = TOPIC;
  return () => {
    const provider = new apn.Provider({
      token: { key: keyPath, keyId: KEY_ID, teamId: TEAM_ID },
      address: "127.0.0.1",
      port: Number(port),
      ca: [caPath],
      production: false,
    });
    return {
      send: async (token) => {
        const { sent, failed: bad } = await provider.send(note, token);
        for (const f of bad) failed(f.response || f);
        return sent.length === 1;
      },
      close: () => provider.shutdown(),
    };
  };
}

function apns2() {
  const dir = path.join(modules, "apns2");
  const { ApnsClient, Notification } = require(dir);
  const { Pool } = require(require.resolve("undici", { paths: [dir] }));
  say({ version: version("apns2"), node: process.version });
  const signingKey = fs.readFileSync(keyPath, "utf8");
  const ca = fs.readFileSync(caPath);
  return () => {
    const client = new ApnsClient({
      team: TEAM_ID,
      keyId: KEY_ID,
      signingKey,
      defaultTopic: TOPIC,
      host: "127.0.0.1",
    });
    // apns2 connects to `https://${host}:443` with no port option: swap in
    // the same undici Pool (its own options) at our port, trusting the CA.
    void client.client.close();
    client.client = new Pool(`https://127.0.0.1:${port}`, {
      connections: 32,
      pipelining: 1,
      allowH2: true,
      maxConcurrentStreams: 100,
      connect: { ca },
    });
    return {
      send: async (token) => {
        await client.send(
          new Notification(token, { alert: "Hello", badge: 1 }),
        );
        return true;
      },
      close: () => client.close(),
    };
  };
}

function jwt() {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = b64({ alg: "ES256", kid: KEY_ID }) + "." +
    b64({ iss: TEAM_ID, iat: Math.floor(Date.now() / 1000) });
  const signature = crypto.sign("sha256", Buffer.from(input), {
    key: fs.readFileSync(keyPath),
    dsaEncoding: "ieee-p1363",
  });
  return input + "." + signature.toString("base64url");
}

function nodeH2() {
  say({ version: process.version, node: process.version });
  const ca = fs.readFileSync(caPath);
  const authorization = "bearer " + jwt();
  const body = JSON.stringify({ aps: { alert: "Hello", badge: 1 } });
  return () => {
    // One session at a time; a new one once it got GOAWAY or closed.
    let session = null;
    const sessions = new Set();
    const current = () => {
      if (session === null || session.closed || session.destroyed) {
        const s = http2.connect(`https://127.0.0.1:${port}`, { ca });
        s.on("error", () => {});
        s.on("goaway", () => {
          if (session === s) session = null;
        });
        s.on("close", () => sessions.delete(s));
        sessions.add(s);
        session = s;
      }
      return session;
    };
    return {
      send: (token) =>
        new Promise((resolve, reject) => {
          const req = current().request({
            ":method": "POST",
            ":path": `/3/device/${token}`,
            "apns-topic": TOPIC,
            "apns-push-type": "alert",
            authorization,
          });
          let status = 0;
          req.on("response", (headers) => status = headers[":status"]);
          req.on("data", () => {});
          req.on("error", reject);
          req.on("close", () => {
            if (status === 200) resolve(true);
            else if (status) reject(new Error(`HTTP ${status}`));
            else reject(new Error(`stream closed, code ${req.rstCode}`));
          });
          req.end(body);
        }),
      close: () => {
        for (const s of sessions) s.close();
      },
    };
  };
}

function nextLine() {
  return new Promise((resolve) => {
    process.stdin.setEncoding("utf8");
    process.stdin.once("data", resolve);
    process.stdin.once("end", resolve);
  });
}

async function main() {
  const make = { "node-apn": nodeApn, apns2, "node-h2": nodeH2 }[kind]();
  if (WARM > 0) {
    const warmClient = make();
    await drive(warmClient.send, WARM);
    await warmClient.close();
    for (const key of Object.keys(errors)) delete errors[key];
    say({ ready: true });
    await nextLine();
  }
  const client = make();
  const result = await drive(client.send);
  await client.close();
  return result;
}

main().then(({ answered, ms }) => {
  say({ answered, asked: N, ms, errors });
  process.exit(0);
}, (error) => {
  say({ fatal: String(error && error.stack || error) });
  process.exit(2);
});
