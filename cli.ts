/**
 * Command line: `send`, `feedback`, `serve` (the mock APNs) and `demo`.
 *
 * ```sh
 * deno run -A cli.ts demo
 * deno run -A cli.ts serve --binary-port 2195 --feedback-port 2196 \
 *   --cert server.crt --key server.key --ca ca.crt --record sent.jsonl
 * deno run -A cli.ts send --address 127.0.0.1:2195 --cert client.crt \
 *   --key client.key --ca ca.crt --alert Hello <64 hex> ...
 * deno run -A cli.ts feedback --address 127.0.0.1:2196 --cert client.crt \
 *   --key client.key --ca ca.crt --json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runDemo } from "./src/cli/demo.ts";
import { runFeedback, runSend } from "./src/cli/client_commands.ts";
import { runServe } from "./src/cli/serve.ts";
import { UsageError } from "./src/cli/usage.ts";

const USAGE = `Usage: cli.ts <command> [options]

Commands:
  send      send a notification to device tokens
  feedback  read the feedback service
  serve     run the mock APNs gateway and feedback service
  demo      run the mock on loopback and send a batch through it

Run "cli.ts <command> --help" for a command's options.`;

/**
 * Runs the command line with the given arguments.
 *
 * @param args the arguments after the script name
 * @returns the process exit code
 */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "send":
        return await runSend(rest);
      case "feedback":
        return await runFeedback(rest);
      case "serve":
        return await runServe(rest);
      case "demo":
        return await runDemo(rest);
      case undefined:
      case "-h":
      case "--help":
      case "help":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(
      `error: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}

// `parseArgs` is re-exported for the subcommands' tests.
export { parseArgs };

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
