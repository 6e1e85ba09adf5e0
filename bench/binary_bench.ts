/**
 * Micro benchmarks of the binary protocol (`deno bench -A bench/binary_bench.ts`).
 * Each group has a baseline: the cheapest way to get the same bytes (or
 * values) without the library, so the ratio shows the library's overhead.
 *
 * @module
 */

import { APNs, Message, Session } from "../mod.ts";
import { decodeErrorResponse } from "../src/binary/error_response.ts";
import { FeedbackDecoder } from "../src/binary/feedback.ts";
import { NotificationEncoder } from "../src/binary/notification_encoder.ts";
import { writeHex } from "../src/bytes/hex.ts";
import { NullTransport } from "./_null_transport.ts";

const N = 1000;
const TOKENS = Array.from(
  { length: N },
  () => crypto.getRandomValues(new Uint8Array(32)).toHex(),
);
const OPTIONS = { alert: "Hello", badge: 1 } as const;
const PAYLOAD = new Message([], OPTIONS).payloadBytes;
const EXPIRY = 1_900_000_000;

// ------------------------------------------------- encoding notifications

const encoders = {
  2: new NotificationEncoder({
    command: 2,
    payload: PAYLOAD,
    expiry: EXPIRY,
    priority: 10,
  }),
  1: new NotificationEncoder({
    command: 1,
    payload: PAYLOAD,
    expiry: EXPIRY,
    priority: 10,
  }),
};
const OUT = new Uint8Array(encoders[2].frameSize(32) * N);
const OUT_VIEW = new DataView(OUT.buffer);
/** The same 1000 command-2 frames, encoded once: the copy baseline. */
const PRE = new Uint8Array(OUT.length);
{
  let at = 0;
  const view = new DataView(PRE.buffer);
  for (let i = 0; i < N; i++) {
    at = encoders[2].encode(PRE, view, at, TOKENS[i], i + 1);
  }
}
const FRAME = encoders[2].frameSize(32);

Deno.bench({
  name: "copy 1000 pre-encoded command-2 frames",
  group: "encode 1000 notifications",
  baseline: true,
  fn() {
    for (let i = 0; i < N; i++) {
      OUT.set(PRE.subarray(i * FRAME, (i + 1) * FRAME), i * FRAME);
    }
  },
});

for (const command of [2, 1] as const) {
  Deno.bench({
    name: `NotificationEncoder command ${command}`,
    group: "encode 1000 notifications",
    fn() {
      const enc = encoders[command];
      let at = 0;
      for (let i = 0; i < N; i++) {
        at = enc.encode(OUT, OUT_VIEW, at, TOKENS[i], i + 1);
      }
      if (at < 0) throw new Error("encoding failed");
    },
  });
}

// ------------------------------------------------- hex tokens

const SCRATCH = new Uint8Array(32);
/** Byte value per pair of ASCII hex digits (`c1 << 8 | c2`), else -1. */
const PAIRS = new Int16Array(1 << 15).fill(-1);
for (const a of "0123456789abcdefABCDEF") {
  for (const b of "0123456789abcdefABCDEF") {
    PAIRS[a.charCodeAt(0) << 8 | b.charCodeAt(0)] = parseInt(a + b, 16);
  }
}

Deno.bench({
  name: "Uint8Array.prototype.setFromHex into a scratch",
  group: "decode 1000 hex tokens",
  baseline: true,
  fn() {
    for (let i = 0; i < N; i++) SCRATCH.setFromHex(TOKENS[i]);
  },
});

Deno.bench({
  name: "writeHex (setFromHex, then copied into the frame)",
  group: "decode 1000 hex tokens",
  fn() {
    for (let i = 0; i < N; i++) writeHex(OUT, i * 32, TOKENS[i]);
  },
});

const DIGITS = new Uint8Array(64);
const ASCII = new TextEncoder();

Deno.bench({
  name: "TextEncoder.encodeInto: the 64 digits copied out, not decoded",
  group: "decode 1000 hex tokens",
  fn() {
    for (let i = 0; i < N; i++) ASCII.encodeInto(TOKENS[i], DIGITS);
  },
});

Deno.bench({
  name: "JavaScript decoder, a table per digit pair",
  group: "decode 1000 hex tokens",
  fn() {
    for (let i = 0; i < N; i++) {
      const token = TOKENS[i];
      for (let j = 0; j < 32; j++) {
        const v = PAIRS[
          token.charCodeAt(2 * j) << 8 | token.charCodeAt(2 * j + 1)
        ];
        if (v < 0) throw new Error("not hex");
        OUT[i * 32 + j] = v;
      }
    }
  },
});

// ------------------------------------------------- error responses

/** 1000 error responses back to back. */
const RESPONSES = new Uint8Array(6 * N);
for (let i = 0; i < N; i++) {
  RESPONSES.set([8, 8, 0, 0, (i >> 8) & 255, i & 255], 6 * i);
}

/** Splits `bytes` into chunks of the given sizes, cycling. */
function split(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(bytes.slice(at, at + n));
    at += n;
  }
  return out;
}
const RESPONSE_CHUNKS = split(RESPONSES, [1, 5, 7, 4, 11]);

Deno.bench({
  name: "DataView reads, contiguous",
  group: "decode 1000 error responses",
  baseline: true,
  fn() {
    const view = new DataView(RESPONSES.buffer);
    let sum = 0;
    for (let i = 0; i < N; i++) {
      sum += view.getUint8(6 * i + 1) + view.getUint32(6 * i + 2);
    }
    if (sum < 0) throw new Error();
  },
});

Deno.bench({
  name: "decodeErrorResponse, contiguous",
  group: "decode 1000 error responses",
  fn() {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const r = decodeErrorResponse(RESPONSES, 6 * i);
      sum += r.status + r.id;
    }
    if (sum < 0) throw new Error();
  },
});

Deno.bench({
  name: "decodeErrorResponse, reassembled from 1-11 byte chunks",
  group: "decode 1000 error responses",
  fn() {
    // The dispatcher's reader: gather six bytes, then decode.
    const frame = new Uint8Array(6);
    let have = 0;
    let sum = 0;
    for (const chunk of RESPONSE_CHUNKS) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(6 - have, chunk.length - at);
        frame.set(chunk.subarray(at, at + n), have);
        have += n;
        at += n;
        if (have === 6) {
          have = 0;
          const r = decodeErrorResponse(frame);
          sum += r.status + r.id;
        }
      }
    }
    if (sum < 0) throw new Error();
  },
});

// ------------------------------------------------- feedback

const TUPLES = new Uint8Array(38 * N);
{
  const view = new DataView(TUPLES.buffer);
  for (let i = 0; i < N; i++) {
    view.setUint32(38 * i, 1_700_000_000 + i);
    view.setUint16(38 * i + 4, 32);
    TUPLES.set(Uint8Array.fromHex(TOKENS[i]), 38 * i + 6);
  }
}
const FEEDBACK_SPLITS: Record<string, Uint8Array[]> = {
  "one chunk": [TUPLES],
  "4 KiB chunks": split(TUPLES, [4096]),
  "7-byte chunks": split(TUPLES, [7]),
  "1-38 byte chunks": split(TUPLES, [1, 13, 38, 5, 29]),
};

Deno.bench({
  name: "DataView reads + toHex, one chunk",
  group: "decode 1000 feedback tuples",
  baseline: true,
  fn() {
    const view = new DataView(TUPLES.buffer);
    const out: { token: string; time: number }[] = [];
    for (let i = 0; i < N; i++) {
      out.push({
        token: TUPLES.subarray(38 * i + 6, 38 * i + 38).toHex(),
        time: view.getUint32(38 * i),
      });
    }
    if (out.length !== N) throw new Error();
  },
});

for (const [name, chunks] of Object.entries(FEEDBACK_SPLITS)) {
  Deno.bench({
    name: `FeedbackDecoder, ${name}`,
    group: "decode 1000 feedback tuples",
    fn() {
      const decoder = new FeedbackDecoder();
      let n = 0;
      for (const chunk of chunks) n += decoder.push(chunk).length;
      if (n !== N) throw new Error(`decoded ${n}`);
    },
  });
}

// ------------------------------------------------- payload JSON

const TEXT = new TextEncoder();
Deno.bench({
  name: "JSON.stringify + TextEncoder",
  group: "payload bytes",
  baseline: true,
  fn() {
    const bytes = TEXT.encode(
      JSON.stringify({ aps: { alert: "Hello", badge: 1 } }),
    );
    if (bytes.length === 0) throw new Error();
  },
});

Deno.bench({
  name: "new Message(1000 tokens).payloadBytes",
  group: "payload bytes",
  fn() {
    const bytes = new Message(TOKENS, OPTIONS).payloadBytes;
    if (bytes.length === 0) throw new Error();
  },
});

Deno.bench({
  name: "new Message(1 token, extra + alert dict).payloadBytes",
  group: "payload bytes",
  fn() {
    const bytes = new Message(TOKENS[0], {
      alert: { title: "Hi", body: "Hello there", "loc-args": ["a", "b"] },
      badge: 3,
      sound: "default",
      extra: { acme: { id: 42, kind: "order" } },
    }).payloadBytes;
    if (bytes.length === 0) throw new Error();
  },
});

// ------------------------------------- the public API without a socket

const FIXTURES = new URL("../tests/fixtures/", import.meta.url);
const nullTransport = new NullTransport();
const session = new Session({ transport: nullTransport });
const apns = new APNs(
  session.getConnection(["127.0.0.1", 2195], {
    certString: Deno.readTextFileSync(new URL("client.crt", FIXTURES)),
    keyString: Deno.readTextFileSync(new URL("client.key", FIXTURES)),
  }),
);
const BIG = Array.from({ length: 100 }, () => TOKENS).flat();
const BIG_OUT = new Uint8Array(65536);
const BIG_VIEW = new DataView(BIG_OUT.buffer);

Deno.bench({
  name: "NotificationEncoder alone into a 64 KiB buffer",
  group: "100,000 notifications, no socket",
  baseline: true,
  fn() {
    const enc = encoders[2];
    let at = 0;
    for (let i = 0; i < BIG.length; i++) {
      if (at + FRAME > BIG_OUT.length) at = 0;
      at = enc.encode(BIG_OUT, BIG_VIEW, at, BIG[i], i + 1);
    }
  },
});

Deno.bench({
  name: "APNs.send(one 100,000-token message), null transport",
  group: "100,000 notifications, no socket",
  async fn() {
    const result = await apns.send(new Message(BIG, OPTIONS));
    if (result.accepted !== BIG.length) {
      throw new Error(`accepted ${result.accepted}`);
    }
  },
});

Deno.bench({
  name: "APNs.send(100 messages of 1000 tokens at once), null transport",
  group: "100,000 notifications, no socket",
  async fn() {
    const results = await Promise.all(
      Array.from(
        { length: 100 },
        () => apns.send(new Message(TOKENS, OPTIONS)),
      ),
    );
    if (results.some((r) => r.accepted !== N)) throw new Error("not accepted");
  },
});
