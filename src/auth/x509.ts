/**
 * Just enough X.509 (RFC 5280) to use a provider certificate: the subject
 * name and the SubjectPublicKeyInfo. No signature or validity checks: the
 * TLS peer does those.
 *
 * @module
 */

import { CertificateError } from "../errors.ts";
import { encodeHex } from "../bytes/hex.ts";
import { DerReader, DerTag } from "./der.ts";
import { OID_EC_PUBLIC_KEY } from "./_oids.ts";

/** The parts of a certificate this library reads. */
export interface CertificateInfo {
  /** The subject as an RFC 4514 string, e.g. `O=Acme,CN=Apple Push Services: com.example.app,UID=com.example.app`. */
  readonly subject: string;
  /** The subject's `UID` attribute (APNs certificates carry the bundle id there). */
  readonly uid?: string;
  /** The DER `SubjectPublicKeyInfo`. */
  readonly spki: Uint8Array;
  /** The public key algorithm OID. */
  readonly keyAlgorithm: string;
  /** The named-curve OID for EC keys. */
  readonly curve?: string;
}

const ATTRIBUTE_NAMES: ReadonlyMap<string, string> = new Map([
  ["2.5.4.3", "CN"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.9", "STREET"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["0.9.2342.19200300.100.1.1", "UID"],
]);
const OID_UID = "0.9.2342.19200300.100.1.1";

/**
 * Reads the subject and public key of a DER certificate.
 *
 * @param der a DER `Certificate`
 * @returns the subject and SubjectPublicKeyInfo
 * @throws {CertificateError} when the bytes are not a certificate
 */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  try {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    const outer = new DerReader(der);
    const certificate = outer.readSequence();
    outer.end("certificate");
    const tbs = certificate.readSequence();
    certificate.readSequence();
    certificate.readBitString();
    certificate.end("certificate");
    // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber,
    //   signature, issuer, validity, subject, subjectPublicKeyInfo, ... }
    tbs.readOptionalContext(0);
    tbs.readInteger();
    tbs.readSequence();
    tbs.readSequence();
    tbs.readSequence();
    const subjectName = tbs.readSequence();
    const spki = tbs.expect(DerTag.SEQUENCE, "SubjectPublicKeyInfo").bytes;
    const spkiReader = new DerReader(spki).readSequence();
    const algorithm = spkiReader.readSequence();
    const keyAlgorithm = algorithm.readOid();
    let curve: string | undefined;
    if (
      keyAlgorithm === OID_EC_PUBLIC_KEY && algorithm.peekTag() === DerTag.OID
    ) {
      curve = algorithm.readOid();
    }
    const { subject, uid } = readName(subjectName);
    return { subject, uid, spki, keyAlgorithm, curve };
  } catch (error) {
    throw new CertificateError("the certificate is malformed", {
      cause: error,
    });
  }
}

function readName(name: DerReader): { subject: string; uid?: string } {
  const rdns: string[] = [];
  let uid: string | undefined;
  while (!name.done) {
    const set = name.readSet();
    const parts: string[] = [];
    while (!set.done) {
      const attribute = set.readSequence();
      const oid = attribute.readOid();
      const value = attribute.read();
      attribute.end("attribute");
      const text = decodeString(value.tag, value.value);
      if (oid === OID_UID && text !== undefined && uid === undefined) {
        uid = text;
      }
      const type = ATTRIBUTE_NAMES.get(oid);
      parts.push(
        type !== undefined && text !== undefined
          ? `${type}=${escapeValue(text)}`
          : `${oid}=#${encodeHex(value.bytes)}`,
      );
    }
    rdns.push(parts.join("+"));
  }
  // RFC 4514 lists the RDNs last to first.
  return { subject: rdns.reverse().join(","), uid };
}

function decodeString(tag: number, bytes: Uint8Array): string | undefined {
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (treated as Latin-1)
      return String.fromCharCode(...bytes);
    case 0x1e: { // BMPString (UTF-16BE)
      if (bytes.length % 2 !== 0) return undefined;
      let s = "";
      for (let i = 0; i < bytes.length; i += 2) {
        s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      }
      return s;
    }
    default:
      return undefined;
  }
}

function escapeValue(value: string): string {
  let out = value.replace(/["+,;<>\\]/g, "\\$&").replace(/\0/g, "\\00");
  if (out.startsWith(" ") || out.startsWith("#")) out = `\\${out}`;
  if (out.endsWith(" ") && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}
