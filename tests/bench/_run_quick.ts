// Runs a bench script (by default with `--quick --no-peers`, bounded) and returns its
// output lines, asserting it exited 0. Shared by the smoke tests.
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/**
 * Runs `bench/<script>` in quick mode.
 *
 * @param script file name under bench/
 * @param args arguments (default: `--quick --no-peers`)
 * @returns stdout split into lines
 */
export async function runQuick(
  script: string,
  args: string[] = ["--quick", "--no-peers"],
): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      new URL("deno.json", ROOT).pathname,
      new URL(`bench/${script}`, ROOT).pathname,
      ...args,
    ],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `exit ${out.code}\n${stdout}\n${stderr}`);
  return stdout.split("\n");
}
