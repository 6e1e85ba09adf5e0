// Run by exit_test.ts in its own process: starts the mocks in a subprocess
// given as ports, sends over the protocol named on the command line, shuts
// the session down and then does nothing: the process must exit by itself.
import { APNs, Message, Session } from "../../mod.ts";

const [protocol, port] = [Deno.args[0], Number(Deno.args[1])];
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const credentials = protocol === "h2-token"
  ? {
    token: {
      keyId: "KEY1234567",
      teamId: "TEAM123456",
      signingKey: fixture("token.p8"),
    },
    caCerts: fixture("ca.crt"),
  }
  : {
    certString: fixture("client.crt"),
    keyString: fixture("client.key"),
    caCerts: fixture("ca.crt"),
  };
const address = protocol.startsWith("binary")
  ? ["127.0.0.1", port] as const
  : { hostname: "127.0.0.1", port, protocol: "h2" as const };
// Long keep-alive and tail settings: shutdown() must clear them.
// In tail mode the link stays open after the send: shutdown() must close it.
const session = new Session({
  pingInterval: 60_000,
  readTailTimeout: protocol === "binary-tail" ? 300 : 60_000,
  probe: protocol !== "binary-tail",
});
const apns = new APNs(session.getConnection(address, credentials));
const tokens = Array.from(
  { length: 100 },
  (_, i) => i.toString(16).padStart(64, "0"),
);
const result = await apns.send(
  new Message(tokens, { alert: "bye", topic: "com.example.app" }),
);
console.log(JSON.stringify({ accepted: result.accepted }));
await session.shutdown();
