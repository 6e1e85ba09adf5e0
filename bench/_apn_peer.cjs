// The node-apn side of compare_binary.ts, run by Node in a child process:
//   node _apn_peer.cjs <apn dir> <port> <count> <fixtures dir> <cert> <fast 0|1>
// Prints {"version","node"} once loaded, pushes <count> notifications (one
// payload, random tokens, in pushNotification calls of 1000 tokens) through
// one connection and prints {"completed":true,...} when node-apn says its
// buffer is empty. The parent measures at the sink and kills this process.
"use strict";

const [apnDir, port, count, fixtures, cert, fast] = process.argv.slice(2);
const apn = require(apnDir);
const version = require(apnDir + "/package.json").version;
const crypto = require("crypto");
const path = require("path");

function say(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

say({ version, node: process.version });

const n = Number(count);
let errors = 0;
const connection = new apn.Connection({
  gateway: "127.0.0.1",
  port: Number(port),
  cert, // the test client certificate plus Apple's sandbox extension
  key: path.join(fixtures, "client.key"),
  ca: path.join(fixtures, "ca.crt"),
  rejectUnauthorized: true,
  maxConnections: 1,
  fastMode: fast === "1",
  connectionRetryLimit: 2,
  errorCallback: () => errors++,
});
connection.on("error", (error) => {
  say({ error: String(error && error.message || error) });
  process.exit(2);
});
connection.on("completed", () => say({ completed: true, errors }));

const note = new apn.Notification();
note.alert = "Hello";
note.badge = 1;
note.expiry = Math.floor(Date.now() / 1000) + 86400;

const pool = crypto.randomBytes(32 * Math.min(n, 100000));
const tokens = [];
for (let i = 0; i < Math.min(n, 100000); i++) {
  tokens.push(pool.subarray(32 * i, 32 * i + 32).toString("hex"));
}
for (let sent = 0; sent < n; sent += 1000) {
  const batch = [];
  for (let i = sent; i < Math.min(n, sent + 1000); i++) {
    batch.push(tokens[i % tokens.length]);
  }
  connection.pushNotification(note, batch);
}
