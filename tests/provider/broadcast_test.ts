// Broadcast push (iOS 18): channel management and sending to a channel,
// over real TLS against the mock, with both auth modes.
import assert from "node:assert/strict";
import {
  APNs,
  BroadcastChannels,
  type Credentials,
  HttpStatusError,
  Message,
  Session,
} from "../../mod.ts";
import { MockHttp2Gateway } from "../../src/server/mod.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const tls = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};
const ids = { keyId: "KEY1234567", teamId: "TEAM123456" };
const modes: [
  string,
  "certificate" | typeof ids & { publicKey: string },
  Credentials,
][] = [
  ["certificate", "certificate", {
    certString: fixture("client.crt"),
    keyString: fixture("client.key"),
    caCerts: fixture("ca.crt"),
  }],
  ["token", { ...ids, publicKey: fixture("token.p8") }, {
    token: { ...ids, signingKey: fixture("token.p8") },
    caCerts: fixture("ca.crt"),
  }],
];
const liveActivity = {
  aps: {
    timestamp: 1_700_000_000,
    event: "update",
    "content-state": { score: "2:1" },
  },
};

for (const [mode, auth, credentials] of modes) {
  Deno.test(`broadcast (${mode} auth): create, read, list, send, delete`, async () => {
    await using gateway = new MockHttp2Gateway({ ...tls, auth });
    const { port } = await gateway.listen();
    await using session = new Session();
    const con = session.getConnection({
      hostname: "127.0.0.1",
      port,
      protocol: "h2",
    }, credentials);
    const channels = new BroadcastChannels(con, "com.example.app");

    const stored = await channels.create({ messageStoragePolicy: 1 });
    const plain = await channels.create();
    assert.notEqual(stored, plain);
    assert.deepEqual(await channels.read(stored), {
      channelId: stored,
      messageStoragePolicy: 1,
      pushType: "LiveActivity",
    });
    assert.equal((await channels.read(plain)).messageStoragePolicy, 0);
    assert.deepEqual(new Set(await channels.list()), new Set([stored, plain]));

    const apns = new APNs(con);
    const result = await apns.broadcast(
      stored,
      new Message([], {
        payload: liveActivity,
        pushType: "liveactivity",
        priority: 5,
      }),
      "com.example.app",
    );
    assert.equal(result.accepted, 1);
    assert.equal(result.retry(), null);
    assert.equal(gateway.broadcasts.accepted.length, 1);
    assert.deepEqual(gateway.broadcasts.accepted[0], {
      channelId: stored,
      bundleId: "com.example.app",
      payload: liveActivity,
      priority: 5,
      expiry: result.message.expiry,
    });

    await channels.delete(plain);
    assert.deepEqual(await channels.list(), [stored]);
    await assert.rejects(
      channels.read(plain),
      (e: unknown) =>
        e instanceof HttpStatusError && e.status === 404 &&
        e.reason === "ChannelNotRegistered",
    );
    // Sending to a deleted channel: the channel id is the "token" that failed.
    const gone = await apns.broadcast(
      plain,
      new Message([], { payload: liveActivity, pushType: "liveactivity" }),
      "com.example.app",
    );
    assert.deepEqual([...gone.failed], [[plain, [400, "BadChannelId"]]]);
    assert.equal(gone.accepted, 0);
  });
}

Deno.test("broadcast: bad requests are clear errors, nothing is sent for a bad message", async () => {
  await using gateway = new MockHttp2Gateway({ ...tls, auth: "certificate" });
  const { port } = await gateway.listen();
  await using session = new Session();
  const con = session.getConnection(
    { hostname: "127.0.0.1", port, protocol: "h2" },
    modes[0][2],
  );
  const channels = new BroadcastChannels(con, "com.example.app");
  await assert.rejects(
    channels.create({ pushType: "Alert" }),
    (e: unknown) =>
      e instanceof HttpStatusError && e.reason === "InvalidPushType",
  );
  const id = await channels.create();
  const apns = new APNs(con);
  const big = await apns.broadcast(
    id,
    new Message([], {
      payload: { aps: {}, pad: "x".repeat(5000) },
      pushType: "liveactivity",
    }),
  );
  assert.deepEqual(big.errors, [[413, "PayloadTooLarge"]]);
  assert.deepEqual(big.retryTokens, [id]);
  assert.equal(big.needsRetry(), false);
  assert.equal(gateway.broadcasts.accepted.length, 0);
  assert.throws(() => new BroadcastChannels(con, ""), TypeError);
});
