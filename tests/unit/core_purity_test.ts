// The core touches no Deno.* and no node:*: only transports, servers, the
// runtime helpers and the CLI open sockets or files.
import assert from "node:assert/strict";

const root = new URL("../../src/", import.meta.url);
const CORE = ["bytes", "binary", "auth", "http2", "provider"];
const CORE_FILES = [
  "address.ts",
  "apns.ts",
  "errors.ts",
  "log.ts",
  "message.ts",
  "result.ts",
  "session.ts",
];

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test("core modules use neither Deno.* nor node:*", async () => {
  const files: URL[] = CORE_FILES.map((f) => new URL(f, root));
  for (const dir of CORE) {
    for await (const file of walk(new URL(`${dir}/`, root))) files.push(file);
  }
  assert.ok(files.length > 40);
  const offenders: string[] = [];
  for (const file of files) {
    // Code only: doc comments may show how a user calls Deno.
    const code = (await Deno.readTextFile(file))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    if (/\bDeno\s*\./.test(code)) offenders.push(`${file.pathname}: Deno.*`);
    if (/from\s+["']node:|import\(\s*["']node:/.test(code)) {
      offenders.push(`${file.pathname}: node:*`);
    }
  }
  assert.deepEqual(offenders, []);
});
