// HPACK micro benchmarks on a typical APNs request and response.
// Run: deno bench bench/hpack_bench.ts

import {
  type HeaderField,
  HpackDecoder,
  HpackEncoder,
  huffmanDecodeInto,
  huffmanEncodedLength,
  huffmanEncodeInto,
  maxEncodedLength,
} from "../src/http2/hpack/mod.ts";

const JWT = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjhLNDVKWDdYMkMifQ." +
  "eyJpc3MiOiI1VTg5Nk1YOVE4IiwiaWF0IjoxNzY0NDY0MDAwfQ." +
  "MEQCIGm0m8kq3J1vQ2W0yJ9d3fZbq7aH2v0p8xW5cR1tK4eLAiB9zZ3a8Yq5o7cN1rT2uV6wX4yB0kD3fG5hJ7lM9nP2qA";

const TOKENS = Array.from(
  { length: 64 },
  (_, i) => (i.toString(16).padStart(2, "0") + "9f3e").repeat(11).slice(0, 64),
);
const IDS = Array.from(
  { length: 64 },
  (_, i) =>
    `6f0c4bd4-0ed5-4a4f-8b8c-6c5e1d1b${i.toString(16).padStart(4, "0")}`,
);

function request(i: number): HeaderField[] {
  return [
    [":method", "POST"],
    [":scheme", "https"],
    [":path", `/3/device/${TOKENS[i & 63]}`],
    [":authority", "api.push.apple.com"],
    ["authorization", `bearer ${JWT}`],
    ["apns-topic", "com.example.app"],
    ["apns-push-type", "alert"],
    ["apns-priority", "10"],
    ["apns-expiration", "0"],
    ["content-length", "50"],
  ];
}
const REQUESTS = Array.from({ length: 64 }, (_, i) => request(i));
const RESPONSES: HeaderField[][] = IDS.map((
  id,
) => [[":status", "200"], ["apns-id", id]]);

// Steady-state encoders: the repeating fields are already in their tables.
const encoder = new HpackEncoder();
encoder.encode(REQUESTS[0]);
const responseEncoder = new HpackEncoder();
responseEncoder.encode(RESPONSES[0]);
const intoEncoder = new HpackEncoder();
intoEncoder.encode(REQUESTS[0]);
const out = new Uint8Array(maxEncodedLength(REQUESTS[0]) + 64);

// Blocks for the decoders: a first block (inserts) and a steady-state one
// (indexed references plus literals that are not indexed: decoding it
// again and again leaves the table as it is).
const blockEncoder = new HpackEncoder();
const FIRST_BLOCK = blockEncoder.encode(REQUESTS[0]);
const STEADY_BLOCK = blockEncoder.encode(REQUESTS[1]);
const decoder = new HpackDecoder();
decoder.decode(FIRST_BLOCK);
const RESPONSE_BLOCK = new HpackEncoder().encode(RESPONSES[0]);
const responseDecoder = new HpackDecoder();

const AUTH = `bearer ${JWT}`;
const HUFFMAN_OUT = new Uint8Array(1024);
const AUTH_HUFFMAN = HUFFMAN_OUT.slice(
  0,
  huffmanEncodeInto(AUTH, HUFFMAN_OUT, 0),
);

let n = 0;

Deno.bench({
  name: "encode request, steady state",
  group: "encode",
  baseline: true,
  fn() {
    encoder.encode(REQUESTS[n++ & 63]);
  },
});

Deno.bench({
  name: "encodeInto request, steady state",
  group: "encode",
  fn() {
    intoEncoder.encodeInto(REQUESTS[n++ & 63], out, 0);
  },
});

Deno.bench({
  name: "encode request, first block (new encoder)",
  group: "encode",
  fn() {
    new HpackEncoder().encode(REQUESTS[n++ & 63]);
  },
});

Deno.bench({
  name: "encode response (:status 200, apns-id)",
  group: "encode",
  fn() {
    responseEncoder.encode(RESPONSES[n++ & 63]);
  },
});

Deno.bench({
  name: `decode request, steady state (${STEADY_BLOCK.length} octets)`,
  group: "decode",
  baseline: true,
  fn() {
    decoder.decode(STEADY_BLOCK);
  },
});

Deno.bench({
  name:
    `decode request, first block (${FIRST_BLOCK.length} octets, new decoder)`,
  group: "decode",
  fn() {
    new HpackDecoder().decode(FIRST_BLOCK);
  },
});

Deno.bench({
  name: `decode response (${RESPONSE_BLOCK.length} octets)`,
  group: "decode",
  fn() {
    responseDecoder.decode(RESPONSE_BLOCK);
  },
});

Deno.bench({
  name: `Huffman length + encodeInto (${AUTH.length} chars)`,
  group: "huffman",
  baseline: true,
  fn() {
    huffmanEncodedLength(AUTH);
    huffmanEncodeInto(AUTH, HUFFMAN_OUT, 0);
  },
});

Deno.bench({
  name: `Huffman decodeInto (${AUTH_HUFFMAN.length} octets)`,
  group: "huffman",
  fn() {
    huffmanDecodeInto(AUTH_HUFFMAN, 0, AUTH_HUFFMAN.length, HUFFMAN_OUT, 0);
  },
});
