// The session's pool: sharing by address + certificate digest, uncached
// connections, outdate() and shutdown().

import assert from "node:assert/strict";
import { APNs, DenoTlsTransport, Message, Session } from "../../mod.ts";
import {
  alertOf,
  checkInvariant,
  CountingTransport,
  credentials,
  makeTokens,
  startGateway,
  until,
  within,
} from "./_helpers.ts";

Deno.test("pool: equal certificates (one with CRLF line endings) share one entry and one link; client2 makes a second; newConnection is not cached", async () => {
  await using gw = await startGateway();
  const transport = new CountingTransport(new DenoTlsTransport());
  // probe: false keeps links open, so sharing shows as one connection.
  await using session = new Session({
    probe: false,
    readTailTimeout: 150,
    transport,
  });
  const lf = credentials();
  const crlf = { ...lf, certString: lf.certString.replace(/\n/g, "\r\n") };
  assert.notEqual(crlf.certString, lf.certString);
  const a = session.getConnection(gw.address, lf);
  const b = session.getConnection(gw.address, crlf);
  assert.equal(a.cached, true);
  assert.equal(session.size, 0, "lazy: no entry before the first use");

  const ta = makeTokens(20, 1);
  const tb = makeTokens(20, 2);
  const [ra, rb] = await within(
    5000,
    Promise.all([
      new APNs(a).send(new Message(ta, { alert: "a" })),
      new APNs(b).send(new Message(tb, { alert: "b" })),
    ]),
  );
  checkInvariant(ra, ta, gw.tokens((p) => alertOf(p) === "a"));
  checkInvariant(rb, tb, gw.tokens((p) => alertOf(p) === "b"));
  assert.equal(session.size, 1);
  assert.equal(gw.gateway.connectionCount, 1, "one shared link");

  // Another certificate: another entry, another connection.
  const c = session.getConnection(gw.address, credentials("client2"));
  const tc = makeTokens(20, 3);
  const rc = await within(
    5000,
    new APNs(c).send(new Message(tc, { alert: "c" })),
  );
  checkInvariant(rc, tc, gw.tokens((p) => alertOf(p) === "c"));
  assert.equal(session.size, 2);
  assert.equal(gw.gateway.connectionCount, 2);
  assert.equal(transport.open, 2);

  // newConnection: not pooled, and closed once its send is done.
  const d = session.newConnection(gw.address, lf);
  assert.equal(d.cached, false);
  const td = makeTokens(20, 4);
  const rd = await within(
    5000,
    new APNs(d).send(new Message(td, { alert: "d" })),
  );
  checkInvariant(rd, td, gw.tokens((p) => alertOf(p) === "d"));
  assert.equal(session.size, 2);
  assert.equal(gw.gateway.connectionCount, 3, "its own connection");
  await until(() => transport.open === 2, 2000, "uncached close");

  // Cached handles still reuse their links.
  const rb2 = await within(
    5000,
    new APNs(b).send(new Message(makeTokens(5, 5), { alert: "b2" })),
  );
  checkInvariant(rb2, makeTokens(5, 5), gw.tokens((p) => alertOf(p) === "b2"));
  assert.equal(rb2.accepted, 5);
  assert.equal(gw.gateway.connectionCount, 3);
});

Deno.test("outdate: with probe: false the link stays open after a send; outdate(60 s) keeps it, outdate(0) closes it", async () => {
  await using gw = await startGateway();
  const transport = new CountingTransport(new DenoTlsTransport());
  await using session = new Session({
    probe: false,
    readTailTimeout: 150,
    transport,
  });
  const con = session.getConnection(gw.address, credentials());
  const tokens = makeTokens(100);
  const result = await within(
    5000,
    new APNs(con).send(new Message(tokens, { alert: "o" })),
  );
  checkInvariant(result, tokens, gw.tokens());
  assert.equal(transport.open, 1, "the link stays open");
  assert.equal(session.size, 1);

  await session.outdate(60_000);
  assert.equal(session.size, 1, "not idle long enough");
  assert.equal(transport.open, 1);

  await session.outdate(0);
  assert.equal(session.size, 0);
  await within(2000, transport.allClosed(), "close after outdate");
  assert.equal(transport.open, 0);
  assert.equal(gw.gateway.connectionCount, 1);
});

for (const how of ["outdate(0)", "shutdown()"]) {
  // A handle taken before outdate()/shutdown() and used afterwards must
  // come back under the session's control: pooled again (session.size 1)
  // and closed by the next shutdown().
  Deno.test(`a handle used again after ${how} is pooled again and closed by the next shutdown()`, async () => {
    await using gw = await startGateway();
    const transport = new CountingTransport(new DenoTlsTransport());
    const session = new Session({
      probe: false,
      readTailTimeout: 150,
      transport,
    });
    try {
      const con = session.getConnection(gw.address, credentials());
      const first = await within(
        5000,
        new APNs(con).send(new Message(makeTokens(10), { alert: "1" })),
      );
      checkInvariant(
        first,
        makeTokens(10),
        gw.tokens((p) => alertOf(p) === "1"),
      );
      assert.equal(first.accepted, 10);
      if (how === "outdate(0)") await session.outdate(0);
      else await session.shutdown();
      assert.equal(session.size, 0);
      await within(2000, transport.allClosed());

      const again = await within(
        5000,
        new APNs(con).send(new Message(makeTokens(10, 1), { alert: "2" })),
      );
      checkInvariant(
        again,
        makeTokens(10, 1),
        gw.tokens((p) => alertOf(p) === "2"),
      );
      assert.equal(again.accepted, 10);
      assert.equal(gw.gateway.connectionCount, 2);
      assert.equal(transport.open, 1, "the new link is open (probe: false)");
      const pooled = session.size;
      // The harm: shutdown() must close the link the stale handle opened.
      await session.shutdown();
      await until(
        () => transport.open === 0,
        1000,
        "shutdown() closing the link of a handle used after " + how,
      );
      assert.equal(session.size, 0);
      assert.equal(pooled, 1, "the handle's entry was pooled again");
    } finally {
      await session.shutdown();
    }
  });
}

Deno.test("outdate never closes a connection in use", async () => {
  await using gw = await startGateway();
  const transport = new CountingTransport(new DenoTlsTransport());
  await using session = new Session({
    probe: false,
    readTailTimeout: 300,
    transport,
  });
  const con = session.getConnection(gw.address, credentials());
  const tokens = makeTokens(100);
  const sending = new APNs(con).send(new Message(tokens, { alert: "busy" }));
  await until(() => gw.gateway.acceptedCount === 100);
  await session.outdate(0);
  assert.equal(session.size, 1, "busy entries stay");
  const result = await within(5000, sending);
  assert.equal(result.accepted, 100);
  assert.deepEqual(result.errors, []);
  checkInvariant(result, tokens, gw.tokens());
});

Deno.test("shutdown waits for an in-flight send, then closes everything", async () => {
  await using gw = await startGateway();
  const transport = new CountingTransport(new DenoTlsTransport());
  const session = new Session({
    probe: false,
    readTailTimeout: 300,
    transport,
  });
  try {
    const con = session.getConnection(gw.address, credentials());
    const tokens = makeTokens(500);
    const order: string[] = [];
    const sending = new APNs(con).send(new Message(tokens, { alert: "s" }))
      .then((r) => {
        order.push("send");
        return r;
      });
    await until(() => gw.gateway.acceptedCount === 500);
    const closing = session.shutdown().then(() => void order.push("shutdown"));
    const [result] = await within(5000, Promise.all([sending, closing]));
    assert.deepEqual(order, ["send", "shutdown"]);
    // The send was not cut short.
    assert.equal(result.accepted, 500);
    assert.deepEqual(result.errors, []);
    checkInvariant(result, tokens, gw.tokens());
    assert.equal(session.size, 0);
    await within(2000, transport.allClosed(), "close after shutdown");
    assert.equal(transport.open, 0);
  } finally {
    await session.shutdown();
  }
});

Deno.test("shutdown during a probed send: the send completes, then the session is empty", async () => {
  await using gw = await startGateway();
  const transport = new CountingTransport(new DenoTlsTransport());
  await using session = new Session({ readTailTimeout: 10_000, transport });
  const con = session.getConnection(gw.address, credentials());
  const tokens = makeTokens(3000);
  const sending = new APNs(con).send(new Message(tokens, { alert: "p" }));
  // Let the send get going: the entry exists once the certificate loaded.
  await until(() => session.size === 1);
  const [result] = await within(
    5000,
    Promise.all([sending, session.shutdown()]),
  );
  assert.equal(result.accepted, 3000);
  checkInvariant(result, tokens, gw.tokens());
  assert.equal(session.size, 0);
  await within(2000, transport.allClosed());
});
