// The gateway against curl (libcurl + nghttp2), with a client certificate.

import assert from "node:assert/strict";
import { MockHttp2Gateway } from "../../../src/server/mod.ts";
import {
  fixturePath,
  PAYLOAD,
  run,
  SERVER_TLS,
  T1,
  T2,
  until,
  which,
} from "./_helpers.ts";

const CURL = which("curl");
const HAS_H2 = CURL !== undefined &&
  (await run(CURL, ["-V"])).stdout.includes("HTTP2");

function tls(): string[] {
  return [
    "--cert",
    fixturePath("client.crt"),
    "--key",
    fixturePath("client.key"),
    "--cacert",
    fixturePath("ca.crt"),
  ];
}

/** Splits `curl -i` output into status, lower-case headers and body. */
function parse(out: string) {
  const [head, ...rest] = out.split("\r\n\r\n");
  const lines = head.split("\r\n");
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
  }
  return { statusLine: lines[0], headers, body: rest.join("\r\n\r\n") };
}

Deno.test({
  name: "curl: 200 with apns-id, 400 with the JSON reason, recorded",
  ignore: !HAS_H2,
  async fn() {
    const lines: string[] = [];
    await using gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "certificate",
      record: (l) => lines.push(l),
    });
    const { port } = await gw.listen();
    const url = `https://127.0.0.1:${port}/3/device/`;
    const ok = await run(CURL!, [
      "-sS",
      "-i",
      "--http2",
      ...tls(),
      "-H",
      "apns-id: 123E4567-E89B-12D3-A456-426614174000",
      "-H",
      "apns-expiration: 1700000000",
      "-H",
      "apns-priority: 5",
      "-H",
      "apns-push-type: alert",
      "-H",
      "apns-collapse-id: c1",
      "-d",
      PAYLOAD,
      url + T1,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const r1 = parse(ok.stdout);
    assert.equal(r1.statusLine.trim(), "HTTP/2 200");
    assert.equal(
      r1.headers.get("apns-id"),
      "123E4567-E89B-12D3-A456-426614174000",
    );
    assert.match(r1.headers.get("apns-unique-id")!, /^[0-9a-f-]{36}$/);
    assert.equal(r1.body, "");

    const bad = await run(CURL!, [
      "-sS",
      "-i",
      "--http2",
      ...tls(),
      "-H",
      "apns-topic: com.other.app",
      "-d",
      PAYLOAD,
      url + T2,
    ]);
    assert.equal(bad.code, 0, bad.stderr);
    const r2 = parse(bad.stdout);
    assert.equal(r2.statusLine.trim(), "HTTP/2 400");
    assert.match(r2.headers.get("apns-id")!, /^[0-9A-F-]{36}$/);
    assert.deepEqual(JSON.parse(r2.body), { reason: "TopicDisallowed" });

    assert.deepEqual(lines.map((l) => JSON.parse(l)), [{
      token: T1,
      id: "123E4567-E89B-12D3-A456-426614174000",
      expiry: 1700000000,
      priority: 5,
      payload: { aps: { alert: "hi" } },
      topic: "com.example.app",
      pushType: "alert",
      collapseId: "c1",
    }]);
    assert.equal(gw.rejected[0].reason, "TopicDisallowed");
    assert.equal(gw.connectionCount, 2);
  },
});

Deno.test({
  name: "curl: no client certificate fails the handshake; HTTP/1.1 is refused",
  ignore: !HAS_H2,
  async fn() {
    await using gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "certificate",
    });
    const { port } = await gw.listen();
    const url = `https://127.0.0.1:${port}/3/device/${T1}`;
    const noCert = await run(CURL!, [
      "-sS",
      "--http2",
      "--cacert",
      fixturePath("ca.crt"),
      "-d",
      PAYLOAD,
      url,
    ]);
    assert.notEqual(noCert.code, 0);
    // Offering only http/1.1: the handshake fails (no_application_protocol).
    const h1 = await run(CURL!, [
      "-sS",
      "--http1.1",
      ...tls(),
      "-d",
      PAYLOAD,
      url,
    ]);
    assert.equal(h1.code, 35, h1.stderr);
    assert.match(h1.stderr, /no application protocol/);
    // Offering no ALPN at all: the connection is dropped after the handshake.
    const none = await run(CURL!, [
      "-sS",
      "--no-alpn",
      "--http2",
      ...tls(),
      "-d",
      PAYLOAD,
      url,
    ]);
    assert.notEqual(none.code, 0);
    await until(() => gw.refusedAlpn === 1 && gw.tlsErrors === 2);
    assert.equal(gw.acceptedCount, 0);
    assert.equal(gw.connectionCount, 0);
  },
});
