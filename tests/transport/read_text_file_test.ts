import assert from "node:assert/strict";
import { readTextFile } from "../../src/runtime/read_text_file.ts";

Deno.test("readTextFile reads UTF-8 text", async () => {
  const url = new URL("../fixtures/ca.crt", import.meta.url);
  const text = await readTextFile(url.pathname);
  assert.equal(text, await Deno.readTextFile(url));
  assert.match(text, /^-----BEGIN CERTIFICATE-----\n/);
});

Deno.test("readTextFile names the path and keeps the cause", async () => {
  const path = new URL("../fixtures/missing.pem", import.meta.url).pathname;
  const error = await readTextFile(path).then(
    () => assert.fail("read a missing file"),
    (error) => error,
  );
  assert.ok(error instanceof Error);
  assert.ok(error.message.startsWith(`cannot read ${path}: `));
  assert.ok(error.cause instanceof Deno.errors.NotFound);
});
