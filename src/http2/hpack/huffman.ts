/**
 * The static Huffman code of RFC 7541 Appendix B: encoding of Latin-1
 * strings into a buffer and a table-driven decoder that consumes one input
 * octet per step (a 256-state automaton over the code tree, built on first
 * use).
 *
 * @module
 */

import { HpackError } from "./error.ts";

// Appendix B, code (aligned to the least significant bit) by symbol; 256 is EOS.
// deno-fmt-ignore
const CODES: readonly number[] = [
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7,
  0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec,
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3,
  0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb,
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa,
  0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
  0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc,
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62,
  0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
  0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26,
  0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7,
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78,
  0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc,
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9,
  0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3,
  0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef,
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde,
  0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec,
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef,
  0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec,
  0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed,
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2,
  0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5,
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3,
  0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea,
  0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
  0x3fffffff,
];

// Appendix B, code length in bits by symbol; 256 is EOS.
// deno-fmt-ignore
const LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

/** Code of each symbol (0-255, and 256 for EOS), aligned to the least significant bit. */
export const HUFFMAN_CODES: Uint32Array = Uint32Array.from(CODES);
/** Length in bits of each symbol's code (0-255, and 256 for EOS). */
export const HUFFMAN_LENGTHS: Uint8Array = Uint8Array.from(LENGTHS);

const codes = HUFFMAN_CODES;
const lengths = HUFFMAN_LENGTHS;

/**
 * Length in octets of the Huffman coding of a Latin-1 string (padding
 * included). The caller makes sure every char code is at most 0xff.
 *
 * @param input a string of chars 0x00-0xff
 * @returns the number of octets {@linkcode huffmanEncodeInto} writes
 */
export function huffmanEncodedLength(input: string): number {
  let bits = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) bits = (bits + lengths[input.charCodeAt(i)]) | 0;
  return (bits + 7) >>> 3;
}

/**
 * Writes the Huffman coding of a Latin-1 string into `out` at `offset`,
 * padded with the most significant bits of EOS (ones). The caller makes
 * sure every char code is at most 0xff and that `out` has room for
 * {@linkcode huffmanEncodedLength} octets.
 *
 * @param input a string of chars 0x00-0xff
 * @param out destination buffer
 * @param offset where the first octet goes
 * @returns the offset after the last octet written
 */
export function huffmanEncodeInto(
  input: string,
  out: Uint8Array,
  offset: number,
): number {
  let acc = 0; // pending bits, fewer than 8 between symbols
  let bits = 0;
  for (let i = 0; i < input.length; i++) {
    const sym = input.charCodeAt(i);
    let code = codes[sym];
    let len = lengths[sym];
    if (len > 24) {
      // Keep acc within 31 bits: push the high part first.
      const high = len - 16;
      acc = (acc << high) | (code >>> 16);
      bits += high;
      while (bits >= 8) {
        bits -= 8;
        out[offset++] = acc >>> bits;
      }
      acc &= (1 << bits) - 1;
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    bits += len;
    while (bits >= 8) {
      bits -= 8;
      out[offset++] = acc >>> bits;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[offset++] = (acc << (8 - bits)) | (0xff >>> bits);
  return offset;
}

/**
 * Length in octets of the Huffman coding of `input[start..end)` (padding
 * included).
 *
 * @param input octets to code
 * @param start first octet
 * @param end end of the octets (exclusive)
 * @returns the number of octets {@linkcode huffmanEncodeBytesInto} writes
 */
export function huffmanEncodedLengthOfBytes(
  input: Uint8Array,
  start: number,
  end: number,
): number {
  let bits = 0;
  for (let i = start; i < end; i++) bits = (bits + lengths[input[i]]) | 0;
  return (bits + 7) >>> 3;
}

/**
 * Writes the Huffman coding of octets `input[start..end)` into `out` at
 * `offset` (see {@linkcode huffmanEncodeInto}).
 *
 * @param input octets to code
 * @param start first octet
 * @param end end of the octets (exclusive)
 * @param out destination buffer, with room for the coding
 * @param offset where the first octet goes
 * @returns the offset after the last octet written
 */
export function huffmanEncodeBytesInto(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): number {
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    const sym = input[i];
    let code = codes[sym];
    let len = lengths[sym];
    if (len > 24) {
      const high = len - 16;
      acc = (acc << high) | (code >>> 16);
      bits += high;
      while (bits >= 8) {
        bits -= 8;
        out[offset++] = acc >>> bits;
      }
      acc &= (1 << bits) - 1;
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    bits += len;
    while (bits >= 8) {
      bits -= 8;
      out[offset++] = acc >>> bits;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[offset++] = (acc << (8 - bits)) | (0xff >>> bits);
  return offset;
}

/**
 * Huffman-codes octets (each octet is one symbol).
 *
 * @param input the octets to code
 * @returns the coded octets, padded with ones
 */
export function huffmanEncode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(
    huffmanEncodedLengthOfBytes(input, 0, input.length),
  );
  huffmanEncodeBytesInto(input, 0, input.length, out, 0);
  return out;
}

// ---------------------------------------------------------------------------
// Decoding: a deterministic automaton whose states are the 256 internal nodes
// of the code tree (state 0 is the root). One transition consumes a whole
// input octet and emits zero, one or two symbols (the shortest code has 5
// bits, so a third symbol cannot complete within 8 bits).
//
// Transition word layout (Uint32):
//   bits 0-7   next state
//   bits 8-15  first symbol
//   bits 16-23 second symbol
//   bits 24-25 number of symbols emitted
//   bit  26    failure (EOS decoded)

const FAIL = 1 << 26;

let transitions: Uint32Array | undefined;
/** accepting[state] is 1 when the bits leading to it are valid padding. */
let accepting: Uint8Array | undefined;

function buildDecoder(): void {
  // Code tree: node 0 is the root; children index nodes, or leaves encoded
  // as -(symbol + 1).
  const zero = new Int32Array(256);
  const one = new Int32Array(256);
  let nodes = 1;
  for (let sym = 0; sym <= 256; sym++) {
    const code = codes[sym];
    const len = lengths[sym];
    let node = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const branch = bit === 0 ? zero : one;
      if (i === 0) {
        branch[node] = -(sym + 1);
      } else {
        if (branch[node] === 0) {
          if (nodes >= 256) throw new Error("malformed Huffman table");
          branch[node] = nodes++;
        }
        node = branch[node];
      }
    }
  }
  // Padding is at most 7 bits of the EOS prefix (all ones): the states
  // reached from the root by 0 to 7 one-bits.
  const acc = new Uint8Array(256);
  let node = 0;
  for (let depth = 0; depth <= 7; depth++) {
    acc[node] = 1;
    node = one[node];
  }
  // Transitions on one nibble (a nibble emits at most one symbol), then
  // octet transitions as two nibble steps.
  const nibble = new Uint32Array(256 * 16);
  for (let state = 0; state < 256; state++) {
    for (let nib = 0; nib < 16; nib++) {
      let n = state;
      let t = 0;
      for (let i = 3; i >= 0; i--) {
        const next = ((nib >>> i) & 1) === 0 ? zero[n] : one[n];
        if (next >= 0) {
          n = next;
        } else if (next === -257) {
          t = FAIL;
          break;
        } else {
          t = ((-next - 1) << 8) | (1 << 24);
          n = 0;
        }
      }
      nibble[(state << 4) | nib] = t === FAIL ? FAIL : t | n;
    }
  }
  const table = new Uint32Array(256 * 256);
  for (let state = 0; state < 256; state++) {
    for (let high = 0; high < 16; high++) {
      const a = nibble[(state << 4) | high];
      const base = (state << 8) | (high << 4);
      if (a === FAIL) {
        table.fill(FAIL, base, base + 16);
        continue;
      }
      const mid = (a & 0xff) << 4;
      if (a < 1 << 24) {
        // No symbol in the high nibble: the row is the middle state's.
        table.set(nibble.subarray(mid, mid + 16), base);
        continue;
      }
      for (let low = 0; low < 16; low++) {
        const b = nibble[mid | low];
        // a's symbol first, then b's (if any) in the second slot.
        table[base | low] = b === FAIL
          ? FAIL
          : (a & 0xff00) | (b & 0xff) | (((b >>> 8) & 0xff) << 16) |
            ((1 + (b >>> 24)) << 24);
      }
    }
  }
  transitions = table;
  accepting = acc;
}

/**
 * The largest number of octets `length` Huffman-coded octets can decode to
 * (the shortest code has 5 bits).
 *
 * @param length coded length in octets
 * @returns an upper bound of the decoded length
 */
export function huffmanDecodedLengthBound(length: number): number {
  return Math.floor((length * 8) / 5);
}

/**
 * Decodes Huffman-coded octets `input[start..end)` into `out` at `offset`.
 * The caller makes sure `out` has room for
 * {@linkcode huffmanDecodedLengthBound}`(end - start)` octets.
 *
 * @param input coded octets
 * @param start first coded octet
 * @param end end of the coded octets (exclusive)
 * @param out destination buffer
 * @param offset where the first decoded octet goes
 * @returns the offset after the last decoded octet
 * @throws {HpackError} when the input holds EOS, or its padding is longer
 * than 7 bits or not the most significant bits of EOS
 */
export function huffmanDecodeInto(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): number {
  if (transitions === undefined) buildDecoder();
  const table = transitions!;
  let state = 0;
  for (let i = start; i < end; i++) {
    const t = table[(state << 8) | input[i]];
    if (t >= 1 << 24) {
      if ((t & FAIL) !== 0) {
        throw new HpackError("Huffman-coded string contains EOS");
      }
      out[offset++] = t >>> 8;
      if (t >= 2 << 24) out[offset++] = t >>> 16;
    }
    state = t & 0xff;
  }
  if (accepting![state] === 0) {
    throw new HpackError(
      "Huffman-coded string has invalid padding (longer than 7 bits or not all ones)",
    );
  }
  return offset;
}

/**
 * Decodes Huffman-coded octets.
 *
 * @param input coded octets
 * @returns the decoded octets
 * @throws {HpackError} when the input is not a valid coding (see
 * {@linkcode huffmanDecodeInto})
 */
export function huffmanDecode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(huffmanDecodedLengthBound(input.length));
  return out.slice(0, huffmanDecodeInto(input, 0, input.length, out, 0));
}
