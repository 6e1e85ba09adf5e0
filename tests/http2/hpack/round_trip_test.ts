// Random header lists through an encoder/decoder pair, with table size
// changes, checking the decoded lists and that both tables stay identical.

import assert from "node:assert/strict";
import {
  type EncodeOptions,
  type HeaderField,
  HpackDecoder,
  HpackEncoder,
  STATIC_TABLE,
} from "../../../src/http2/hpack/mod.ts";

const NONE = "none" as const;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(seed: number, blocks: number, tableSizeCap: number): void {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

  const names = [
    ...new Set(STATIC_TABLE.map(([n]) => n)),
    "apns-topic",
    "apns-push-type",
    "apns-priority",
    "apns-expiration",
    "apns-id",
    "apns-collapse-id",
    "x-custom",
    "x-other",
  ];
  const staticValues = STATIC_TABLE.map(([, v]) => v);
  const pool: string[] = [];
  const randomString = (max: number) => {
    const n = int(max + 1);
    let s = "";
    const binary = rand() < 0.2;
    for (let i = 0; i < n; i++) {
      s += String.fromCharCode(binary ? int(256) : 0x20 + int(0x5f));
    }
    return s;
  };
  for (let i = 0; i < 40; i++) pool.push(randomString(40));

  const randomValue = () => {
    const r = rand();
    if (r < 0.4) return pick(pool);
    if (r < 0.55) return pick(staticValues);
    if (r < 0.6) return "";
    if (r < 0.65) return randomString(3000); // may exceed the table
    return randomString(60);
  };

  let limit = 4096;
  const encoder = new HpackEncoder({ maxTableSize: limit, tableSizeCap });
  const decoder = new HpackDecoder({
    maxTableSize: limit,
    maxHeaderListSize: 1 << 24,
  });

  for (let b = 0; b < blocks; b++) {
    if (rand() < 0.1) {
      // The decoder's side announces a new SETTINGS_HEADER_TABLE_SIZE,
      // sometimes twice before the next block.
      const changes = 1 + int(2);
      for (let c = 0; c < changes; c++) {
        limit = pick([0, 32, 64, 256, 1000, 4096, 65536]);
        decoder.setMaxTableSize(limit);
        encoder.setMaxTableSize(limit);
      }
    }
    const headers: HeaderField[] = [];
    const count = int(20);
    for (let i = 0; i < count; i++) {
      const r = rand();
      headers.push(
        r < 0.15 ? pick(STATIC_TABLE) : [
          rand() < 0.9 ? pick(names) : randomString(12).toLowerCase(),
          randomValue(),
        ],
      );
    }
    const options: EncodeOptions = {
      huffman: pick([undefined, true, false]),
      neverIndex: rand() < 0.3 ? new Set([pick(names)]) : undefined,
      noIndex: rand() < 0.3 ? new Set([pick(names), pick(names)]) : undefined,
    };
    const block = encoder.encode(headers, options);
    const decoded = decoder.decode(block);
    assert.deepEqual(decoded, headers, `seed ${seed} block ${b}`);
    assert.equal(decoder.table.size, encoder.table.size);
    assert.equal(decoder.table.maxSize, encoder.table.maxSize);
    assert.deepEqual(decoder.table.entries(), encoder.table.entries());
    assert.ok(decoder.table.size <= decoder.table.maxSize);
  }
}

for (const seed of [1, 2, 3, 0xc0ffee, 20261130]) {
  Deno.test({
    name:
      `random header lists round-trip with table size changes (seed ${seed})`,
    permissions: NONE,
    fn: () => run(seed, 300, seed & 1 ? 4096 : 65536),
  });
}

Deno.test({
  name:
    "a typical APNs request repeated on one connection shrinks to a few octets",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder();
    const decoder = new HpackDecoder();
    const jwt = "eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQzEyM0RFRkcifQ." +
      "eyJpc3MiOiJERUYxMjNHSElKIiwiaWF0IjoxNzAwMDAwMDAwfQ." +
      "MEUCIQDx1y2z3A4B5C6D7E8F9G0H1I2J3K4L5M6N7O8P9Q0R1S2T3";
    const request = (token: string, id: string): HeaderField[] => [
      [":method", "POST"],
      [":scheme", "https"],
      [":path", `/3/device/${token}`],
      [":authority", "api.push.apple.com"],
      ["authorization", `bearer ${jwt}`],
      ["apns-topic", "com.example.app"],
      ["apns-push-type", "alert"],
      ["apns-priority", "10"],
      ["apns-expiration", "0"],
      ["apns-id", id],
      ["content-length", "50"],
    ];
    const token1 = "a1".repeat(32);
    const token2 = "b2".repeat(32);
    const first = encoder.encode(
      request(token1, "6f0c4bd4-0ed5-4a4f-8b8c-6c5e1d1b0a01"),
    );
    const second = encoder.encode(
      request(token2, "6f0c4bd4-0ed5-4a4f-8b8c-6c5e1d1b0a02"),
    );
    assert.deepEqual(
      decoder.decode(first),
      request(token1, "6f0c4bd4-0ed5-4a4f-8b8c-6c5e1d1b0a01"),
    );
    assert.deepEqual(
      decoder.decode(second),
      request(token2, "6f0c4bd4-0ed5-4a4f-8b8c-6c5e1d1b0a02"),
    );
    // Only :path (53 octets, Huffman), apns-id (~34) and content-length (4)
    // stay literal; the other eight fields take one octet each.
    assert.ok(second.length < 105, `second block is ${second.length} octets`);
    assert.deepEqual([...second.subarray(0, 2)], [0x83, 0x87]);
    assert.ok(first.length > second.length + 100);
  },
});
