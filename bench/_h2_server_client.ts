/**
 * The parent's side of the HTTP/2 bench servers (`_node_h2_server.cjs` run
 * by Node, `_h2_mock_server.ts` run by Deno): spawns one with a set of
 * listeners and talks to it over its line-based control channel.
 *
 * @module
 */

import { lines } from "./_sink_client.ts";

/** One listener: its name, the SETTINGS it advertises, its GOAWAY fault. */
export interface ListenerConfig {
  name: string;
  maxConcurrentStreams: number;
  goawayAfter?: number;
}

/** What the server counted since arming. */
export interface ServerCount {
  /** 200 answers. */
  count: number;
  /** Milliseconds from the first request to the last 200 answer. */
  ms: number;
  /** Connections accepted (-1: not tracked). */
  sessions: number;
}

/** A bench server process and its control channel. */
export class H2Server {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  /** Port of each listener, by name. */
  ports: Record<string, number> = {};
  /** What runs the server, for the report (e.g. "node v20.20.2"). */
  runtime = "";

  /**
   * Spawns the server.
   *
   * @param kind `node` (node:http2) or `mock` (MockHttp2Gateway)
   * @param listeners the listeners to open
   * @param config path of the project's deno.json (for `mock`)
   */
  constructor(
    readonly kind: "node" | "mock",
    listeners: ListenerConfig[],
    config: string,
  ) {
    const bench = new URL("./", import.meta.url);
    const json = JSON.stringify(listeners);
    const [cmd, args] = kind === "node"
      ? [
        "node",
        [
          new URL("_node_h2_server.cjs", bench).pathname,
          new URL("../tests/fixtures/", bench).pathname,
          json,
        ],
      ]
      : [
        Deno.execPath(),
        [
          "run",
          "-A",
          "--config",
          config,
          new URL("_h2_mock_server.ts", bench).pathname,
          json,
        ],
      ];
    this.#child = new Deno.Command(cmd, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = lines(this.#child.stdout)[Symbol.asyncIterator]();
  }

  async #next(timeoutMs = 30_000): Promise<Record<string, unknown>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const line = await Promise.race([
        this.#lines.next(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        }),
      ]);
      if (line === null) throw new Error(`${this.kind} server: no answer`);
      if (line.done) throw new Error(`${this.kind} server exited`);
      return JSON.parse(line.value);
    } finally {
      clearTimeout(timer);
    }
  }

  async #send(value: unknown): Promise<void> {
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify(value) + "\n"),
    );
  }

  /** Waits until every listener is up. */
  async start(): Promise<void> {
    const hello = await this.#next();
    this.ports = hello.ports as Record<string, number>;
    this.runtime = hello.node
      ? `node ${hello.node}`
      : `deno ${hello.deno as string}`;
  }

  /** Resets the counters. */
  async arm(): Promise<void> {
    await this.#send({ cmd: "arm" });
    const answer = await this.#next(10_000);
    if (!answer.armed) throw new Error("server did not arm");
  }

  /** What was counted since arming. */
  async status(): Promise<ServerCount> {
    await this.#send({ cmd: "status" });
    const s = await this.#next(10_000);
    return {
      count: s.count as number,
      ms: s.ms as number,
      sessions: s.sessions as number,
    };
  }

  /** Stops the server process. */
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
    for (;;) {
      const r = await this.#lines.next();
      if (r.done) break;
    }
  }
}
