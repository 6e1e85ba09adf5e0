/**
 * The parent's side of `_binary_sink.ts`: spawns the sink process and talks
 * to it over its line-based control channel.
 *
 * @module
 */

/** What the sink counted in one run. */
export interface SinkResult {
  count: number;
  ms: number;
  timedOut: boolean;
}

/** The sink process and its line-based control channel. */
export class Sink {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  #pending: Promise<IteratorResult<string>> | undefined;
  port = 0;
  kind = "";

  /**
   * Spawns `_binary_sink.ts`.
   *
   * @param kind `raw` or `mock`
   * @param config path of the project's deno.json
   */
  constructor(kind: string, config: string) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        config,
        new URL("_binary_sink.ts", import.meta.url).pathname,
        "--kind",
        kind,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = lines(this.#child.stdout)[Symbol.asyncIterator]();
  }

  async start(): Promise<void> {
    const hello = await this.#next(30_000);
    this.port = hello.port as number;
    this.kind = hello.kind as string;
  }

  async #send(value: unknown): Promise<void> {
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify(value) + "\n"),
    );
  }

  /** The next line from the sink, or `{timeout: true}` (the line is kept). */
  async #next(timeoutMs: number): Promise<Record<string, unknown>> {
    this.#pending ??= this.#lines.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const line = await Promise.race([
        this.#pending,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        }),
      ]);
      if (line === null) return { timeout: true };
      this.#pending = undefined;
      if (line.done) throw new Error("the sink exited");
      return JSON.parse(line.value);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resets the counters; the sink reports once `target` are counted. */
  async arm(target: number): Promise<void> {
    await this.#send({ cmd: "arm", target });
    const answer = await this.#next(10_000);
    if (!answer.armed) throw new Error(`sink did not arm: ${answer}`);
  }

  /** Waits for the armed target, or reports what arrived by the deadline. */
  async result(deadline: number): Promise<SinkResult> {
    for (;;) {
      const left = Math.max(1, deadline - performance.now());
      const msg = await this.#next(left);
      if (msg.done) {
        return {
          count: msg.count as number,
          ms: msg.ms as number,
          timedOut: false,
        };
      }
      if (msg.timeout) {
        await this.#send({ cmd: "status" });
        const status = await this.#next(10_000);
        // A `done` may cross the status request.
        if (status.done) {
          await this.#next(10_000);
          return {
            count: status.count as number,
            ms: status.ms as number,
            timedOut: false,
          };
        }
        return {
          count: status.count as number,
          ms: status.ms as number,
          timedOut: true,
        };
      }
    }
  }

  async close(): Promise<void> {
    try {
      await this.#send({ cmd: "quit" });
      await this.#writer.close();
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // exited
      }
    }, 5000);
    await this.#child.status;
    clearTimeout(timer);
    // Drain the rest of stdout so the stream is released.
    for (;;) {
      const r = await (this.#pending ?? this.#lines.next());
      this.#pending = undefined;
      if (r.done) break;
    }
  }
}

/** Splits a byte stream into non-empty lines. */
export async function* lines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    rest += text;
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim() !== "") yield line;
    }
  }
}
