// Run on Node by node_runtime_test.ts (bundled with `deno bundle --platform node`):
// the client over both protocols against the mocks, all in one Node process.
import { APNs, Message, Session } from "../../mod.ts";
import {
  demoPki as pki,
  MockBinaryGateway,
  MockHttp2Gateway,
} from "../../src/server/mod.ts";
const tls = { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca };
const tokens = Array.from(
  { length: 2000 },
  (_, i) => (i + 1).toString(16).padStart(64, "0"),
);
const out: Record<string, unknown> = {};
const binary = new MockBinaryGateway({ ...tls, retain: false });
const h2 = new MockHttp2Gateway({
  ...tls,
  retain: false,
  auth: { ...pki.tokenIds, publicKey: pki.tokenKey },
});
const b = await binary.listen();
const h = await h2.listen();
const session = new Session();
const creds = {
  certString: pki.clientCert,
  keyString: pki.clientKey,
  caCerts: pki.ca,
};
const r1 = await new APNs(session.getConnection([b.hostname, b.port], creds))
  .send(new Message(tokens, { alert: "node" }));
out.binary = [r1.accepted, binary.acceptedCount];
const r2 = await new APNs(
  session.getConnection(
    { hostname: h.hostname, port: h.port, protocol: "h2" },
    { token: { ...pki.tokenIds, signingKey: pki.tokenKey }, caCerts: pki.ca },
  ),
).send(new Message(tokens, { alert: "node", topic: "com.example.app" }));
out.h2 = [r2.accepted, h2.acceptedCount];
await session.shutdown();
await binary.close();
await h2.close();
console.log(JSON.stringify(out));
