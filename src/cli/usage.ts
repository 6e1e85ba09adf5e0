/**
 * Shared pieces of the command line: usage errors and option parsing.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

/** A command line that does not make sense; exit code 2. */
export class UsageError extends Error {
  /** @param message what is wrong */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Option spec for {@linkcode parseOptions}. */
export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses options strictly; unknown options are usage errors.
 *
 * @param args the arguments
 * @param options the option spec
 * @returns the values and positionals
 */
export function parseOptions<T extends OptionSpec>(
  args: string[],
  options: T,
): {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return {
      values: values as Record<string, string | boolean | string[] | undefined>,
      positionals,
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Reads a whole-number option.
 *
 * @param value the option's text
 * @param name the option's name, for errors
 * @param min smallest allowed
 * @param max largest allowed
 * @returns the number, or `undefined` when absent
 */
export function intOption(
  value: unknown,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (
    typeof value !== "string" || !/^-?\d+$/.test(value) || n < min || n > max
  ) {
    throw new UsageError(
      `--${name} takes a whole number in ${min}..${max}, got "${
        String(value)
      }"`,
    );
  }
  return n;
}

/**
 * Parses `host:port` (or `[v6]:port`) or a known address name.
 *
 * @param text the option's text
 * @returns a name or a `[host, port]` tuple
 */
export function addressOption(text: string): string | [string, number] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!match) return text;
  return [match[1], intOption(match[2], "address port", 1, 65535)!];
}

/**
 * Prints rows as an aligned text table.
 *
 * @param header column titles
 * @param rows the rows
 * @returns the table text
 */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ]
    .join("\n");
}
