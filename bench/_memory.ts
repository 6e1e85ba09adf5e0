/**
 * What the memory scripts share: a sampler of resident memory and of V8's
 * heap spaces, a token source that holds nothing, the control loop, and the
 * report.
 *
 * The young generation is reported apart because V8 sizes it by how much
 * survives scavenges over time, not by what the program keeps: any
 * sustained allocation with some data in flight grows it towards its
 * maximum (up to ~54 MiB here with default flags), which `--control` shows
 * without this module at all.
 *
 * @module
 */

import v8 from "node:v8";

/** Formats bytes as MiB. */
export const MiB = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

/** The goal: at most this many MiB above the baseline. */
export const GOAL_MIB = 64;

/** `count` random hex tokens, made 1024 at a time as they are pulled. */
export async function* randomTokens(count: number): AsyncGenerator<string> {
  const bytes = new Uint8Array(32 * 1024);
  for (let i = 0; i < count; i++) {
    if (i % 1024 === 0) crypto.getRandomValues(bytes);
    const at = 32 * (i % 1024);
    yield bytes.subarray(at, at + 32).toHex();
  }
}

function spaces(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of v8.getHeapSpaceStatistics()) out[s.space_name] = s.space_size;
  return out;
}

/** Peak RSS and heap spaces, sampled every 5 ms between start and stop. */
export class MemorySampler {
  /** RSS when `start()` ran. */
  baseline = 0;
  /** Highest RSS seen. */
  peak = 0;
  /** Young generation (new space) at baseline and at most. */
  young: [number, number] = [0, 0];
  /** Old generation (old space) at baseline and at most. */
  old: [number, number] = [0, 0];
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Takes the baseline and starts sampling. */
  start(): void {
    (globalThis as { gc?: () => void }).gc?.();
    const s = spaces();
    this.baseline = this.peak = Deno.memoryUsage().rss;
    this.young = [s.new_space, s.new_space];
    this.old = [s.old_space, s.old_space];
    this.#timer = setInterval(() => this.#sample(), 5);
  }

  #sample(): void {
    const rss = Deno.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    const s = spaces();
    if (s.new_space > this.young[1]) this.young[1] = s.new_space;
    if (s.old_space > this.old[1]) this.old[1] = s.old_space;
  }

  /** Takes a last sample and stops. */
  stop(): void {
    clearInterval(this.#timer);
    this.#sample();
  }

  /** The report lines: baseline, peak, V8's generations, delta vs goal. */
  report(baselineWhat: string): string[] {
    const delta = this.peak - this.baseline;
    const young = this.young[1] - this.young[0];
    return [
      `baseline RSS (${baselineWhat}): ${MiB(this.baseline)}`,
      `peak RSS while sending: ${MiB(this.peak)}`,
      `V8 young generation: ${MiB(this.young[0])} -> ${
        MiB(this.young[1])
      } at most; old generation: ${MiB(this.old[0])} -> ${
        MiB(this.old[1])
      } at most`,
      `delta: ${MiB(delta)} (goal <= ${GOAL_MIB} MiB: ${
        delta <= GOAL_MIB * 1048576 ? "met" : "MISSED"
      }); without the young generation's growth: ${MiB(delta - young)}`,
    ];
  }
}

/**
 * The control: no I/O and no client, just what streaming does to V8 — a
 * working set of `inFlight` small records (token, path, a record object),
 * each replaced after a short life, `count` times, with ~1.5 KB of
 * short-lived garbage per item, awaiting a macrotask every 1000 items.
 *
 * @param count items
 * @param inFlight records alive at once
 * @returns the sampler, stopped
 */
export async function controlLoop(
  count: number,
  inFlight: number,
): Promise<MemorySampler> {
  const sampler = new MemorySampler();
  sampler.start();
  const ring: unknown[] = new Array(inFlight).fill(null);
  let i = 0;
  let sink = 0;
  for await (const token of randomTokens(count)) {
    const path = `/3/device/${token}`;
    ring[i % inFlight] = { token, path, first: path.charCodeAt(5), i };
    for (let k = 0; k < 16; k++) {
      const garbage = [k, i, { k, token }];
      sink += garbage.length;
    }
    if (++i % 1000 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  if (sink < 0) console.log(ring); // keeps the work observable
  sampler.stop();
  return sampler;
}
