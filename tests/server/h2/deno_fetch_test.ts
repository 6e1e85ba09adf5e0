// The gateway against Deno's fetch (hyper's HTTP/2 client): certificate
// auth with a client certificate, and token auth (JWTs signed by
// ProviderToken and by hand): accepted, expired, wrong key id, wrong team,
// wrong key, missing.

import assert from "node:assert/strict";
import { ProviderToken } from "../../../src/auth/provider_token.ts";
import { MockHttp2Gateway } from "../../../src/server/mod.ts";
import {
  fixture,
  otherP8,
  PAYLOAD,
  SERVER_TLS,
  signJwt,
  T1,
  TOPIC,
} from "./_helpers.ts";

const KEY_ID = "ABC123DEFG";
const TEAM_ID = "DEF123GHIJ";

function client(withCert: boolean): Deno.HttpClient {
  return Deno.createHttpClient({
    caCerts: [fixture("ca.crt")],
    http2: true,
    http1: false,
    ...(withCert
      ? { cert: fixture("client.crt"), key: fixture("client.key") }
      : {}),
  });
}

async function post(
  c: Deno.HttpClient,
  port: number,
  headers: Record<string, string>,
  body = PAYLOAD,
  token = T1,
) {
  const res = await fetch(`https://127.0.0.1:${port}/3/device/${token}`, {
    method: "POST",
    headers,
    body,
    client: c,
  });
  const text = await res.text();
  return {
    status: res.status,
    id: res.headers.get("apns-id"),
    reason: text === "" ? undefined : JSON.parse(text).reason,
  };
}

Deno.test("fetch: certificate auth over h2, good and bad requests", async () => {
  await using gw = new MockHttp2Gateway({ ...SERVER_TLS, auth: "certificate" });
  const { port } = await gw.listen();
  using c = client(true);
  const ok = await post(c, port, { "apns-push-type": "alert" });
  assert.equal(ok.status, 200);
  assert.match(ok.id!, /^[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}$/);
  const cases: [Record<string, string>, string, number, string][] = [
    [{ "apns-push-type": "shout" }, PAYLOAD, 400, "InvalidPushType"],
    [{ "apns-expiration": "tomorrow" }, PAYLOAD, 400, "BadExpirationDate"],
    [{ "apns-id": "42" }, PAYLOAD, 400, "BadMessageId"],
    [{}, "", 400, "PayloadEmpty"],
    [{}, `{"a":"${"x".repeat(5000)}"}`, 413, "PayloadTooLarge"],
  ];
  for (const [headers, body, status, reason] of cases) {
    const r = await post(c, port, headers, body);
    assert.deepEqual([r.status, r.reason], [status, reason]);
  }
  assert.equal(gw.acceptedCount, 1);
  assert.equal(gw.accepted[0].topic, TOPIC);
  assert.equal(gw.accepted[0].id, ok.id);
});

Deno.test("fetch: token auth accepts a ProviderToken JWT; rejects expired, wrong kid/team/key, missing", async () => {
  const p8 = fixture("token.p8");
  await using gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: {
      keyId: KEY_ID,
      teamId: TEAM_ID,
      publicKey: fixture("token.pub.pem"),
      topics: [TOPIC],
    },
  });
  const { port } = await gw.listen();
  using c = client(false);
  const bearer = (jwt: string) => ({
    authorization: `bearer ${jwt}`,
    "apns-topic": TOPIC,
  });

  const fresh = await new ProviderToken({
    keyId: KEY_ID,
    teamId: TEAM_ID,
    signingKey: p8,
  }).get();
  assert.equal((await post(c, port, bearer(fresh))).status, 200);
  // Same token again: served from the verification cache.
  assert.equal((await post(c, port, bearer(fresh))).status, 200);

  const old = await new ProviderToken({
    keyId: KEY_ID,
    teamId: TEAM_ID,
    signingKey: p8,
    now: () => Date.now() - 3601_000,
  }).get();
  const nowS = Math.floor(Date.now() / 1000);
  const wrongKid = await signJwt(p8, { alg: "ES256", kid: "ZZZ999ZZZZ" }, {
    iss: TEAM_ID,
    iat: nowS,
  });
  const wrongTeam = await signJwt(p8, { alg: "ES256", kid: KEY_ID }, {
    iss: "OTHERTEAM0",
    iat: nowS,
  });
  const wrongKey = await signJwt(await otherP8(), {
    alg: "ES256",
    kid: KEY_ID,
  }, { iss: TEAM_ID, iat: nowS });
  const handMade = await signJwt(p8, { alg: "ES256", kid: KEY_ID }, {
    iss: TEAM_ID,
    iat: nowS - 60,
  });
  const cases: [Record<string, string>, number, string | undefined][] = [
    [bearer(handMade), 200, undefined],
    [bearer(old), 403, "ExpiredProviderToken"],
    [bearer(wrongKid), 403, "InvalidProviderToken"],
    [bearer(wrongTeam), 403, "InvalidProviderToken"],
    [bearer(wrongKey), 403, "InvalidProviderToken"],
    [bearer("not.a.jwt"), 403, "InvalidProviderToken"],
    [
      { authorization: "basic abc", "apns-topic": TOPIC },
      403,
      "InvalidProviderToken",
    ],
    [{ "apns-topic": TOPIC }, 403, "MissingProviderToken"],
    [{ authorization: `bearer ${fresh}` }, 400, "MissingTopic"],
    [
      { ...bearer(fresh), "apns-topic": "com.other.app" },
      400,
      "TopicDisallowed",
    ],
  ];
  for (const [headers, status, reason] of cases) {
    const r = await post(c, port, headers);
    assert.deepEqual(
      [r.status, r.reason],
      [status, reason],
      JSON.stringify(headers),
    );
  }
  assert.equal(gw.acceptedCount, 3);
});

Deno.test("fetch: token auth with the .p8 as the key and a client certificate on the connection", async () => {
  await using gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    requestCert: true,
    auth: { keyId: KEY_ID, teamId: TEAM_ID, publicKey: fixture("token.p8") },
  });
  const { port } = await gw.listen();
  using c = client(true);
  const jwt = await new ProviderToken({
    keyId: KEY_ID,
    teamId: TEAM_ID,
    signingKey: fixture("token.p8"),
  }).get();
  const r = await post(c, port, {
    authorization: `bearer ${jwt}`,
    "apns-topic": "com.any.app",
  });
  assert.equal(r.status, 200);
});

Deno.test("fetch: record file, onRequest rejecting, onAccepted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/accepted.jsonl`;
    const seen: string[] = [];
    const gw = new MockHttp2Gateway({
      ...SERVER_TLS,
      auth: "certificate",
      record: file,
      onRequest: (n) =>
        n.payload.block === true
          ? { status: 500, reason: "InternalServerError" }
          : undefined,
      onAccepted: (a) => seen.push(a.token),
    });
    try {
      const { port } = await gw.listen();
      using c = client(true);
      const ok = await post(c, port, { "apns-expiration": "0" });
      assert.equal(ok.status, 200);
      const no = await post(c, port, {}, '{"block":true}');
      assert.deepEqual([no.status, no.reason], [500, "InternalServerError"]);
      assert.deepEqual(seen, [T1]);
      await gw.close();
      const lines = (await Deno.readTextFile(file)).trim().split("\n");
      assert.deepEqual(lines.map((l) => JSON.parse(l)), [{
        token: T1,
        id: ok.id,
        expiry: 0,
        priority: 10,
        payload: { aps: { alert: "hi" } },
        topic: TOPIC,
        pushType: null,
        collapseId: null,
      }]);
    } finally {
      await gw.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fetch: every other documented status and reason through faults.reasons", async () => {
  const table: [number, string][] = [
    [400, "DeviceTokenNotForTopic"],
    [400, "IdleTimeout"],
    [403, "BadCertificate"],
    [403, "BadCertificateEnvironment"],
    [403, "Forbidden"],
    [410, "ExpiredToken"],
    [429, "TooManyProviderTokenUpdates"],
    [429, "TooManyRequests"],
    [500, "InternalServerError"],
    [503, "ServiceUnavailable"],
    [503, "Shutdown"],
  ];
  const token = (i: number) => (i + 16).toString(16).repeat(32);
  await using gw = new MockHttp2Gateway({
    ...SERVER_TLS,
    auth: "certificate",
    faults: {
      reasons: new Map(
        table.map(([status, reason], i) => [token(i), { status, reason }]),
      ),
    },
  });
  const { port } = await gw.listen();
  using c = client(true);
  for (const [i, [status, reason]] of table.entries()) {
    const r = await post(c, port, {}, PAYLOAD, token(i));
    assert.deepEqual([r.status, r.reason], [status, reason]);
  }
  assert.equal(gw.rejectedCount, table.length);
});
