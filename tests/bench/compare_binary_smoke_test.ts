// Smoke test of bench/compare_binary.ts: the quick mode runs end to end
// against its sink and prints the Markdown table with every expected row.

import assert from "node:assert/strict";
import { runQuick } from "./_run_quick.ts";

Deno.test("compare_binary --quick --no-peers prints the table", async () => {
  const lines = await runQuick("compare_binary.ts");
  const stdout = lines.join("\n");
  const header = lines.findIndex((l) => l.startsWith("| Client (shape) |"));
  assert.ok(header >= 0, `no table in:\n${stdout}`);
  assert.match(lines[header + 1], /^\| --- \|/);
  const rows = lines.slice(header + 2).filter((l) => l.startsWith("| "));
  const expected = [
    /^\| raw ceiling: pre-encoded command-2 frames, 64 KiB writes \|/,
    /^\| @apns\/client: 1000-token messages, 8 sends in flight \|/,
    /^\| @apns\/client: 1000-token messages, 8 sends in flight, NodeTlsTransport \|/,
    /^\| @apns\/client: 1000-token messages, all sends at once \|/,
    /^\| @apns\/client: one [\d,]+-token message \|/,
    /^\| @apns\/client: one [\d,]+-token message, NodeTlsTransport \|/,
  ];
  assert.equal(rows.length, expected.length, rows.join("\n"));
  for (const [i, pattern] of expected.entries()) {
    assert.match(rows[i], pattern);
    const cells = rows[i].split("|").slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 5, rows[i]);
    const rate = Number(cells[2].replaceAll(",", ""));
    assert.ok(rate > 0, `no rate in ${rows[i]}`);
    assert.doesNotMatch(rows[i], /cut at time limit/);
  }
  assert.match(stdout, /^Machine: .*\d+ cores; Deno /m);
  // The raw ceiling is the yardstick: its ratio is 1.00.
  assert.match(rows[0], /\| 1\.00 \|/);
});
