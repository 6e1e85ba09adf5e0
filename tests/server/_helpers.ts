// Shared helpers for the mock-server tests: fixtures, a raw TLS client and
// hand-built command-2 frames (layout from PROTOCOL.md section 1).

const FIXTURES = new URL("../fixtures/", import.meta.url);

export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

export const SERVER_TLS = {
  cert: fixture("server.crt"),
  key: fixture("server.key"),
  ca: fixture("ca.crt"),
};

export function connect(
  port: number,
  who: "client" | "client2" | "rogue" = "client",
): Promise<Deno.TlsConn> {
  return Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [fixture("ca.crt")],
    cert: fixture(`${who}.crt`),
    key: fixture(`${who}.key`),
  });
}

/** Parses hex with spaces and `|` separators. */
export function hex(s: string): Uint8Array {
  return Uint8Array.fromHex(s.replace(/[\s|]/g, ""));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16(n: number): number[] {
  return [n >>> 8, n & 255];
}
function u32(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** A command-2 frame with all five items (token, payload, id, expiry, priority). */
export function frame2(
  tokenHex: string,
  payload: string | Uint8Array,
  id: number,
  expiry = 0,
  priority = 10,
): Uint8Array {
  const token = Uint8Array.fromHex(tokenHex);
  const body = typeof payload === "string"
    ? new TextEncoder().encode(payload)
    : payload;
  const items = concat(
    new Uint8Array([1, ...u16(token.length)]),
    token,
    new Uint8Array([2, ...u16(body.length)]),
    body,
    new Uint8Array([
      3,
      0,
      4,
      ...u32(id),
      4,
      0,
      4,
      ...u32(expiry),
      5,
      0,
      1,
      priority,
    ]),
  );
  return concat(new Uint8Array([2, ...u32(items.length)]), items);
}

/** Command 1: id, expiry, token, payload. */
export function frame1(
  tokenHex: string,
  payload: string,
  id: number,
  expiry = 0,
): Uint8Array {
  const token = Uint8Array.fromHex(tokenHex);
  const body = new TextEncoder().encode(payload);
  return concat(
    new Uint8Array([1, ...u32(id), ...u32(expiry), ...u16(token.length)]),
    token,
    new Uint8Array(u16(body.length)),
    body,
  );
}

/** Command 0: token, payload. */
export function frame0(tokenHex: string, payload: string): Uint8Array {
  const token = Uint8Array.fromHex(tokenHex);
  const body = new TextEncoder().encode(payload);
  return concat(
    new Uint8Array([0, ...u16(token.length)]),
    token,
    new Uint8Array(u16(body.length)),
    body,
  );
}

/** Reads until EOF (bounded by `ms`); returns the bytes and how it ended. */
export async function readAll(
  conn: Deno.Conn,
  ms = 5000,
): Promise<{ bytes: Uint8Array; end: "eof" | Error }> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("read timed out")), ms);
  });
  try {
    for (;;) {
      const n = await Promise.race([conn.read(buf), timeout]);
      if (n === null) return { bytes: concat(...chunks), end: "eof" };
      chunks.push(buf.slice(0, n));
    }
  } catch (err) {
    return { bytes: concat(...chunks), end: err as Error };
  } finally {
    clearTimeout(timer);
  }
}

export const T1 = "11".repeat(32);
export const T2 = "22".repeat(32);
export const T3 = "33".repeat(32);
