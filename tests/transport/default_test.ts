import assert from "node:assert/strict";
import * as tls from "node:tls";
import { defaultTransport } from "../../src/transport/default.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));

Deno.test("defaultTransport on Deno: node:tls with a client certificate, Deno TLS without", async () => {
  const transport = defaultTransport();
  assert.equal(transport.name, "deno-auto");
  // A server that tells the two stacks apart by what it sees: both reach it
  // with ALPN, the certificate-less connection without a client certificate.
  const seen: boolean[] = [];
  const server = tls.createServer({
    cert: fixture("server.crt"),
    key: fixture("server.key"),
    ca: fixture("ca.crt"),
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ["h2"],
  }, (socket) => {
    seen.push(socket.authorized);
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    for (
      const certificate of [undefined, {
        cert: fixture("client.crt"),
        key: fixture("client.key"),
      }]
    ) {
      const conn = await transport.connect({
        hostname: "127.0.0.1",
        port,
        caCerts: [fixture("ca.crt")],
        alpnProtocols: ["h2"],
        certificate,
      });
      assert.equal(conn.alpnProtocol, "h2");
      const reader = conn.readable.getReader();
      while (!(await reader.read()).done) { /* until the server ends */ }
      reader.releaseLock();
      conn.close();
      await conn.closed;
    }
    assert.deepEqual(seen, [false, true]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
