import assert from "node:assert/strict";
import { defaultTransport } from "../../src/transport/default.ts";
import { DenoTlsTransport } from "../../src/transport/deno_tls.ts";

Deno.test("defaultTransport picks Deno.connectTls on Deno", () => {
  const transport = defaultTransport();
  assert.ok(transport instanceof DenoTlsTransport);
  assert.equal(transport.name, "deno-tls");
});
