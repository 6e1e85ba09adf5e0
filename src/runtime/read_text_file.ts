/**
 * Reads a UTF-8 file on Deno, Node or Bun.
 *
 * @module
 */

/**
 * Reads a whole file as UTF-8 text.
 *
 * @param path file path
 * @returns the file's contents
 * @throws {Error} when the file cannot be read (the runtime's error is the
 * `cause`; callers wrap it in their own error class)
 */
export async function readTextFile(path: string): Promise<string> {
  try {
    const deno = (globalThis as {
      Deno?: { readTextFile(path: string): Promise<string> };
    }).Deno;
    if (deno) return await deno.readTextFile(path);
    const fs = await import("node:fs/promises");
    return await fs.readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read ${path}: ${reason}`, { cause: error });
  }
}
