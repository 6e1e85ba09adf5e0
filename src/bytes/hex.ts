/**
 * Hex helpers on the platform's `Uint8Array.fromHex`/`setFromHex`/`toHex`
 * (TC39), with a small fallback for runtimes that lack them (Node 20).
 *
 * @module
 */

// The platform methods are typed as always present; at run time Node 20
// lacks them, so look them up loosely.
type MaybeHex = {
  setFromHex?(hex: string): { read: number; written: number };
  toHex?(): string;
};

const native =
  typeof (Uint8Array.prototype as unknown as MaybeHex).setFromHex ===
    "function";

const scratches: Uint8Array[] = [];

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87; // a-f
  return -1;
}

/**
 * Decodes `hex` into `out` at `offset`. Returns the number of bytes written,
 * or -1 when `hex` is not an even-length hex string (nothing meaningful is
 * written then). The caller makes sure `out` has room for `hex.length / 2`.
 *
 * @param out destination buffer
 * @param offset where the first byte goes
 * @param hex hex digits, any case
 * @returns bytes written, or -1 for invalid hex
 */
export function writeHex(out: Uint8Array, offset: number, hex: string): number {
  const n = hex.length >>> 1;
  if ((hex.length & 1) !== 0) return -1;
  if (native) {
    // Decode into a reused scratch of the right length, then copy: no
    // allocation per call (a subarray view would be one).
    let scratch = scratches[n];
    if (scratch === undefined) {
      scratch = new Uint8Array(n);
      if (n <= 256) scratches[n] = scratch;
    }
    try {
      scratch.setFromHex(hex);
    } catch {
      return -1;
    }
    out.set(scratch, offset);
    return n;
  }
  for (let i = 0; i < n; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return -1;
    out[offset + i] = (hi << 4) | lo;
  }
  return n;
}

/**
 * Decodes a hex string into new bytes.
 *
 * @param hex hex digits, any case
 * @returns the bytes
 * @throws {SyntaxError} when `hex` is not an even-length hex string
 */
export function decodeHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  if (writeHex(out, 0, hex) < 0) {
    throw new SyntaxError(`not an even-length hex string: ${hex.slice(0, 80)}`);
  }
  return out;
}

const HEX = "0123456789abcdef";

/**
 * Encodes bytes as lower-case hex.
 *
 * @param bytes the bytes
 * @returns lower-case hex digits
 */
export function encodeHex(bytes: Uint8Array): string {
  const self = bytes as unknown as MaybeHex;
  if (typeof self.toHex === "function") return self.toHex();
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  }
  return s;
}
