// A process must exit after `session.shutdown()`: no PING timer, tail timer
// or socket left behind. Each case runs a client in its own process against
// mocks in this one, and waits (bounded) for that process to end by itself.
import assert from "node:assert/strict";
import { MockBinaryGateway, MockHttp2Gateway } from "../../src/server/mod.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const tls = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};
const script = new URL("./_exit_script.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;

async function runClient(protocol: string, port: number): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config, script, protocol, String(port)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    const { code, stdout, stderr, signal } = await child.output();
    assert.equal(
      signal,
      null,
      `the client did not exit by itself: ${new TextDecoder().decode(stderr)}`,
    );
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return JSON.parse(new TextDecoder().decode(stdout).trim()).accepted;
  } finally {
    clearTimeout(timer);
  }
}

for (const protocol of ["h2-certificate", "h2-token"]) {
  Deno.test(`process exits after shutdown: HTTP/2 (${protocol})`, async () => {
    await using gateway = new MockHttp2Gateway({
      ...tls,
      auth: protocol === "h2-token"
        ? {
          keyId: "KEY1234567",
          teamId: "TEAM123456",
          publicKey: fixture("token.p8"),
        }
        : "certificate",
    });
    const { port } = await gateway.listen();
    assert.equal(await runClient(protocol, port), 100);
  });
}

for (const protocol of ["binary", "binary-tail"]) {
  Deno.test(`process exits after shutdown: binary (${protocol})`, async () => {
    await using gateway = new MockBinaryGateway({ ...tls });
    const { port } = await gateway.listen();
    const started = performance.now();
    assert.equal(await runClient(protocol, port), 100);
    if (protocol === "binary") {
      // The probe answered: no 60 s tail wait was needed.
      assert.ok(performance.now() - started < 14_000);
    }
  });
}
