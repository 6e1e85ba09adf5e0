/**
 * Summarizes a V8 `.cpuprofile` (from `deno run --cpu-prof`): the top
 * functions by self time, and self time by file.
 *
 * Usage: `deno run -R bench/_cpuprofile_top.ts <file.cpuprofile> [top=25]`
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
  };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const [file, topArg] = Deno.args;
if (!file) {
  console.error("usage: _cpuprofile_top.ts <file.cpuprofile> [top]");
  Deno.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(Deno.readTextFileSync(file)) as Profile;

// Self time per node: the time delta following each sample.
const selfUs = new Map<number, number>();
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
for (let i = 0; i < samples.length; i++) {
  const dt = deltas[i + 1] ?? 0;
  selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function shortUrl(url: string): string {
  const at = url.indexOf("/work/main/");
  if (at >= 0) return url.slice(at + "/work/main/".length);
  return url.replace(/^.*\/(ext|node)\//, "$1:").replace(/^file:\/\//, "");
}

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : "(native)";
  const key = `${functionName || "(anonymous)"}  ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const f = url ? shortUrl(url) : `(${functionName || "native"})`;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}

const pct = (us: number) => `${(us / total * 100).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled, ${samples.length} samples`,
);
console.log(`\nTop ${top} functions by self time:`);
for (
  const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)
) {
  console.log(`${pct(v)} ${ms(v)}  ${k}`);
}
console.log(`\nSelf time by file (top ${top}):`);
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(v)} ${ms(v)}  ${k}`);
}
