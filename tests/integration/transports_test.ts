// The same sends through both transports: `DenoTlsTransport` (the default on
// Deno) and `NodeTlsTransport` (node:tls, the default elsewhere).

import assert from "node:assert/strict";
import {
  APNs,
  ApnsError,
  DenoTlsTransport,
  Message,
  NodeTlsTransport,
  Session,
  statusText,
  type Transport,
} from "../../mod.ts";
import {
  checkInvariant,
  credentials,
  makeTokens,
  startGateway,
  within,
} from "./_helpers.ts";

const TRANSPORTS: [string, () => Transport][] = [
  ["DenoTlsTransport", () => new DenoTlsTransport()],
  ["NodeTlsTransport", () => new NodeTlsTransport()],
];

for (const [name, make] of TRANSPORTS) {
  Deno.test(`${name}: happy path, 5,000 tokens delivered once, no tail wait`, async () => {
    await using gw = await startGateway();
    await using session = new Session({
      transport: make(),
      readTailTimeout: 10_000,
    });
    const apns = new APNs(session.getConnection(gw.address, credentials()));
    const tokens = makeTokens(5000);
    const started = performance.now();
    const result = await within(
      10_000,
      apns.send(
        new Message(tokens, { alert: name, expiry: 1234, priority: 5 }),
      ),
    );
    assert.ok(performance.now() - started < 10_000);
    checkInvariant(result, tokens, gw.tokens());
    assert.equal(result.accepted, 5000);
    assert.deepEqual(result.errors, []);
    for (const n of gw.gateway.accepted) {
      assert.deepEqual(n.payload, { aps: { alert: name } });
      assert.equal(n.expiry, 1234);
      assert.equal(n.priority, 5);
    }
    assert.equal(gw.gateway.connectionCount, 1);
  });

  Deno.test(`${name}: a failing token (status 8) and a processing error (status 1) on one send`, async () => {
    const tokens = makeTokens(1000);
    await using gw = await startGateway({
      faults: {
        failTokens: new Map([[tokens[300], 8]]),
        failAtIndex: new Map([[600, 1]]),
      },
    });
    await using session = new Session({
      transport: make(),
      readTailTimeout: 10_000,
    });
    const apns = new APNs(session.getConnection(gw.address, credentials()));
    const result = await within(
      10_000,
      apns.send(new Message(tokens, { alert: "f" })),
    );
    checkInvariant(result, tokens, gw.tokens());
    assert.deepEqual([...result.failed], [[tokens[300], [8, statusText(8)]]]);
    assert.equal(result.accepted, 999);
    assert.deepEqual(result.errors, [[1, statusText(1)]]);
    assert.equal(result.retry(), null);
  });

  Deno.test(`${name}: a rogue client certificate rejects the send with an ApnsError, nothing accepted`, async () => {
    await using gw = await startGateway();
    await using session = new Session({ transport: make() });
    const apns = new APNs(
      session.getConnection(gw.address, credentials("rogue")),
    );
    await assert.rejects(
      within(5000, apns.send(new Message(makeTokens(20), { alert: "r" }))),
      (error) => {
        assert.ok(error instanceof ApnsError, String(error));
        assert.equal((error as Error).name, "TlsError");
        return true;
      },
    );
    assert.equal(gw.gateway.acceptedCount, 0);
  });
}
