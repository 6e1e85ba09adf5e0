/**
 * `cli.ts send` and `cli.ts feedback`.
 *
 * @module
 */

import type { Address } from "../address.ts";
import { APNs } from "../apns.ts";
import { Message, type MessageOptions } from "../message.ts";
import type { Result } from "../result.ts";
import { type Credentials, Session } from "../session.ts";
import {
  addressOption,
  intOption,
  parseOptions,
  table,
  UsageError,
} from "./usage.ts";

const CONNECTION_OPTIONS = {
  address: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  passphrase: { type: "string" },
  ca: { type: "string", multiple: true },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  "connect-timeout": { type: "string" },
} as const;

const SEND_HELP =
  `Usage: cli.ts send --address ADDR --cert FILE [--key FILE] [options] [TOKEN...]

  --address ADDR       push_sandbox, push_production or HOST:PORT
  --cert FILE          PEM certificate (may hold the key too)
  --key FILE           PEM private key (may be encrypted: --passphrase)
  --passphrase TEXT    passphrase of an encrypted key
  --ca FILE            extra trust root (repeatable; for test gateways)
  --tokens-file FILE   device tokens, one per line (besides arguments)
  --alert TEXT         alert text
  --badge N            badge number
  --sound NAME         sound name
  --content-available  mark as a background update
  --payload JSON       complete payload (excludes alert/badge/sound)
  --expiry SECONDS     UNIX seconds (default: one day from now; 0: do not store)
  --priority N         10 or 5 (default 10)
  --command N          binary format: 2 (default), 1 or 0
  --json               print the result as JSON`;

const FEEDBACK_HELP =
  `Usage: cli.ts feedback --address ADDR --cert FILE [--key FILE] [options]

  --address ADDR       feedback_sandbox, feedback_production or HOST:PORT
  --cert, --key, --passphrase, --ca   as for send
  --json               print JSON lines {"token","time"}`;

async function credentials(
  values: Record<string, unknown>,
): Promise<Credentials> {
  const caFiles = (values.ca as string[] | undefined) ?? [];
  if (typeof values["token-key"] === "string") {
    if (
      typeof values["key-id"] !== "string" ||
      typeof values["team-id"] !== "string"
    ) {
      throw new UsageError("--token-key needs --key-id and --team-id");
    }
    return {
      token: {
        keyId: values["key-id"],
        teamId: values["team-id"],
        signingKey: await Deno.readTextFile(values["token-key"]),
      },
      caCerts: await Promise.all(caFiles.map((f) => Deno.readTextFile(f))),
    };
  }
  if (typeof values.cert !== "string") {
    throw new UsageError("--cert FILE (or --token-key for HTTP/2) is required");
  }
  return {
    certFile: values.cert,
    keyFile: values.key as string | undefined,
    passphrase: values.passphrase as string | undefined,
    caCerts: await Promise.all(caFiles.map((f) => Deno.readTextFile(f))),
  };
}

/**
 * Prints a send result as a table or JSON.
 *
 * @param result the result
 * @param json JSON instead of a table
 * @param seconds how long the send took
 */
export function printResult(
  result: Result,
  json: boolean,
  seconds: number,
): void {
  const retry = result.retry()?.tokens ?? [];
  if (json) {
    console.log(JSON.stringify({
      accepted: result.accepted,
      failed: Object.fromEntries(result.failed),
      errors: result.errors,
      retry,
      needsRetry: result.needsRetry(),
      seconds,
    }));
    return;
  }
  console.log(
    `accepted ${result.accepted}, failed ${result.failed.size}, to retry ${retry.length} ` +
      `(of ${result.message.tokens.length}) in ${seconds.toFixed(3)} s`,
  );
  if (result.failed.size > 0) {
    console.log(
      "\n" + table(
        ["failed token", "code", "explanation"],
        [...result.failed].map(([t, [c, e]]) => [t, String(c), e]),
      ),
    );
  }
  if (result.errors.length > 0) {
    console.log(
      "\n" + table(
        ["error code", "explanation"],
        result.errors.map(([c, e]) => [c === null ? "-" : String(c), e]),
      ),
    );
  }
  if (retry.length > 0) {
    console.log(
      `\nto retry${
        result.needsRetry() ? "" : " (retrying the same message will not help)"
      }:`,
    );
    for (const token of retry.slice(0, 20)) console.log(`  ${token}`);
    if (retry.length > 20) console.log(`  ... and ${retry.length - 20} more`);
  }
}

/**
 * `cli.ts send`.
 *
 * @param args the arguments after `send`
 * @returns the exit code: 0 when every token was accepted, 3 otherwise
 */
export async function runSend(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    ...CONNECTION_OPTIONS,
    "tokens-file": { type: "string" },
    alert: { type: "string" },
    badge: { type: "string" },
    sound: { type: "string" },
    "content-available": { type: "boolean" },
    payload: { type: "string" },
    expiry: { type: "string" },
    priority: { type: "string" },
    command: { type: "string" },
    h2: { type: "boolean" },
    "token-key": { type: "string" },
    "key-id": { type: "string" },
    "team-id": { type: "string" },
    topic: { type: "string" },
    "push-type": { type: "string" },
    "collapse-id": { type: "string" },
  });
  if (values.help) {
    console.log(SEND_HELP);
    return 0;
  }
  if (typeof values.address !== "string") {
    throw new UsageError("--address is required");
  }
  const tokens = [...positionals];
  if (typeof values["tokens-file"] === "string") {
    const text = await Deno.readTextFile(values["tokens-file"]);
    tokens.push(
      ...text.split(/\r?\n/).map((t) => t.trim()).filter((t) => t !== ""),
    );
  }
  if (tokens.length === 0) throw new UsageError("no device tokens given");
  const options: MessageOptions = {
    expiry: intOption(values.expiry, "expiry", 0, 0xffff_ffff),
    priority: intOption(values.priority, "priority", 0, 255),
  };
  if (typeof values.payload === "string") {
    try {
      JSON.parse(values.payload);
    } catch {
      throw new UsageError("--payload must be JSON");
    }
    options.payload = values.payload;
  } else {
    options.alert = values.alert as string | undefined;
    const badge = values.badge as string | undefined;
    options.badge = badge !== undefined && /^\d+$/.test(badge)
      ? Number(badge)
      : badge;
    options.sound = values.sound as string | undefined;
    if (values["content-available"]) options.contentAvailable = 1;
  }
  options.topic = values.topic as string | undefined;
  options.pushType = values["push-type"] as MessageOptions["pushType"];
  options.collapseId = values["collapse-id"] as string | undefined;
  const command = intOption(values.command, "command", 0, 2) as
    | 0
    | 1
    | 2
    | undefined;
  await using session = new Session({
    command,
    connectTimeout: intOption(values["connect-timeout"], "connect-timeout", 1),
  });
  let address: Address = addressOption(values.address);
  if (values.h2 && Array.isArray(address)) {
    address = { hostname: address[0], port: address[1], protocol: "h2" };
  }
  const con = session.getConnection(address, await credentials(values));
  const started = performance.now();
  const result = await new APNs(con).send(new Message(tokens, options));
  printResult(
    result,
    values.json === true,
    (performance.now() - started) / 1000,
  );
  return result.accepted === tokens.length ? 0 : 3;
}

/**
 * `cli.ts feedback`.
 *
 * @param args the arguments after `feedback`
 * @returns the exit code
 */
export async function runFeedback(args: string[]): Promise<number> {
  const { values } = parseOptions(args, CONNECTION_OPTIONS);
  if (values.help) {
    console.log(FEEDBACK_HELP);
    return 0;
  }
  if (typeof values.address !== "string") {
    throw new UsageError("--address is required");
  }
  await using session = new Session({
    connectTimeout: intOption(values["connect-timeout"], "connect-timeout", 1),
  });
  const con = session.newConnection(
    addressOption(values.address),
    await credentials(values),
  );
  const rows: string[][] = [];
  for await (const [token, when] of new APNs(con).feedback()) {
    if (values.json) {
      console.log(
        JSON.stringify({ token, time: Math.floor(when.getTime() / 1000) }),
      );
    } else rows.push([token, when.toISOString()]);
  }
  if (!values.json) {
    console.log(
      rows.length ? table(["token", "invalid since"], rows) : "no feedback",
    );
  }
  return 0;
}
