/**
 * Loads a provider certificate and its private key from PEM strings:
 * finds the blocks (separate strings or one combined PEM), decrypts an
 * encrypted key, checks that the key belongs to the certificate, and
 * computes the certificate digest the connection pool is keyed by.
 *
 * @example
 * ```ts ignore
 * const loaded = await loadCertificate({ certString: pem, passphrase: "secret" });
 * loaded.digest; // "fef9926b54f0..." (SHA-1 of the leaf certificate DER)
 * ```
 *
 * @module
 */

import { CertificateError } from "../errors.ts";
import { encodeHex } from "../bytes/hex.ts";
import { isMalformedDer } from "./der.ts";
import { decryptKeyBlock, isEncryptedKey } from "./key_decryption.ts";
import { encodePem, parsePem, type PemBlock } from "./pem.ts";
import {
  isPrivateKeyLabel,
  isWellFormedPrivateKey,
  toPkcs8,
} from "./private_key.ts";
import { type CertificateInfo, parseCertificate } from "./x509.ts";
import {
  OID_EC_PUBLIC_KEY,
  OID_ED25519,
  OID_P256,
  OID_P384,
  OID_P521,
  OID_RSA_ENCRYPTION,
} from "./_oids.ts";

/** Where the provider certificate and key come from. */
export interface CertificateOptions {
  /** PEM certificate (leaf first, then any intermediates); may also hold the key. */
  certString?: string;
  /** PEM private key; may be omitted when `certString` holds the key. */
  keyString?: string;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
  /** Extra PEM trust roots (test servers), one string or several. */
  caCerts?: string | readonly string[];
}

/** A certificate ready for a transport: decrypted key, digest, subject. */
export interface LoadedCertificate {
  /** PEM certificate chain, leaf first (re-encoded, no stray text). */
  readonly cert: string;
  /** PEM private key, never encrypted. */
  readonly key: string;
  /** Extra trust roots, one PEM certificate per entry. */
  readonly caCerts: readonly string[];
  /** Lower-case hex SHA-1 of the leaf certificate DER. */
  readonly digest: string;
  /** The leaf's subject as an RFC 4514 string. */
  readonly subject?: string;
  /** The leaf's subject `UID` (the bundle id on APNs certificates). */
  readonly uid?: string;
}

const CERTIFICATE_LABEL = "CERTIFICATE";

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new TypeError(`${name} must be a string`);
  }
  return value;
}

/**
 * Loads and checks a provider certificate and private key.
 *
 * @param options the PEM strings, passphrase and extra trust roots
 * @returns the certificate chain, the unencrypted key, the trust roots and
 *   the leaf digest
 * @throws {CertificateError} when the certificate or key is missing or
 *   malformed, the key is encrypted and no (or a wrong) passphrase is given,
 *   or the key does not belong to the certificate
 * @throws {TypeError} when an option has the wrong type
 */
export async function loadCertificate(
  options: CertificateOptions,
): Promise<LoadedCertificate> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("certificate options must be an object");
  }
  const certString = optionalString(options.certString, "certString");
  const keyString = optionalString(options.keyString, "keyString");
  const passphrase = optionalString(options.passphrase, "passphrase");
  if (certString === undefined || certString.trim() === "") {
    throw new CertificateError(
      "no certificate given (certString is missing or empty)",
    );
  }

  const certBlocks = parsePem(certString);
  if (certBlocks.length === 0) {
    throw new CertificateError("certString holds no PEM block");
  }
  const certs = certBlocks.filter((block) => block.label === CERTIFICATE_LABEL);
  if (certs.length === 0) {
    throw new CertificateError("certString holds no CERTIFICATE block");
  }
  const leaf = parseCertificate(certs[0].der);
  for (const cert of certs.slice(1)) parseCertificate(cert.der);

  let keyBlocks: PemBlock[];
  if (keyString !== undefined) {
    const blocks = parsePem(keyString);
    if (blocks.length === 0) {
      throw new CertificateError("keyString holds no PEM block");
    }
    keyBlocks = blocks.filter((block) => isPrivateKeyLabel(block.label));
    if (keyBlocks.length === 0) {
      throw new CertificateError(
        "keyString holds no private key (no ... PRIVATE KEY block)",
      );
    }
  } else {
    keyBlocks = certBlocks.filter((block) => isPrivateKeyLabel(block.label));
    if (keyBlocks.length === 0) {
      throw new CertificateError(
        "no private key given: pass keyString or put the key in certString",
      );
    }
  }
  if (keyBlocks.length > 1) {
    throw new CertificateError("more than one private key given");
  }

  let key = keyBlocks[0];
  if (isEncryptedKey(key)) {
    if (passphrase === undefined) {
      throw new CertificateError(
        "the private key is encrypted; pass passphrase",
      );
    }
    key = await decryptKeyBlock(key, passphrase);
  } else if (!isWellFormedPrivateKey(key.label, key.der)) {
    throw new CertificateError(
      `the ${key.label} block is not a valid private key`,
    );
  }
  await checkKeyMatches(key, leaf);

  const caCerts = loadCaCerts(options.caCerts);
  const digest = await sha1Hex(certs[0].der);
  return Object.freeze({
    cert: certs.map((block) => encodePem(CERTIFICATE_LABEL, block.der)).join(
      "",
    ),
    key: encodePem(key.label, key.der),
    caCerts: Object.freeze(caCerts),
    digest,
    subject: leaf.subject,
    uid: leaf.uid,
  });
}

/**
 * Computes the digest that identifies a certificate: lower-case hex SHA-1
 * of the first certificate's DER, so PEM whitespace and line ends do not
 * matter.
 *
 * @param certPem PEM text holding at least one certificate
 * @returns 40 lower-case hex digits
 * @throws {CertificateError} when there is no certificate
 */
export async function certificateDigest(certPem: string): Promise<string> {
  if (typeof certPem !== "string") {
    throw new TypeError("certPem must be a string");
  }
  const cert = parsePem(certPem).find((block) =>
    block.label === CERTIFICATE_LABEL
  );
  if (cert === undefined) {
    throw new CertificateError("no CERTIFICATE PEM block found");
  }
  return await sha1Hex(cert.der);
}

async function sha1Hex(der: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-1",
    der as Uint8Array<ArrayBuffer>,
  );
  return encodeHex(new Uint8Array(hash));
}

function loadCaCerts(value: unknown): string[] {
  if (value === undefined) return [];
  let list: readonly unknown[];
  if (typeof value === "string") list = [value];
  else if (Array.isArray(value)) list = value;
  else throw new TypeError("caCerts must be a string or an array of strings");
  const out: string[] = [];
  list.forEach((entry, i) => {
    if (typeof entry !== "string") {
      throw new TypeError(`caCerts[${i}] must be a string`);
    }
    const certs = parsePem(entry).filter((block) =>
      block.label === CERTIFICATE_LABEL
    );
    if (certs.length === 0) {
      throw new CertificateError(`caCerts[${i}] holds no CERTIFICATE block`);
    }
    for (const cert of certs) {
      parseCertificate(cert.der);
      out.push(encodePem(CERTIFICATE_LABEL, cert.der));
    }
  });
  return out;
}

const CURVES: ReadonlyMap<string, string> = new Map([
  [OID_P256, "P-256"],
  [OID_P384, "P-384"],
  [OID_P521, "P-521"],
]);

/** WebCrypto import parameters and the JWK members that hold the public key. */
function importAlgorithm(algorithm: string, curve: string | undefined): {
  params: RsaHashedImportParams | EcKeyImportParams | Algorithm;
  fields: readonly string[];
} {
  if (algorithm === OID_RSA_ENCRYPTION) {
    return {
      params: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      fields: ["n", "e"],
    };
  }
  if (algorithm === OID_EC_PUBLIC_KEY) {
    const namedCurve = curve === undefined ? undefined : CURVES.get(curve);
    if (namedCurve === undefined) {
      throw new CertificateError(
        "unsupported EC curve (P-256, P-384 and P-521 are supported)",
      );
    }
    return {
      params: { name: "ECDSA", namedCurve },
      fields: ["crv", "x", "y"],
    };
  }
  if (algorithm === OID_ED25519) {
    return {
      params: { name: "Ed25519" },
      fields: ["x"],
    };
  }
  throw new CertificateError(`unsupported public key algorithm ${algorithm}`);
}

/**
 * Imports the key with WebCrypto (which rejects what is not a key) and
 * compares its public half (RSA n/e, EC x/y, Ed25519 x) with the
 * certificate's SubjectPublicKeyInfo.
 */
async function checkKeyMatches(
  key: PemBlock,
  cert: CertificateInfo,
): Promise<void> {
  let pkcs8;
  try {
    pkcs8 = toPkcs8(key.label, key.der, cert.curve);
  } catch (error) {
    if (!isMalformedDer(error)) throw error;
    throw new CertificateError(
      `the ${key.label} block is not a valid private key`,
    );
  }
  if (pkcs8.algorithm !== cert.keyAlgorithm) {
    throw new CertificateError(
      "the private key does not match the certificate (different key algorithms)",
    );
  }
  if (pkcs8.algorithm === OID_EC_PUBLIC_KEY && pkcs8.curve !== cert.curve) {
    throw new CertificateError(
      "the private key does not match the certificate (different EC curves)",
    );
  }
  const { params, fields } = importAlgorithm(
    pkcs8.algorithm,
    cert.curve,
  );
  let privateJwk: JsonWebKey;
  try {
    const privateKey = await crypto.subtle.importKey(
      "pkcs8",
      pkcs8.der as Uint8Array<ArrayBuffer>,
      params,
      true,
      ["sign"],
    );
    privateJwk = await crypto.subtle.exportKey("jwk", privateKey);
  } catch {
    // No cause: WebCrypto messages are generic, but keep key handling opaque.
    throw new CertificateError("the private key is malformed or unsupported");
  }
  let publicJwk: JsonWebKey;
  try {
    const publicKey = await crypto.subtle.importKey(
      "spki",
      cert.spki as Uint8Array<ArrayBuffer>,
      params,
      true,
      ["verify"],
    );
    publicJwk = await crypto.subtle.exportKey("jwk", publicKey);
  } catch (error) {
    throw new CertificateError(
      "the certificate's public key is malformed or unsupported",
      {
        cause: error,
      },
    );
  }
  for (const field of fields) {
    const a = (privateJwk as Record<string, unknown>)[field];
    const b = (publicJwk as Record<string, unknown>)[field];
    if (typeof a !== "string" || a !== b) {
      throw new CertificateError(
        "the private key does not match the certificate",
      );
    }
  }
}
