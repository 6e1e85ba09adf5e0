// Smoke test of bench/compare_http2.ts: the quick mode runs end to end
// against both servers and prints the Markdown table with every expected row.

import assert from "node:assert/strict";
import { runQuick } from "./_run_quick.ts";

Deno.test("compare_http2 --quick --no-peers prints the table", async () => {
  const lines = await runQuick("compare_http2.ts");
  const stdout = lines.join("\n");
  const header = lines.findIndex((l) => l.startsWith("| Server | Client |"));
  assert.ok(header >= 0, `no table in:\n${stdout}`);
  assert.match(
    lines[header],
    /\| c=100 \(notif\/s\) \| c=500 \(notif\/s\) \| MCS 1 \(c=100\) \(notif\/s\) \| GOAWAY every 500 \(c=100\) \(notif\/s\) \|/,
  );
  assert.match(lines[header + 1], /^\| --- \| --- \|/);
  const rows = lines.slice(header + 2).filter((l) => l.startsWith("| "));
  const clients = [
    "@apns/client, `maxConnections: 1`",
    "@apns/client, defaults (2 connections)",
    "plain Deno `fetch` loop (HTTP/2 client)",
    "plain `node:http2` loop, Node",
  ];
  for (const server of ["node:http2 (Node)", "MockHttp2Gateway (Deno)"]) {
    for (const client of clients) {
      const row = rows.find((r) => r.startsWith(`| ${server} | ${client} |`));
      assert.ok(
        row,
        `no row for ${server} / ${client} in:\n${rows.join("\n")}`,
      );
      // The peers need npm; with --no-peers they are left out.
      assert.doesNotMatch(rows.join("\n"), /node-apn|apns2/);
      if (client.startsWith("@apns/client")) {
        const cells = row.split("|").slice(1, -1).map((c) => c.trim());
        for (const c of cells.slice(2, 6)) {
          // Every scenario answered in full, at a positive rate.
          assert.match(c, /^[\d,]+$/, `${server} / ${client}: ${c}`);
          assert.ok(Number(c.replaceAll(",", "")) > 0, row);
        }
      }
    }
  }
  assert.match(stdout, /^Machine: .*\d+ cores; Deno /m);
  assert.match(stdout, /^Goals at c=500 \(same server\):$/m);
});
