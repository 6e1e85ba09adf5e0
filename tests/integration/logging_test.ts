// Silent by default; with LogTape configured for ["apns"], debug records
// describe connections, bursts and error responses, and never carry key or
// certificate material.
import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { APNs, Message, Session } from "../../mod.ts";
import { MockBinaryGateway } from "../../src/server/mod.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));

Deno.test("logging: debug records when enabled, no secrets in them", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: "apns", lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
  });
  try {
    const key = fixture("client.key");
    await using gateway = new MockBinaryGateway({
      cert: fixture("server.crt"),
      key: fixture("server.key"),
      ca: fixture("ca.crt"),
      faults: { failTokens: new Map([["00".repeat(31) + "03", 8]]) },
    });
    const { port } = await gateway.listen();
    await using session = new Session();
    const apns = new APNs(
      session.getConnection(["127.0.0.1", port], {
        certString: fixture("client.crt"),
        keyString: key,
        caCerts: fixture("ca.crt"),
      }),
    );
    const tokens = Array.from(
      { length: 10 },
      (_, i) => (i + 1).toString(16).padStart(64, "0"),
    );
    const result = await apns.send(new Message(tokens, { alert: "x" }));
    assert.equal(result.failed.size, 1);
  } finally {
    await reset();
  }
  assert.ok(records.length > 0, "debug records were written");
  const categories = new Set(records.map((r) => r.category.join(".")));
  assert.ok(categories.has("apns.session"));
  assert.ok(categories.has("apns.binary"));
  const text = records.map((r) => JSON.stringify([r.message, r.properties]))
    .join("\n");
  assert.match(text, /status/);
  const keyBody = fixture("client.key").split("\n")[1];
  const certBody = fixture("client.crt").split("\n")[1];
  assert.ok(!text.includes("PRIVATE KEY"));
  assert.ok(!text.includes(keyBody), "no key material");
  assert.ok(!text.includes(certBody), "no certificate material");
});

Deno.test("logging: silent by default (no LogTape configuration)", async () => {
  // Without configure(), getLogger() records go nowhere: capture console.
  const original = { ...console };
  const printed: unknown[] = [];
  for (const name of ["log", "info", "debug", "warn", "error"] as const) {
    console[name] = (...args: unknown[]) => printed.push(args);
  }
  try {
    await using gateway = new MockBinaryGateway({
      cert: fixture("server.crt"),
      key: fixture("server.key"),
      ca: fixture("ca.crt"),
    });
    const { port } = await gateway.listen();
    await using session = new Session();
    const apns = new APNs(
      session.getConnection(["127.0.0.1", port], {
        certString: fixture("client.crt"),
        keyString: fixture("client.key"),
        caCerts: fixture("ca.crt"),
      }),
    );
    await apns.send(new Message(["ab".repeat(32)], { alert: "x" }));
  } finally {
    Object.assign(console, original);
  }
  assert.deepEqual(printed, []);
});
