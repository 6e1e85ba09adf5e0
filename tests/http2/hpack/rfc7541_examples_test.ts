// RFC 7541 Appendix C, hex dumps typed from the RFC text. The decoder must
// produce the listed header lists and dynamic tables; the encoder, set up
// the same way, must reproduce the dumps byte for byte.

import assert from "node:assert/strict";
import { decodeHex, encodeHex } from "../../../src/bytes/hex.ts";
import {
  type HeaderField,
  HpackDecoder,
  HpackEncoder,
} from "../../../src/http2/hpack/mod.ts";

const NONE = "none" as const;

function hex(s: string): Uint8Array {
  return decodeHex(s.replace(/\s+/g, ""));
}

interface Step {
  readonly wire: string;
  readonly headers: HeaderField[];
  /** Dynamic table after decoding, newest first, with entry sizes. */
  readonly table: [string, string, number][];
  readonly size: number;
}

function checkTable(
  table: { entries(): HeaderField[]; size: number },
  step: Step,
): void {
  const entries = table.entries();
  assert.deepEqual(
    entries.map(([n, v]) => [n, v, 32 + n.length + v.length]),
    step.table,
  );
  assert.equal(table.size, step.size);
}

function runDecoder(steps: Step[], maxTableSize: number): void {
  const decoder = new HpackDecoder({ maxTableSize });
  for (const step of steps) {
    assert.deepEqual(decoder.decode(hex(step.wire)), step.headers);
    checkTable(decoder.table, step);
  }
}

function runEncoder(
  steps: Step[],
  maxTableSize: number,
  huffman: boolean,
): void {
  // Incremental indexing for everything, as in the RFC's examples.
  const encoder = new HpackEncoder({
    maxTableSize,
    huffman,
    noIndex: new Set(),
  });
  for (const step of steps) {
    assert.equal(
      encodeHex(encoder.encode(step.headers)),
      encodeHex(hex(step.wire)),
    );
    checkTable(encoder.table, step);
  }
}

const REQUESTS: HeaderField[][] = [
  [
    [":method", "GET"],
    [":scheme", "http"],
    [":path", "/"],
    [":authority", "www.example.com"],
  ],
  [
    [":method", "GET"],
    [":scheme", "http"],
    [":path", "/"],
    [":authority", "www.example.com"],
    ["cache-control", "no-cache"],
  ],
  [
    [":method", "GET"],
    [":scheme", "https"],
    [":path", "/index.html"],
    [":authority", "www.example.com"],
    ["custom-key", "custom-value"],
  ],
];

const REQUEST_TABLES: Pick<Step, "table" | "size">[] = [
  { table: [[":authority", "www.example.com", 57]], size: 57 },
  {
    table: [
      ["cache-control", "no-cache", 53],
      [":authority", "www.example.com", 57],
    ],
    size: 110,
  },
  {
    table: [
      ["custom-key", "custom-value", 54],
      ["cache-control", "no-cache", 53],
      [":authority", "www.example.com", 57],
    ],
    size: 164,
  },
];

// C.3
const C3: Step[] = [
  "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
  "8286 84be 5808 6e6f 2d63 6163 6865",
  "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
].map((wire, i) => ({ wire, headers: REQUESTS[i], ...REQUEST_TABLES[i] }));

// C.4
const C4: Step[] = [
  "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
  "8286 84be 5886 a8eb 1064 9cbf",
  "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
].map((wire, i) => ({ wire, headers: REQUESTS[i], ...REQUEST_TABLES[i] }));

const COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const RESPONSES: HeaderField[][] = [
  [
    [":status", "302"],
    ["cache-control", "private"],
    ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
    ["location", "https://www.example.com"],
  ],
  [
    [":status", "307"],
    ["cache-control", "private"],
    ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
    ["location", "https://www.example.com"],
  ],
  [
    [":status", "200"],
    ["cache-control", "private"],
    ["date", "Mon, 21 Oct 2013 20:13:22 GMT"],
    ["location", "https://www.example.com"],
    ["content-encoding", "gzip"],
    ["set-cookie", COOKIE],
  ],
];

const RESPONSE_TABLES: Pick<Step, "table" | "size">[] = [
  {
    table: [
      ["location", "https://www.example.com", 63],
      ["date", "Mon, 21 Oct 2013 20:13:21 GMT", 65],
      ["cache-control", "private", 52],
      [":status", "302", 42],
    ],
    size: 222,
  },
  {
    table: [
      [":status", "307", 42],
      ["location", "https://www.example.com", 63],
      ["date", "Mon, 21 Oct 2013 20:13:21 GMT", 65],
      ["cache-control", "private", 52],
    ],
    size: 222,
  },
  {
    table: [
      ["set-cookie", COOKIE, 98],
      ["content-encoding", "gzip", 52],
      ["date", "Mon, 21 Oct 2013 20:13:22 GMT", 65],
    ],
    size: 215,
  },
];

// C.5
const C5: Step[] = [
  `4803 3330 3258 0770 7269 7661 7465 611d
   4d6f 6e2c 2032 3120 4f63 7420 3230 3133
   2032 303a 3133 3a32 3120 474d 546e 1768
   7474 7073 3a2f 2f77 7777 2e65 7861 6d70
   6c65 2e63 6f6d`,
  "4803 3330 37c1 c0bf",
  `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420
   3230 3133 2032 303a 3133 3a32 3220 474d
   54c0 5a04 677a 6970 7738 666f 6f3d 4153
   444a 4b48 514b 425a 584f 5157 454f 5049
   5541 5851 5745 4f49 553b 206d 6178 2d61
   6765 3d33 3630 303b 2076 6572 7369 6f6e
   3d31`,
].map((wire, i) => ({ wire, headers: RESPONSES[i], ...RESPONSE_TABLES[i] }));

// C.6
const C6: Step[] = [
  `4882 6402 5885 aec3 771a 4b61 96d0 7abe
   9410 54d4 44a8 2005 9504 0b81 66e0 82a6
   2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
   e9ae 82ae 43d3`,
  "4883 640e ffc1 c0bf",
  `88c1 6196 d07a be94 1054 d444 a820 0595
   040b 8166 e084 a62d 1bff c05a 839b d9ab
   77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
   3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
   9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
].map((wire, i) => ({ wire, headers: RESPONSES[i], ...RESPONSE_TABLES[i] }));

Deno.test({
  name: "C.2.1 literal header field with indexing",
  permissions: NONE,
  fn() {
    const wire =
      "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572";
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex(wire)), [[
      "custom-key",
      "custom-header",
    ]]);
    assert.deepEqual(decoder.table.entries(), [[
      "custom-key",
      "custom-header",
    ]]);
    assert.equal(decoder.table.size, 55);

    const encoder = new HpackEncoder({ huffman: false });
    assert.equal(
      encodeHex(encoder.encode([["custom-key", "custom-header"]])),
      encodeHex(hex(wire)),
    );
    assert.equal(encoder.table.size, 55);
  },
});

Deno.test({
  name: "C.2.2 literal header field without indexing",
  permissions: NONE,
  fn() {
    const wire = "040c 2f73 616d 706c 652f 7061 7468";
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex(wire)), [[":path", "/sample/path"]]);
    assert.equal(decoder.table.length, 0);

    // ":path" is in the encoder's default no-index set.
    const encoder = new HpackEncoder({ huffman: false });
    assert.equal(
      encodeHex(encoder.encode([[":path", "/sample/path"]])),
      encodeHex(hex(wire)),
    );
    assert.equal(encoder.table.length, 0);
  },
});

Deno.test({
  name: "C.2.3 literal header field never indexed",
  permissions: NONE,
  fn() {
    const wire = "1008 7061 7373 776f 7264 0673 6563 7265 74";
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex(wire)), [["password", "secret"]]);
    assert.equal(decoder.table.length, 0);

    const encoder = new HpackEncoder({ huffman: false });
    assert.equal(
      encodeHex(
        encoder.encode([["password", "secret"]], {
          neverIndex: new Set(["password"]),
        }),
      ),
      encodeHex(hex(wire)),
    );
    assert.equal(encoder.table.length, 0);
  },
});

Deno.test({
  name: "C.2.4 indexed header field",
  permissions: NONE,
  fn() {
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex("82")), [[":method", "GET"]]);
    assert.equal(decoder.table.length, 0);
    assert.equal(
      encodeHex(new HpackEncoder().encode([[":method", "GET"]])),
      "82",
    );
  },
});

Deno.test({
  name: "C.3 requests without Huffman coding: decoder",
  permissions: NONE,
  fn: () => runDecoder(C3, 4096),
});

Deno.test({
  name: "C.3 requests without Huffman coding: encoder",
  permissions: NONE,
  fn: () => runEncoder(C3, 4096, false),
});

Deno.test({
  name: "C.4 requests with Huffman coding: decoder",
  permissions: NONE,
  fn: () => runDecoder(C4, 4096),
});

Deno.test({
  name: "C.4 requests with Huffman coding: encoder",
  permissions: NONE,
  fn: () => runEncoder(C4, 4096, true),
});

Deno.test({
  name: "C.5 responses without Huffman coding, table size 256: decoder",
  permissions: NONE,
  fn: () => runDecoder(C5, 256),
});

Deno.test({
  name: "C.5 responses without Huffman coding, table size 256: encoder",
  permissions: NONE,
  fn: () => runEncoder(C5, 256, false),
});

Deno.test({
  name: "C.6 responses with Huffman coding, table size 256: decoder",
  permissions: NONE,
  fn: () => runDecoder(C6, 256),
});

Deno.test({
  name: "C.6 responses with Huffman coding, table size 256: encoder",
  permissions: NONE,
  fn: () => runEncoder(C6, 256, true),
});

Deno.test({
  name: "C.4 literals: the default (Huffman when shorter) picks the coding",
  permissions: NONE,
  fn() {
    const encoder = new HpackEncoder({ noIndex: new Set() });
    for (const step of C4) {
      assert.equal(
        encodeHex(encoder.encode(step.headers)),
        encodeHex(hex(step.wire)),
      );
    }
  },
});
