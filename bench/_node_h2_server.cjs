// The node:http2 APNs stand-in of compare_http2.ts, run by Node in its own
// process, independent of this module's HTTP/2 code:
//   node _node_h2_server.cjs <fixtures dir> '<listeners JSON>'
// <listeners JSON> is an array of {"name", "maxConcurrentStreams",
// "goawayAfter"?}; each gets its own TLS listener on 127.0.0.1 (ALPN h2,
// the test server certificate, no client certificate asked for, so h2load
// can connect; authorization headers are ignored).
//
// POST /3/device/<64 hex> is answered, once its body is read, with 200 and
// an apns-id (the request's, or a new upper-case UUID); anything else with
// 400/405 and a JSON reason. With goawayAfter N, the N-th stream of a
// connection triggers GOAWAY(NO_ERROR, its stream id, {"reason":"Shutdown"});
// later streams are refused (RST_STREAM REFUSED_STREAM, so unprocessed) and
// the connection closes once its streams are answered.
//
// Control, one JSON object per line, as in _binary_sink.ts: prints
// {"ports":{name:port},"node":version} once listening, then on stdin
// {"cmd":"arm"} resets the counters ({"armed":true}); {"cmd":"status"}
// prints {"count":C,"ms":T,"refused":R,"sessions":S}: C answers with 200
// since arming, T milliseconds from the first request to the last such
// answer, R refused streams, S connections accepted; {"cmd":"quit"} exits.
"use strict";

const http2 = require("node:http2");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const [fixtures, listenersJson] = process.argv.slice(2);
const listeners = JSON.parse(listenersJson);
const read = (name) => fs.readFileSync(path.join(fixtures, name));
const {
  NGHTTP2_NO_ERROR,
  NGHTTP2_REFUSED_STREAM,
  HTTP2_HEADER_PATH,
  HTTP2_HEADER_METHOD,
  HTTP2_HEADER_STATUS,
} = http2.constants;
const DEVICE = /^\/3\/device\/[0-9a-fA-F]{64}$/;
const SHUTDOWN = Buffer.from('{"reason":"Shutdown"}');

function say(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

let count = 0;
let refused = 0;
let sessions = 0;
let first = 0;
let last = 0;

function reject(stream, status, reason) {
  if (stream.destroyed || stream.closed) return;
  stream.respond({
    [HTTP2_HEADER_STATUS]: status,
    "content-type": "application/json",
    "apns-id": crypto.randomUUID().toUpperCase(),
  });
  stream.end(JSON.stringify({ reason }));
}

function serve(config, session) {
  sessions++;
  let streams = 0;
  let lastStreamId = Infinity;
  let open = 0;
  session.on("error", () => {});
  const closeWhenDrained = () => {
    if (lastStreamId !== Infinity && open === 0 && !session.closed) {
      session.close();
    }
  };
  session.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    if (first === 0) first = performance.now();
    if (stream.id > lastStreamId) {
      refused++;
      stream.close(NGHTTP2_REFUSED_STREAM);
      return;
    }
    open++;
    streams++;
    if (config.goawayAfter && streams === config.goawayAfter) {
      lastStreamId = stream.id;
      session.goaway(NGHTTP2_NO_ERROR, stream.id, SHUTDOWN);
    }
    stream.on("close", () => {
      open--;
      closeWhenDrained();
    });
    const target = headers[HTTP2_HEADER_PATH];
    const method = headers[HTTP2_HEADER_METHOD];
    stream.on("data", () => {});
    stream.on("end", () => {
      if (method !== "POST") return reject(stream, 405, "MethodNotAllowed");
      if (!DEVICE.test(target)) return reject(stream, 400, "BadPath");
      // The client may have reset the stream meanwhile (a timed-out run).
      if (stream.destroyed || stream.closed) return;
      stream.respond({
        [HTTP2_HEADER_STATUS]: 200,
        "apns-id": headers["apns-id"] || crypto.randomUUID().toUpperCase(),
      }, { endStream: true });
      count++;
      last = performance.now();
    });
  });
}

const servers = [];
const ports = {};
let pending = listeners.length;
for (const config of listeners) {
  const server = http2.createSecureServer({
    cert: read("server.crt"),
    key: read("server.key"),
    allowHTTP1: false,
    settings: { maxConcurrentStreams: config.maxConcurrentStreams ?? 1000 },
  });
  server.on("session", (session) => serve(config, session));
  server.on("tlsClientError", () => {});
  server.on("sessionError", () => {});
  server.listen(0, "127.0.0.1", () => {
    ports[config.name] = server.address().port;
    if (--pending === 0) say({ ports, node: process.version });
  });
  servers.push(server);
}

let rest = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text) => {
  rest += text;
  let nl;
  while ((nl = rest.indexOf("\n")) >= 0) {
    const line = rest.slice(0, nl).trim();
    rest = rest.slice(nl + 1);
    if (line === "") continue;
    const msg = JSON.parse(line);
    if (msg.cmd === "arm") {
      count = refused = sessions = 0;
      first = last = 0;
      say({ armed: true });
    } else if (msg.cmd === "status") {
      say({ count, ms: count === 0 ? 0 : last - first, refused, sessions });
    } else if (msg.cmd === "quit") {
      process.exit(0);
    }
  }
});
process.stdin.on("end", () => process.exit(0));
