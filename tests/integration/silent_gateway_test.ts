// Gateways that do not behave like the mock: one that never answers the
// end-of-burst probe (the engine must fall back to readTailTimeout), and
// one that goes away between sends.

import assert from "node:assert/strict";
import { APNs, ApnsError, Message, Session } from "../../mod.ts";
import { NotificationDecoder } from "../../src/binary/notification_decoder.ts";
import {
  checkInvariant,
  credentials,
  fixture,
  makeTokens,
  startGateway,
  until,
  within,
} from "./_helpers.ts";

/**
 * A TLS "gateway" (no client certificate required) that decodes what it
 * reads and never answers: success is silent, and so is its reply to the
 * probe.
 */
function startSilentGateway() {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: fixture("server.crt"),
    key: fixture("server.key"),
  });
  const conns: Deno.Conn[] = [];
  const tokens: string[] = [];
  let probes = 0;
  let malformed = 0;
  const serve = async (conn: Deno.Conn) => {
    const decoder = new NotificationDecoder();
    try {
      for await (const chunk of conn.readable) {
        decoder.push(chunk);
        for (let step = decoder.next(); step; step = decoder.next()) {
          if (step.kind === "malformed") {
            malformed++;
            return;
          }
          const token = step.notification.token.toHex();
          if (token === "") probes++;
          else tokens.push(token);
        }
      }
    } catch {
      // closed by the client
    }
  };
  const serving: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        serving.push(serve(conn));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    address: ["127.0.0.1", (listener.addr as Deno.NetAddr).port] as [
      string,
      number,
    ],
    tokens,
    get probes() {
      return probes;
    },
    get malformed() {
      return malformed;
    },
    get connections() {
      return conns.length;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed already
        }
      }
      await Promise.all(serving);
    },
  };
}

Deno.test("a gateway that never answers the probe: the send resolves after readTailTimeout with all accepted, later sends skip the probe", async () => {
  await using gw = startSilentGateway();
  const tail = 300;
  await using session = new Session({ readTailTimeout: tail });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const first = makeTokens(200, 1);
  let started = performance.now();
  const r1 = await within(5000, apns.send(new Message(first, { alert: "1" })));
  let elapsed = performance.now() - started;
  assert.ok(elapsed >= tail - 5, `first send resolved after ${elapsed} ms`);
  assert.ok(elapsed < 3000, `first send resolved after ${elapsed} ms`);
  assert.equal(r1.accepted, 200);
  assert.deepEqual(r1.errors, []);
  await until(() => gw.tokens.length === 200);
  assert.equal(gw.probes, 1);

  const second = makeTokens(200, 2);
  started = performance.now();
  const r2 = await within(5000, apns.send(new Message(second, { alert: "2" })));
  elapsed = performance.now() - started;
  assert.ok(elapsed >= tail - 5, `second send resolved after ${elapsed} ms`);
  assert.equal(r2.accepted, 200);
  await until(() => gw.tokens.length === 400);
  checkInvariant(r1, first, gw.tokens.slice(0, 200));
  checkInvariant(r2, second, gw.tokens.slice(200));
  assert.equal(gw.probes, 1, "no probe once the gateway proved silent");
  assert.equal(gw.malformed, 0);
});

Deno.test("the gateway goes away between sends (probe: false, link left open): the next send rejects with ConnectError, never hangs", async () => {
  const gw = await startGateway();
  await using session = new Session({ probe: false, readTailTimeout: 150 });
  const apns = new APNs(session.getConnection(gw.address, credentials()));
  const first = makeTokens(50, 1);
  const r1 = await within(5000, apns.send(new Message(first, { alert: "1" })));
  checkInvariant(r1, first, gw.tokens());
  await gw.gateway.close();
  await new Promise((r) => setTimeout(r, 100));
  const second = makeTokens(50, 2);
  let outcome: string;
  try {
    const r2 = await within(
      5000,
      apns.send(new Message(second, { alert: "2" })),
    );
    checkInvariant(r2, second, []);
    assert.equal(r2.accepted, 0);
    assert.deepEqual(r2.retryTokens, second);
    outcome = "resolved";
  } catch (error) {
    assert.ok(error instanceof ApnsError, String(error));
    outcome = (error as Error).name;
  }
  // Observed: ConnectError (the dead link was noticed; the reconnect is refused).
  assert.equal(outcome, "ConnectError");
});
