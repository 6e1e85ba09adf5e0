// Smoke tests of the memory scripts with small counts: they run end to end
// and print their report (the figures themselves are not asserted: the
// machines are noisy and small counts say nothing about peaks).

import assert from "node:assert/strict";
import { runQuick } from "./_run_quick.ts";

const REPORT = [
  /^baseline RSS \(.+\): [\d.]+ MiB$/,
  /^peak RSS while sending: [\d.]+ MiB$/,
  /^V8 young generation: [\d.]+ MiB -> [\d.]+ MiB at most; old generation: /,
  /^delta: -?[\d.]+ MiB \(goal <= 64 MiB: (met|MISSED)\); without the young generation's growth: -?[\d.]+ MiB$/,
];

function assertReport(lines: string[], from: number): void {
  for (const [i, pattern] of REPORT.entries()) {
    assert.match(lines[from + i] ?? "", pattern, lines.join("\n"));
  }
}

Deno.test("memory_http2 streams the tokens and reports; --control runs the plain loop", async () => {
  const lines = await runQuick("memory_http2.ts", ["3000"]);
  const head = lines.findIndex((l) =>
    l.startsWith("3,000 tokens from an async iterable: accepted 3,000 ")
  );
  assert.ok(head >= 0, lines.join("\n"));
  assert.match(lines[head + 1], /^RSS before the warm-up/);
  assertReport(lines, head + 2);
  const control = await runQuick("memory_http2.ts", ["3000", "--control"]);
  assert.match(control[0], /^control: 3,000 tokens through a plain loop/);
  assertReport(control, 1);
});

Deno.test("memory_binary streams the tokens, then sends them as one message", async () => {
  const lines = await runQuick("memory_binary.ts", ["3000"]);
  assert.match(
    lines[0],
    /^3,000 tokens from an async iterable: accepted 3,000 \(sink counted 3,000\)/,
  );
  assert.match(lines[1], /^RSS before the warm-up/);
  assertReport(lines, 2);
  const one = lines.findIndex((l) =>
    l.startsWith(
      "3,000 tokens, one message: accepted 3,000 (sink counted 3,000)",
    )
  );
  assert.ok(one > 0, lines.join("\n"));
  assert.match(lines[one + 1], /^RSS before the tokens existed/);
  assertReport(lines, one + 2);
});
