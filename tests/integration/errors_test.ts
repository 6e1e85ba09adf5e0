// Failures before anything is sent: bad addresses and certificates, refused
// and hanging servers, a rejected client certificate.

import assert from "node:assert/strict";
import {
  AddressError,
  APNs,
  ApnsError,
  CertificateError,
  ConnectError,
  ConnectionClosedError,
  Message,
  Session,
  TimeoutError,
  TlsError,
} from "../../mod.ts";
import {
  checkInvariant,
  credentials,
  fixture,
  makeTokens,
  refusedPort,
  startGateway,
  within,
} from "./_helpers.ts";

const PASSPHRASE = "test-passphrase";

Deno.test("unknown address name: getConnection throws AddressError", () => {
  const session = new Session();
  assert.throws(
    () => session.getConnection("push_nowhere", credentials()),
    AddressError,
  );
  assert.throws(
    () => session.getConnection(["127.0.0.1", 70_000], credentials()),
    AddressError,
  );
  assert.equal(session.size, 0);
});

Deno.test("no certificate: getConnection and newConnection throw CertificateError", () => {
  const session = new Session();
  assert.throws(() => session.getConnection("push_sandbox"), CertificateError);
  assert.throws(
    () => session.newConnection("feedback_sandbox", {}),
    CertificateError,
  );
});

Deno.test("encrypted key: right passphrase delivers, wrong or missing passphrase rejects the send with CertificateError", async () => {
  await using gw = await startGateway();
  await using session = new Session();
  const encrypted = {
    certString: fixture("client.crt"),
    keyString: fixture("client.enc-pkcs8.key"),
    caCerts: fixture("ca.crt"),
  };
  const tokens = makeTokens(10);
  const ok = await within(
    5000,
    new APNs(
      session.getConnection(gw.address, {
        ...encrypted,
        passphrase: PASSPHRASE,
      }),
    ).send(new Message(tokens, { alert: "enc" })),
  );
  assert.equal(ok.accepted, 10);
  checkInvariant(ok, tokens, gw.tokens());

  for (const passphrase of ["wrong passphrase", undefined]) {
    const con = session.getConnection(gw.address, { ...encrypted, passphrase });
    await assert.rejects(
      within(5000, new APNs(con).send(new Message(tokens, { alert: "x" }))),
      CertificateError,
    );
  }
  assert.equal(gw.gateway.connectionCount, 1);
});

Deno.test("certificate file that does not exist: the send rejects with CertificateError", async () => {
  await using session = new Session();
  const con = session.getConnection(["127.0.0.1", refusedPort()], {
    certFile: "/nonexistent/cert.pem",
    keyFile: "/nonexistent/key.pem",
  });
  await assert.rejects(
    new APNs(con).send(new Message(makeTokens(1), { alert: "x" })),
    CertificateError,
  );
});

Deno.test("refused port: the send rejects with ConnectError", async () => {
  await using session = new Session();
  const con = session.getConnection(
    ["127.0.0.1", refusedPort()],
    credentials(),
  );
  await assert.rejects(
    within(
      5000,
      new APNs(con).send(new Message(makeTokens(5), { alert: "x" })),
    ),
    ConnectError,
  );
});

Deno.test("rogue client certificate: the send rejects with an ApnsError (TlsError) and nothing is accepted", async () => {
  await using gw = await startGateway();
  await using session = new Session();
  const rogue = credentials("rogue");
  const con = session.getConnection(gw.address, rogue);
  const tokens = makeTokens(50);
  let caught: unknown;
  try {
    const result = await within(
      5000,
      new APNs(con).send(new Message(tokens, { alert: "rogue" })),
    );
    assert.fail(
      `resolved instead of rejecting: ${
        JSON.stringify({
          accepted: result.accepted,
          errors: result.errors,
          retry: result.retryTokens.length,
        })
      }`,
    );
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ApnsError, `not an ApnsError: ${caught}`);
  // Observed: TlsError (TLS 1.3 shows the rejection at the first read).
  assert.ok(
    caught instanceof TlsError || caught instanceof ConnectionClosedError,
    `${(caught as Error).name}: ${(caught as Error).message}`,
  );
  assert.equal((caught as Error).name, "TlsError");
  assert.equal(gw.gateway.acceptedCount, 0);
  assert.ok(gw.gateway.tlsErrors >= 1);
});

Deno.test("connectTimeout: a server that accepts TCP but never handshakes makes the send reject with TimeoutError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) held.push(conn);
    } catch {
      // listener closed
    }
  })();
  const session = new Session({ connectTimeout: 300 });
  try {
    const con = session.getConnection(["127.0.0.1", port], credentials());
    const started = performance.now();
    await assert.rejects(
      within(
        5000,
        new APNs(con).send(new Message(makeTokens(5), { alert: "x" })),
      ),
      TimeoutError,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290, `gave up after ${elapsed} ms`);
    assert.ok(elapsed < 3000, `gave up after ${elapsed} ms`);
  } finally {
    await session.shutdown();
    listener.close();
    await accepting;
    for (const conn of held) conn.close();
  }
});

Deno.test("bad arguments: non-positive timeouts throw RangeError, an APNs without a connection throws TypeError", () => {
  assert.throws(() => new Session({ readTailTimeout: 0 }), RangeError);
  assert.throws(() => new Session({ connectTimeout: -1 }), RangeError);
  assert.throws(
    () =>
      new APNs(undefined as unknown as ConstructorParameters<typeof APNs>[0]),
    TypeError,
  );
});

// With handshakeGrace 0 the rejection shows only as a lost connection (as
// documented): nothing is accepted and nothing is lost either.
Deno.test("rogue client certificate with handshakeGrace 0 and several sends in flight: nothing accepted, every token in retry() or the send rejects", async () => {
  await using gw = await startGateway();
  await using session = new Session({ handshakeGrace: 0 });
  const apns = new APNs(
    session.getConnection(gw.address, credentials("rogue")),
  );
  const batches = Array.from({ length: 5 }, (_, i) => makeTokens(100, i));
  const outcomes = await within(
    5000,
    Promise.allSettled(
      batches.map((tokens) => apns.send(new Message(tokens, { alert: "r" }))),
    ),
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "rejected") {
      assert.ok(outcome.reason instanceof ApnsError, String(outcome.reason));
    } else {
      const result = outcome.value;
      checkInvariant(result, batches[i], []);
      assert.equal(result.accepted, 0);
      assert.deepEqual(result.retryTokens, batches[i]);
      assert.ok(result.errors.some(([code]) => code === null));
    }
  });
  assert.equal(gw.gateway.acceptedCount, 0);
});
