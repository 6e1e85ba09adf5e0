/**
 * Base64url (RFC 4648 §5, no padding) on the platform's
 * `Uint8Array.prototype.toBase64`/`Uint8Array.fromBase64` (TC39), with a
 * small fallback for runtimes that lack them (Node 20).
 *
 * @module
 */

type MaybeBase64 = {
  toBase64?(options: { alphabet: string; omitPadding: boolean }): string;
};
type MaybeFromBase64 = {
  fromBase64?(text: string, options: { alphabet: string }): Uint8Array;
};

const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Encodes bytes as unpadded base64url.
 *
 * @param bytes the bytes
 * @returns base64url text
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  const self = bytes as unknown as MaybeBase64;
  if (typeof self.toBase64 === "function") {
    return self.toBase64({ alphabet: "base64url", omitPadding: true });
  }
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] +
      ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] +
      ALPHABET[(n >> 6) & 63];
  }
  return out;
}

/**
 * Decodes base64url (padding optional).
 *
 * @param text base64url text
 * @returns the bytes
 * @throws {SyntaxError} on characters outside the alphabet or a bad length
 */
export function decodeBase64Url(text: string): Uint8Array {
  const native = Uint8Array as unknown as MaybeFromBase64;
  if (typeof native.fromBase64 === "function") {
    return native.fromBase64(text, { alphabet: "base64url" });
  }
  const clean = text.replace(/=+$/, "");
  if (clean.length % 4 === 1) throw new SyntaxError("bad base64url length");
  const out = new Uint8Array(Math.floor(clean.length * 3 / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new SyntaxError(`bad base64url character "${ch}"`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
