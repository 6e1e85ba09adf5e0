// Shared helpers of the mock HTTP/2 gateway tests: fixtures, a scripted raw
// HTTP/2 client over Deno.connectTls (frames decoded with the frame module,
// field blocks with HPACK), JWT signing and bounded child processes.

import {
  type Frame,
  FrameDecoder,
  FrameType,
  FrameWriter,
} from "../../../src/http2/frame/mod.ts";
import {
  type HeaderField,
  HpackDecoder,
  HpackEncoder,
} from "../../../src/http2/hpack/mod.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** Reads a file of `tests/fixtures/`. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** Path of a file of `tests/fixtures/`. */
export function fixturePath(name: string): string {
  return new URL(name, FIXTURES).pathname;
}

/** Server certificate, key and the CA that client certificates chain to. */
export const SERVER_TLS = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};

export const T1 = "11".repeat(32);
export const T2 = "22".repeat(32);
export const T3 = "33".repeat(32);
export const TOPIC = "com.example.app";
export const PAYLOAD = '{"aps":{"alert":"hi"}}';

/** Waits until `cond` holds (bounded). */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A frame as the raw client saw it; HEADERS carry their decoded fields. */
export type SeenFrame = Frame & { fields?: HeaderField[] };

/**
 * The client preface followed by an empty SETTINGS frame, by hand (RFC 9113
 * §3.4, §6.5): 24 preface octets, then length 0, type 4, flags 0, stream 0.
 */
export const PREFACE_AND_SETTINGS = Uint8Array.fromHex(
  "505249202a20485454502f322e300d0a0d0a534d0d0a0d0a" + "000000040000000000",
);

/** A scripted HTTP/2 client. */
export class RawH2 {
  readonly conn: Deno.TlsConn;
  readonly frames: SeenFrame[] = [];
  readonly raw: Uint8Array[] = [];
  readonly #decoder = new FrameDecoder();
  readonly #hpackIn = new HpackDecoder();
  readonly hpackOut = new HpackEncoder();
  readonly writer = new FrameWriter();
  closed = false;
  readonly #reading: Promise<void>;

  constructor(conn: Deno.TlsConn) {
    this.conn = conn;
    this.#reading = this.#read();
  }

  static async connect(
    port: number,
    opts: { who?: "client" | "client2" | "rogue" | null; alpn?: string[] } = {},
  ): Promise<RawH2> {
    const who = opts.who === undefined ? "client" : opts.who;
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [fixture("ca.crt")],
      alpnProtocols: opts.alpn ?? ["h2"],
      ...(who === null
        ? {}
        : { cert: fixture(`${who}.crt`), key: fixture(`${who}.key`) }),
    });
    return new RawH2(conn);
  }

  async #read(): Promise<void> {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.conn.read(buf);
        if (n === null) break;
        const chunk = buf.slice(0, n);
        this.raw.push(chunk);
        for (const f of this.#decoder.push(chunk)) {
          const seen = f as SeenFrame;
          if (f.type === FrameType.HEADERS) {
            seen.fields = this.#hpackIn.decode(f.fragment);
          }
          this.frames.push(seen);
        }
      }
    } catch {
      // reset or decode failure: treat as closed
    }
    this.closed = true;
  }

  /** All bytes received so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.raw.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of this.raw) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  async send(bytes: Uint8Array): Promise<void> {
    let o = 0;
    while (o < bytes.length) o += await this.conn.write(bytes.subarray(o));
  }

  /** Queues HEADERS (+ DATA) of a request into `writer`. */
  request(
    streamId: number,
    path: string,
    headers: HeaderField[] = [],
    body?: string | Uint8Array,
    method = "POST",
  ): void {
    const block = this.hpackOut.encode([
      [":method", method],
      [":scheme", "https"],
      [":path", path],
      [":authority", "127.0.0.1"],
      ...headers,
    ]);
    const bytes = typeof body === "string"
      ? new TextEncoder().encode(body)
      : body;
    this.writer.writeHeaders(streamId, block, bytes === undefined);
    if (bytes !== undefined) this.writer.writeData(streamId, bytes, true);
  }

  async flush(): Promise<void> {
    await this.send(this.writer.take());
  }

  /** Waits for a frame matching `pred` (bounded). */
  async next(pred: (f: SeenFrame) => boolean, ms = 3000): Promise<SeenFrame> {
    await until(() => this.frames.some(pred) || this.closed, ms);
    const f = this.frames.find(pred);
    if (f === undefined) throw new Error("connection closed without frame");
    return f;
  }

  /** Waits for the response (HEADERS and any DATA) on a stream. */
  async response(
    streamId: number,
    ms = 3000,
  ): Promise<{ status: number; fields: HeaderField[]; body: string }> {
    const ended = (f: SeenFrame) =>
      f.streamId === streamId &&
      (f.type === FrameType.HEADERS || f.type === FrameType.DATA) &&
      f.endStream;
    await this.next(ended, ms);
    const mine = this.frames.filter((f) => f.streamId === streamId);
    const head = mine.find((f) => f.type === FrameType.HEADERS)!;
    let body = "";
    for (const f of mine) {
      if (f.type === FrameType.DATA) body += new TextDecoder().decode(f.data);
    }
    const fields = head.fields!;
    const status = Number(fields.find(([n]) => n === ":status")![1]);
    return { status, fields, body };
  }

  /** Waits until the server closes (bounded). */
  async waitClosed(ms = 3000): Promise<void> {
    await until(() => this.closed, ms);
  }

  async close(): Promise<void> {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    await this.#reading;
  }
}

/** The value of header `name`, or undefined. */
export function field(fields: HeaderField[], name: string): string | undefined {
  return fields.find(([n]) => n === name)?.[1];
}

/** base64url of bytes or a string. */
function b64u(data: Uint8Array | string): string {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * Signs a provider token by hand (RFC 7515 compact form, ES256 with a raw
 * r||s signature), independently of `ProviderToken`.
 */
export async function signJwt(
  pem: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  const der = Uint8Array.fromBase64(
    pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""),
  );
  const key = await crypto.subtle.importKey(
    "pkcs8",
    der,
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const input = `${b64u(JSON.stringify(header))}.${
    b64u(JSON.stringify(claims))
  }`;
  const sig = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      new TextEncoder().encode(input),
    ),
  );
  return `${input}.${b64u(sig)}`;
}

/** A fresh P-256 key as a PKCS#8 PEM (a key the gateway does not know). */
export async function otherP8(): Promise<string> {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const der = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", pair.privateKey),
  );
  return `-----BEGIN PRIVATE KEY-----\n${der.toBase64()}\n-----END PRIVATE KEY-----\n`;
}

/** Runs a command with a time bound; returns its exit code and output. */
export async function run(
  cmd: string,
  args: string[],
  ms = 20000,
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const out = await child.output().finally(() => clearTimeout(timer));
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** Whether an executable is on PATH. */
export function which(cmd: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const p = `${dir}/${cmd}`;
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
