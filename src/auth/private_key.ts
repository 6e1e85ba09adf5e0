/**
 * Private key structures: recognise a key PEM label, check that DER bytes
 * really are a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) private key, and wrap the
 * traditional forms as PKCS#8, which is what WebCrypto imports.
 *
 * @module
 */

import { CertificateError } from "../errors.ts";
import { DerReader, DerTag, encodeDer } from "./der.ts";
import { OID_EC_PUBLIC_KEY, OID_RSA_ENCRYPTION } from "./_oids.ts";

/** PKCS#8 `PrivateKeyInfo`. */
export const PKCS8_LABEL = "PRIVATE KEY";
/** PKCS#8 `EncryptedPrivateKeyInfo`. */
export const ENCRYPTED_PKCS8_LABEL = "ENCRYPTED PRIVATE KEY";
/** PKCS#1 `RSAPrivateKey` (OpenSSL "traditional"). */
export const RSA_LABEL = "RSA PRIVATE KEY";
/** SEC1 `ECPrivateKey` (OpenSSL "traditional"). */
export const EC_LABEL = "EC PRIVATE KEY";

/**
 * Tells whether a PEM label names a private key (of any form).
 *
 * @param label a PEM label
 * @returns `true` for `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY`, ...
 */
export function isPrivateKeyLabel(label: string): boolean {
  return label === PKCS8_LABEL || label.endsWith(" PRIVATE KEY");
}

function version(reader: DerReader, allowed: readonly number[]): void {
  const v = reader.readSmallInteger();
  if (!allowed.includes(v)) {
    throw new CertificateError(`unexpected key version ${v}`);
  }
}

function positive(bytes: Uint8Array): bigint {
  if (bytes[0] & 0x80) throw new CertificateError("negative RSA key component");
  let hex = "0x0";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return BigInt(hex);
}

/**
 * Checks the arithmetic of a two-prime `RSAPrivateKey`: n = p·q, the CRT
 * exponents and coefficient fit p and q, and e·d = 1 modulo p−1 and q−1.
 * CBC has no integrity check, so this is what catches a key file that was
 * damaged in the middle. A few big-integer products: well under 1 ms.
 */
function rsaIsConsistent(key: DerReader): boolean {
  const [n, e, d, p, q, dp, dq, qinv] = Array.from(
    { length: 8 },
    () => positive(key.readInteger()),
  );
  if (p < 3n || q < 3n || e < 3n) return false;
  const p1 = p - 1n;
  const q1 = q - 1n;
  return n === p * q &&
    (e * dp) % p1 === 1n && (e * dq) % q1 === 1n &&
    (q * qinv) % p === 1n &&
    (e * d) % p1 === 1n && (e * d) % q1 === 1n;
}

/**
 * Checks that `der` is exactly one well-formed key structure of the form
 * the label names (for RSA, that its numbers agree). Used to reject the
 * garbage a wrong passphrase (or a damaged file) yields.
 *
 * @param label `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY` or another
 *   `... PRIVATE KEY` label (then only "one DER SEQUENCE" is checked)
 * @param der the decoded key bytes
 * @returns `true` when the structure is well formed
 */
export function isWellFormedPrivateKey(
  label: string,
  der: Uint8Array,
): boolean {
  try {
    const outer = new DerReader(der);
    const key = outer.readSequence();
    outer.end("private key");
    if (label === PKCS8_LABEL) {
      version(key, [0, 1]);
      const algorithm = key.readSequence();
      const oid = algorithm.readOid();
      const inner = key.readOctetString();
      if (oid === OID_RSA_ENCRYPTION) {
        return isWellFormedPrivateKey(RSA_LABEL, inner);
      }
    } else if (label === RSA_LABEL) {
      const v = key.readSmallInteger();
      if (v === 0) {
        if (!rsaIsConsistent(key)) return false;
      } else if (v === 1) {
        for (let i = 0; i < 8; i++) key.readInteger(); // multi-prime: structure only
        key.readSequence();
      } else {
        return false;
      }
      key.end("RSA private key");
    } else if (label === EC_LABEL) {
      version(key, [1]);
      key.readOctetString();
    }
    return true;
  } catch {
    return false;
  }
}

// AlgorithmIdentifier { rsaEncryption, NULL }
const RSA_ALGORITHM = Uint8Array.of(
  0x30,
  0x0d,
  0x06,
  0x09,
  0x2a,
  0x86,
  0x48,
  0x86,
  0xf7,
  0x0d,
  0x01,
  0x01,
  0x01,
  0x05,
  0x00,
);
// OBJECT IDENTIFIER id-ecPublicKey
const EC_PUBLIC_KEY_OID = Uint8Array.of(
  0x06,
  0x07,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x02,
  0x01,
);
const VERSION_0 = Uint8Array.of(0x02, 0x01, 0x00);

/** A private key as PKCS#8 DER, with its algorithm. */
export interface Pkcs8Key {
  /** `PrivateKeyInfo` DER. */
  readonly der: Uint8Array;
  /** Algorithm OID from the `PrivateKeyInfo`. */
  readonly algorithm: string;
  /** Named-curve OID for EC keys. */
  readonly curve?: string;
}

/**
 * Returns the key as PKCS#8, wrapping PKCS#1 and SEC1 keys.
 *
 * @param label the (unencrypted) key's PEM label
 * @param der the key bytes
 * @param curveHint curve OID to use when a SEC1 key omits its parameters
 *   (the certificate's curve)
 * @returns the PKCS#8 key and its algorithm
 * @throws {CertificateError} when the structure is malformed or the form unsupported
 */
export function toPkcs8(
  label: string,
  der: Uint8Array,
  curveHint?: string,
): Pkcs8Key {
  if (label === PKCS8_LABEL) {
    const key = new DerReader(der).readSequence();
    key.readSmallInteger();
    const algorithm = key.readSequence();
    const oid = algorithm.readOid();
    let curve: string | undefined;
    if (oid === OID_EC_PUBLIC_KEY && algorithm.peekTag() === DerTag.OID) {
      curve = algorithm.readOid();
    }
    return { der, algorithm: oid, curve };
  }
  if (label === RSA_LABEL) {
    const wrapped = encodeDer(
      DerTag.SEQUENCE,
      VERSION_0,
      RSA_ALGORITHM,
      encodeDer(DerTag.OCTET_STRING, der),
    );
    return { der: wrapped, algorithm: OID_RSA_ENCRYPTION };
  }
  if (label === EC_LABEL) {
    // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
    //   parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
    const key = new DerReader(der).readSequence();
    key.readSmallInteger();
    key.readOctetString();
    const params = key.readOptionalContext(0);
    let curveTlv: Uint8Array;
    let curve: string;
    if (params !== undefined) {
      curveTlv = params.expect(DerTag.OID, "named curve").bytes;
      curve = new DerReader(curveTlv).readOid();
    } else if (curveHint !== undefined) {
      curve = curveHint;
      curveTlv = encodeDer(DerTag.OID, oidContent(curveHint));
    } else {
      throw new CertificateError("the EC private key does not name its curve");
    }
    const wrapped = encodeDer(
      DerTag.SEQUENCE,
      VERSION_0,
      encodeDer(DerTag.SEQUENCE, EC_PUBLIC_KEY_OID, curveTlv),
      encodeDer(DerTag.OCTET_STRING, der),
    );
    return { der: wrapped, algorithm: OID_EC_PUBLIC_KEY, curve };
  }
  throw new CertificateError(`unsupported private key type "${label}"`);
}

function oidContent(oid: string): Uint8Array {
  const arcs = oid.split(".").map((arc) => BigInt(arc));
  const out: number[] = [];
  const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  for (const value of values) {
    const bytes = [Number(value & 0x7fn)];
    for (let v = value >> 7n; v > 0n; v >>= 7n) {
      bytes.unshift(Number(v & 0x7fn) | 0x80);
    }
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}
