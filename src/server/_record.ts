/**
 * The mock gateways' record of accepted notifications: one JSON line each,
 * appended to a file (opened by `open()`, flushed by `close()`) or handed
 * to a callback (without its newline). Private to `src/server`.
 *
 * @module
 */

import { createWriteStream, type WriteStream } from "node:fs";

/** A JSON-lines record going to a file or a callback. */
export class JsonLinesRecord {
  readonly #line: ((line: string) => void) | undefined;
  readonly #path: string | undefined;
  #stream: WriteStream | undefined;
  #error: Error | undefined;

  /**
   * Checks the target; opens nothing yet.
   *
   * @param target a file path, a callback, or `undefined` for no record
   * @throws {TypeError} when the target is neither
   */
  constructor(target: string | ((line: string) => void) | undefined) {
    if (typeof target === "function") {
      this.#line = target;
    } else if (typeof target === "string") {
      this.#path = target;
    } else if (target !== undefined) {
      throw new TypeError("record must be a file path or a function");
    }
  }

  /** Whether `write()` goes anywhere now (a callback, or an open file). */
  get active(): boolean {
    return this.#line !== undefined || this.#stream !== undefined;
  }

  /**
   * Opens the file for appending, unless there is none or it is open.
   *
   * @returns settles once the file is open
   */
  async open(): Promise<void> {
    if (this.#path === undefined || this.#stream !== undefined) return;
    const stream = createWriteStream(this.#path, { flags: "a" });
    stream.on("error", (err: Error) => {
      this.#error ??= err;
    });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    this.#stream = stream;
  }

  /**
   * Records one value as a JSON line.
   *
   * @param value what to record
   */
  write(value: unknown): void {
    const line = JSON.stringify(value);
    this.#line?.(line);
    this.#stream?.write(line + "\n");
  }

  /**
   * Flushes and closes the file (a later `open()` opens it again).
   *
   * @returns settles once the file is flushed
   * @throws {Error} the file's first write error, if one happened
   */
  async close(): Promise<void> {
    const stream = this.#stream;
    if (stream !== undefined) {
      this.#stream = undefined;
      await new Promise<void>((resolve) => {
        stream.end(() => resolve());
      });
    }
    if (this.#error !== undefined) throw this.#error;
  }
}
