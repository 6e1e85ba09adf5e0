/**
 * PEM (RFC 7468, with RFC 1421 headers such as `Proc-Type`/`DEK-Info`):
 * parse every block in a text, encode DER back to PEM.
 *
 * The parser is tolerant where real files vary (CRLF or CR line ends,
 * indentation, explanatory text around blocks, as `openssl pkcs12` writes)
 * and strict where silence would hide damage (unterminated blocks,
 * mismatched labels, bad base64).
 *
 * @module
 */

import { CertificateError } from "../errors.ts";

/** One PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `"CERTIFICATE"`. */
  readonly label: string;
  /** RFC 1421 headers in file order, e.g. `Proc-Type` and `DEK-Info`. */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded base64 body. */
  readonly der: Uint8Array;
}

const BEGIN = "-----BEGIN ";
const END = "-----END ";
const DASHES = "-----";
const LABEL = /^[\x21-\x2c\x2e-\x7e]+(?:[ -][\x21-\x2c\x2e-\x7e]+)*$/;

/**
 * Parses every PEM block in `text`. Text outside blocks is ignored.
 *
 * @param text PEM text (one or more blocks)
 * @returns the blocks in order; empty when there are none
 * @throws {CertificateError} on an unterminated block, a mismatched `END`
 *   label, a malformed header or invalid base64
 */
export function parsePem(text: string): PemBlock[] {
  if (typeof text !== "string") {
    throw new TypeError("PEM text must be a string");
  }
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line.startsWith(BEGIN)) continue;
    if (!line.endsWith(DASHES) || line.length < BEGIN.length + DASHES.length) {
      throw new CertificateError("malformed PEM BEGIN line");
    }
    const label = line.slice(BEGIN.length, -DASHES.length);
    if (!LABEL.test(label)) throw new CertificateError("malformed PEM label");
    const endLine = `${END}${label}${DASHES}`;
    const headers = new Map<string, string>();
    let lastHeader: string | undefined;
    let inHeaders = true;
    let body = "";
    let closed = false;
    for (i++; i < lines.length; i++) {
      const raw = lines[i];
      const current = raw.trim();
      if (current.startsWith(END)) {
        if (current !== endLine) {
          throw new CertificateError(
            `PEM block ${label} ends with a different label`,
          );
        }
        closed = true;
        break;
      }
      if (current.startsWith(BEGIN)) break;
      if (inHeaders) {
        if (current.includes(":")) {
          const colon = current.indexOf(":");
          const name = current.slice(0, colon).trim();
          if (name === "") {
            throw new CertificateError(`malformed PEM header in ${label}`);
          }
          headers.set(name, current.slice(colon + 1).trim());
          lastHeader = name;
          continue;
        }
        if (lastHeader !== undefined && /^[ \t]/.test(raw) && current !== "") {
          // RFC 1421 continuation line.
          headers.set(lastHeader, `${headers.get(lastHeader)}${current}`);
          continue;
        }
        inHeaders = false;
        if (current === "") continue; // the blank line after the headers
      }
      body += current;
    }
    if (!closed) {
      throw new CertificateError(`PEM block ${label} has no END line`);
    }
    const der = decodeBase64(body.replace(/\s+/g, ""));
    if (der === undefined) {
      throw new CertificateError(`invalid base64 in PEM block ${label}`);
    }
    if (der.length === 0) {
      throw new CertificateError(`empty PEM block ${label}`);
    }
    blocks.push({ label, headers, der });
  }
  return blocks;
}

/**
 * Encodes DER bytes as one PEM block with 64-character base64 lines.
 *
 * @param label the block label, e.g. `"PRIVATE KEY"`
 * @param der the bytes to encode
 * @param headers optional RFC 1421 headers (name to value)
 * @returns the PEM text, ending in a newline
 */
export function encodePem(
  label: string,
  der: Uint8Array,
  headers?: ReadonlyMap<string, string>,
): string {
  if (typeof label !== "string" || !LABEL.test(label)) {
    throw new TypeError("PEM label must be printable ASCII without dashes");
  }
  if (!(der instanceof Uint8Array)) {
    throw new TypeError("der must be a Uint8Array");
  }
  let out = `${BEGIN}${label}${DASHES}\n`;
  if (headers !== undefined && headers.size > 0) {
    for (const [name, value] of headers) {
      if (/[:\r\n]/.test(name) || /[\r\n]/.test(value)) {
        throw new TypeError("PEM header names and values must be one line");
      }
      out += `${name}: ${value}\n`;
    }
    out += "\n";
  }
  const base64 = encodeBase64(der);
  for (let i = 0; i < base64.length; i += 64) {
    out += `${base64.slice(i, i + 64)}\n`;
  }
  return `${out}${END}${label}${DASHES}\n`;
}

const ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

// Plain loops rather than Uint8Array.fromBase64/toBase64, which Node 20/22
// lack; PEM bodies are small.
function decodeBase64(text: string): Uint8Array | undefined {
  let end = text.length;
  if (end % 4 !== 0) return undefined;
  if (end > 0 && text[end - 1] === "=") end--;
  if (end > 0 && text[end - 1] === "=") end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? DECODE[code] : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // Leftover bits of the final group must be zero (canonical encoding).
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] +
      ALPHABET[(n >>> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += `${ALPHABET[n >>> 18]}${ALPHABET[(n >>> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${ALPHABET[n >>> 18]}${ALPHABET[(n >>> 12) & 63]}${
      ALPHABET[(n >>> 6) & 63]
    }=`;
  }
  return out;
}
