// Node users: the module (client, both protocols, token auth, and the
// mocks) bundled for Node and run by a real `node` (v20 here, which lacks
// Promise.withResolvers, Uint8Array.fromHex and Symbol.asyncDispose).
import assert from "node:assert/strict";

const here = new URL(".", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

async function have(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, { args: ["--version"] })
      .output();
    return success;
  } catch {
    return false;
  }
}

Deno.test("runs on Node: both protocols through the public API against the mocks", async (t) => {
  if (!await have("node")) {
    console.log("node is not installed: skipped");
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/main.mjs`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--config",
        `${root}deno.json`,
        "--platform",
        "node",
        "-o",
        bundle,
        `${here}_node_main.ts`,
      ],
    }).output();
    assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
    await t.step("node runs the bundle", async () => {
      const run = await new Deno.Command("node", {
        args: [bundle],
        cwd: dir,
        signal: AbortSignal.timeout(60_000),
      }).output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      const result = JSON.parse(new TextDecoder().decode(run.stdout).trim());
      assert.deepEqual(result, { binary: [2000, 2000], h2: [2000, 2000] });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
