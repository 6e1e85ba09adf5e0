/**
 * A minimal, bounds-checked DER reader (and a one-function TLV writer):
 * just enough ASN.1 for X.509 certificates, PKCS#1, SEC1 and PKCS#8
 * (including EncryptedPrivateKeyInfo with PBES2 parameters).
 *
 * Every length is checked against the bytes that are actually there before
 * anything is sliced; malformed input throws a {@linkcode CertificateError}.
 * Only single-byte tags and definite lengths (as DER requires) are accepted.
 *
 * @module
 */

import { CertificateError } from "../errors.ts";

/** Universal tag numbers (with the constructed bit where DER sets it). */
export const DerTag = {
  /** INTEGER */
  INTEGER: 0x02,
  /** BIT STRING */
  BIT_STRING: 0x03,
  /** OCTET STRING */
  OCTET_STRING: 0x04,
  /** NULL */
  NULL: 0x05,
  /** OBJECT IDENTIFIER */
  OID: 0x06,
  /** SEQUENCE (constructed) */
  SEQUENCE: 0x30,
  /** SET (constructed) */
  SET: 0x31,
} as const;

/** One DER element: its tag, its content octets and its whole encoding. */
export interface DerElement {
  /** The identifier octet, e.g. `0x30` for SEQUENCE, `0xa0` for `[0]`. */
  readonly tag: number;
  /** The content octets (a view into the input). */
  readonly value: Uint8Array;
  /** Tag, length and content together (a view into the input). */
  readonly bytes: Uint8Array;
}

const derErrors = new WeakSet<Error>();

function malformed(what: string): CertificateError {
  const error = new CertificateError(`malformed DER: ${what}`);
  derErrors.add(error);
  return error;
}

/**
 * Tells whether `error` was thrown by this module for malformed DER (so a
 * caller can replace it with a message that names what was being read).
 *
 * @param error anything caught
 * @returns `true` for a malformed-DER error from a {@linkcode DerReader}
 */
export function isMalformedDer(error: unknown): boolean {
  return error instanceof Error && derErrors.has(error);
}

/** Reads DER elements one after another from a byte range. */
export class DerReader {
  #bytes: Uint8Array;
  #pos = 0;

  /**
   * Starts reading at the first byte of `bytes`.
   *
   * @param bytes the DER bytes to read (not copied)
   */
  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError("DerReader needs a Uint8Array");
    }
    this.#bytes = bytes;
  }

  /** `true` once every byte has been read. */
  get done(): boolean {
    return this.#pos >= this.#bytes.length;
  }

  /**
   * The tag of the next element without consuming it.
   *
   * @returns the identifier octet, or `undefined` at the end
   */
  peekTag(): number | undefined {
    return this.done ? undefined : this.#bytes[this.#pos];
  }

  /**
   * Reads the next element, whatever its tag.
   *
   * @returns the element
   */
  read(): DerElement {
    const bytes = this.#bytes;
    const start = this.#pos;
    if (start >= bytes.length) throw malformed("unexpected end of data");
    const tag = bytes[start];
    if ((tag & 0x1f) === 0x1f) throw malformed("multi-byte tags unsupported");
    if (start + 1 >= bytes.length) throw malformed("missing length");
    let pos = start + 1;
    let length = bytes[pos++];
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0) throw malformed("indefinite length");
      if (count > 4) throw malformed("length too large");
      if (pos + count > bytes.length) throw malformed("truncated length");
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++];
      if (length < 0x80) throw malformed("non-minimal length");
    }
    if (length > bytes.length - pos) {
      throw malformed("length runs past the end of the data");
    }
    const end = pos + length;
    this.#pos = end;
    return {
      tag,
      value: bytes.subarray(pos, end),
      bytes: bytes.subarray(start, end),
    };
  }

  /**
   * Reads the next element and checks its tag.
   *
   * @param tag the identifier octet expected
   * @param what a name for error messages
   * @returns the element
   */
  expect(tag: number, what = `tag 0x${tag.toString(16)}`): DerElement {
    const next = this.peekTag();
    if (next !== tag) {
      throw malformed(
        next === undefined ? `missing ${what}` : `expected ${what}`,
      );
    }
    return this.read();
  }

  /**
   * Reads a SEQUENCE.
   *
   * @returns a reader over its contents
   */
  readSequence(): DerReader {
    return new DerReader(this.expect(DerTag.SEQUENCE, "SEQUENCE").value);
  }

  /**
   * Reads a SET.
   *
   * @returns a reader over its contents
   */
  readSet(): DerReader {
    return new DerReader(this.expect(DerTag.SET, "SET").value);
  }

  /**
   * Reads an INTEGER as its two's-complement content octets.
   *
   * @returns the content octets (at least one)
   */
  readInteger(): Uint8Array {
    const value = this.expect(DerTag.INTEGER, "INTEGER").value;
    if (value.length === 0) throw malformed("empty INTEGER");
    return value;
  }

  /**
   * Reads a non-negative INTEGER that fits in 32 bits.
   *
   * @returns its value
   */
  readSmallInteger(): number {
    const value = this.readInteger();
    if (value[0] & 0x80) throw malformed("negative INTEGER");
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    if (value.length - start > 4) throw malformed("INTEGER too large");
    let n = 0;
    for (let i = start; i < value.length; i++) n = n * 256 + value[i];
    return n;
  }

  /**
   * Reads an OCTET STRING.
   *
   * @returns its content octets
   */
  readOctetString(): Uint8Array {
    return this.expect(DerTag.OCTET_STRING, "OCTET STRING").value;
  }

  /**
   * Reads a BIT STRING whose bit count is a multiple of eight.
   *
   * @returns its bytes (without the unused-bits octet)
   */
  readBitString(): Uint8Array {
    const value = this.expect(DerTag.BIT_STRING, "BIT STRING").value;
    if (value.length === 0 || value[0] !== 0) {
      throw malformed("BIT STRING with unused bits");
    }
    return value.subarray(1);
  }

  /**
   * Reads an OBJECT IDENTIFIER.
   *
   * @returns dotted decimal, e.g. `"1.2.840.113549.1.1.1"`
   */
  readOid(): string {
    return decodeOid(this.expect(DerTag.OID, "OBJECT IDENTIFIER").value);
  }

  /** Reads a NULL. */
  readNull(): void {
    const value = this.expect(DerTag.NULL, "NULL").value;
    if (value.length !== 0) throw malformed("NULL with content");
  }

  /**
   * Reads a constructed context-specific element `[n]` if it comes next.
   *
   * @param n the tag number (0-30)
   * @returns a reader over its contents, or `undefined` when absent
   */
  readOptionalContext(n: number): DerReader | undefined {
    if (!Number.isInteger(n) || n < 0 || n > 30) {
      throw new RangeError("context tag number must be 0-30");
    }
    if (this.peekTag() !== (0xa0 | n)) return undefined;
    return new DerReader(this.read().value);
  }

  /**
   * Checks that nothing is left.
   *
   * @param what a name for the error message
   */
  end(what = "element"): void {
    if (!this.done) throw malformed(`trailing bytes after ${what}`);
  }
}

/**
 * Decodes the content octets of an OBJECT IDENTIFIER.
 *
 * @param value content octets
 * @returns dotted decimal form
 */
export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) throw malformed("empty OBJECT IDENTIFIER");
  if (value[value.length - 1] & 0x80) throw malformed("truncated OID arc");
  const arcs: bigint[] = [];
  let arc = 0n;
  let fresh = true;
  for (const byte of value) {
    if (fresh && byte === 0x80) throw malformed("non-minimal OID arc");
    arc = (arc << 7n) | BigInt(byte & 0x7f);
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      arcs.push(arc);
      arc = 0n;
    }
  }
  const first = arcs[0];
  const head = first < 40n
    ? [0n, first]
    : first < 80n
    ? [1n, first - 40n]
    : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}

/**
 * Encodes one DER element (tag, definite length, content).
 *
 * @param tag the identifier octet
 * @param parts content octets, concatenated in order
 * @returns the encoded element
 */
export function encodeDer(tag: number, ...parts: Uint8Array[]): Uint8Array {
  if (
    !Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f
  ) {
    throw new RangeError("tag must be a single identifier octet");
  }
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > 0xffffffff) throw new RangeError("DER content too long");
  const lengthBytes: number[] = [];
  if (length < 0x80) {
    lengthBytes.push(length);
  } else {
    for (let n = length; n > 0; n = Math.floor(n / 256)) {
      lengthBytes.unshift(n & 0xff);
    }
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let offset = 1 + lengthBytes.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
