/**
 * Decrypts passphrase-protected private keys, because Deno's TLS rejects
 * encrypted keys. Two forms are understood:
 *
 * - PKCS#8 `ENCRYPTED PRIVATE KEY` with PBES2: PBKDF2 (HMAC-SHA-1/224/256/
 *   384/512) and AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC;
 * - OpenSSL "traditional" PEM (`Proc-Type: 4,ENCRYPTED` plus `DEK-Info`)
 *   with the same ciphers, keyed by `EVP_BytesToKey` (MD5, one iteration,
 *   salt = first 8 bytes of the IV).
 *
 * The padding and the decrypted structure are both checked, so a wrong
 * passphrase is reported as such instead of returning garbage. Errors never
 * contain key material.
 *
 * @module
 */

import { CertificateError } from "../errors.ts";
import { decodeHex } from "../bytes/hex.ts";
import { DerReader, isMalformedDer } from "./der.ts";
import { desCbcDecrypt, tripleDesCbcDecrypt } from "./des.ts";
import { md5 } from "./md5.ts";
import { encodePem, parsePem, type PemBlock } from "./pem.ts";
import {
  ENCRYPTED_PKCS8_LABEL,
  isPrivateKeyLabel,
  isWellFormedPrivateKey,
  PKCS8_LABEL,
} from "./private_key.ts";
import { pbkdf2HmacSha224 } from "./sha224.ts";
import {
  OID_AES128_CBC,
  OID_AES192_CBC,
  OID_AES256_CBC,
  OID_DES_CBC,
  OID_DES_EDE3_CBC,
  OID_HMAC_SHA1,
  OID_HMAC_SHA224,
  OID_HMAC_SHA256,
  OID_HMAC_SHA384,
  OID_HMAC_SHA512,
  OID_PBES2,
  OID_PBKDF2,
} from "./_oids.ts";

/** Upper bound on PBKDF2 iterations read from a key file (OpenSSL writes 2048). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

interface Cipher {
  readonly name: string;
  readonly kind: "aes" | "des3" | "des";
  readonly keyLength: number;
  readonly ivLength: number;
}

const CIPHERS_BY_OID: ReadonlyMap<string, Cipher> = new Map([
  [OID_AES128_CBC, {
    name: "AES-128-CBC",
    kind: "aes",
    keyLength: 16,
    ivLength: 16,
  }],
  [OID_AES192_CBC, {
    name: "AES-192-CBC",
    kind: "aes",
    keyLength: 24,
    ivLength: 16,
  }],
  [OID_AES256_CBC, {
    name: "AES-256-CBC",
    kind: "aes",
    keyLength: 32,
    ivLength: 16,
  }],
  [OID_DES_EDE3_CBC, {
    name: "DES-EDE3-CBC",
    kind: "des3",
    keyLength: 24,
    ivLength: 8,
  }],
  [OID_DES_CBC, { name: "DES-CBC", kind: "des", keyLength: 8, ivLength: 8 }],
]);
const CIPHERS_BY_NAME: ReadonlyMap<string, Cipher> = new Map(
  [...CIPHERS_BY_OID.values()].map((cipher) => [cipher.name, cipher]),
);

const PRF_HASHES: ReadonlyMap<string, string> = new Map([
  [OID_HMAC_SHA1, "SHA-1"],
  [OID_HMAC_SHA224, "SHA-224"],
  [OID_HMAC_SHA256, "SHA-256"],
  [OID_HMAC_SHA384, "SHA-384"],
  [OID_HMAC_SHA512, "SHA-512"],
]);

function wrongPassphrase(): CertificateError {
  return new CertificateError(
    "cannot decrypt the private key: the passphrase is wrong",
  );
}

function notAKey(): CertificateError {
  return new CertificateError(
    "cannot decrypt the private key: the passphrase is wrong or the key is " +
      "corrupt (the decrypted data is not a private key)",
  );
}

/**
 * Tells whether a private key block is encrypted (PKCS#8 or traditional).
 *
 * @param block a parsed PEM block
 * @returns `true` when it needs a passphrase
 */
export function isEncryptedKey(block: PemBlock): boolean {
  if (block.label === ENCRYPTED_PKCS8_LABEL) return true;
  const procType = block.headers.get("Proc-Type");
  return procType !== undefined && /(^|,)\s*ENCRYPTED\s*$/i.test(procType);
}

/**
 * Decrypts an encrypted private key PEM.
 *
 * `pem` may hold other blocks (a certificate, say); it must hold exactly one
 * private key. An unencrypted key is returned unchanged (re-encoded).
 *
 * @param pem PEM text holding the key
 * @param passphrase the passphrase (used as its UTF-8 bytes)
 * @returns the unencrypted key as PEM: `PRIVATE KEY` for PKCS#8, the
 *   original label (`RSA PRIVATE KEY`, `EC PRIVATE KEY`) for traditional keys
 * @throws {CertificateError} when there is no key, the encryption is not
 *   supported, or the passphrase is wrong
 */
export async function decryptPrivateKey(
  pem: string,
  passphrase: string,
): Promise<string> {
  if (typeof pem !== "string") throw new TypeError("pem must be a string");
  if (typeof passphrase !== "string") {
    throw new TypeError("passphrase must be a string");
  }
  const keys = parsePem(pem).filter((block) => isPrivateKeyLabel(block.label));
  if (keys.length === 0) {
    throw new CertificateError("no private key PEM block found");
  }
  if (keys.length > 1) {
    throw new CertificateError("more than one private key PEM block");
  }
  const block = await decryptKeyBlock(keys[0], passphrase);
  return encodePem(block.label, block.der);
}

/**
 * Decrypts one private key block; an unencrypted block is returned as is.
 *
 * @param block a PEM block with a private key label
 * @param passphrase the passphrase (used as its UTF-8 bytes)
 * @returns an unencrypted block (no headers)
 * @throws {CertificateError} when the encryption is not supported or the
 *   passphrase is wrong
 */
export async function decryptKeyBlock(
  block: PemBlock,
  passphrase: string,
): Promise<PemBlock> {
  if (typeof passphrase !== "string") {
    throw new TypeError("passphrase must be a string");
  }
  const password = new TextEncoder().encode(passphrase);
  if (block.label === ENCRYPTED_PKCS8_LABEL) {
    const der = await decryptPkcs8(block.der, password);
    return { label: PKCS8_LABEL, headers: new Map(), der };
  }
  if (isEncryptedKey(block)) {
    const der = await decryptTraditional(block, password);
    return { label: block.label, headers: new Map(), der };
  }
  return block;
}

async function decryptPkcs8(
  der: Uint8Array,
  password: Uint8Array,
): Promise<Uint8Array> {
  let salt: Uint8Array, iterations: number, hash: string, cipher: Cipher;
  let iv: Uint8Array, data: Uint8Array;
  try {
    // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
    const outer = new DerReader(der);
    const info = outer.readSequence();
    outer.end("EncryptedPrivateKeyInfo");
    const algorithm = info.readSequence();
    const scheme = algorithm.readOid();
    if (scheme !== OID_PBES2) {
      throw new CertificateError(
        `unsupported key encryption ${scheme}: only PBES2 (openssl pkcs8 -v2) is supported`,
      );
    }
    // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
    const params = algorithm.readSequence();
    const kdf = params.readSequence();
    const kdfOid = kdf.readOid();
    if (kdfOid !== OID_PBKDF2) {
      throw new CertificateError(
        `unsupported key derivation ${kdfOid}: only PBKDF2 is supported`,
      );
    }
    // PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER,
    //   keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
    const kdfParams = kdf.readSequence();
    salt = kdfParams.readOctetString();
    iterations = kdfParams.readSmallInteger();
    let keyLength: number | undefined;
    if (kdfParams.peekTag() === 0x02) keyLength = kdfParams.readSmallInteger();
    let prf = OID_HMAC_SHA1;
    if (!kdfParams.done) {
      const prfAlgorithm = kdfParams.readSequence();
      prf = prfAlgorithm.readOid();
    }
    kdfParams.end("PBKDF2 parameters");
    const encryption = params.readSequence();
    const cipherOid = encryption.readOid();
    const found = CIPHERS_BY_OID.get(cipherOid);
    if (found === undefined) {
      throw new CertificateError(`unsupported key cipher ${cipherOid}`);
    }
    cipher = found;
    iv = encryption.readOctetString();
    data = info.readOctetString();
    const prfHash = PRF_HASHES.get(prf);
    if (prfHash === undefined) {
      throw new CertificateError(`unsupported PBKDF2 PRF ${prf}`);
    }
    hash = prfHash;
    if (keyLength !== undefined && keyLength !== cipher.keyLength) {
      throw new CertificateError("PBKDF2 key length does not fit the cipher");
    }
  } catch (error) {
    if (!isMalformedDer(error)) throw error;
    throw new CertificateError("the encrypted private key is malformed", {
      cause: error,
    });
  }
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new CertificateError(
      `PBKDF2 iteration count ${iterations} is out of range`,
    );
  }
  if (iv.length !== cipher.ivLength) {
    throw new CertificateError(`the ${cipher.name} IV has the wrong length`);
  }
  const key = await pbkdf2(password, salt, iterations, hash, cipher.keyLength);
  const plain = await decrypt(cipher, key, iv, data);
  if (!isWellFormedPrivateKey(PKCS8_LABEL, plain)) throw notAKey();
  return plain;
}

async function decryptTraditional(
  block: PemBlock,
  password: Uint8Array,
): Promise<Uint8Array> {
  const dekInfo = block.headers.get("DEK-Info");
  if (dekInfo === undefined) {
    throw new CertificateError("encrypted PEM key has no DEK-Info header");
  }
  const comma = dekInfo.indexOf(",");
  const name = (comma < 0 ? dekInfo : dekInfo.slice(0, comma)).trim()
    .toUpperCase();
  const cipher = CIPHERS_BY_NAME.get(name);
  if (cipher === undefined) {
    throw new CertificateError(
      `unsupported PEM key cipher "${name.slice(0, 40)}"`,
    );
  }
  const ivHex = comma < 0 ? "" : dekInfo.slice(comma + 1).trim();
  if (ivHex.length !== cipher.ivLength * 2) {
    throw new CertificateError(
      `the ${cipher.name} IV in DEK-Info has the wrong length`,
    );
  }
  let iv: Uint8Array;
  try {
    iv = decodeHex(ivHex);
  } catch (error) {
    throw new CertificateError("the DEK-Info IV is not hex", { cause: error });
  }
  const key = evpBytesToKey(password, iv.subarray(0, 8), cipher.keyLength);
  const plain = await decrypt(cipher, key, iv, block.der);
  if (!isWellFormedPrivateKey(block.label, plain)) throw notAKey();
  return plain;
}

/** OpenSSL's `EVP_BytesToKey` with MD5 and one iteration. */
function evpBytesToKey(
  password: Uint8Array,
  salt: Uint8Array,
  length: number,
): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  let previous: Uint8Array = new Uint8Array(0);
  while (offset < length) {
    const input = new Uint8Array(
      previous.length + password.length + salt.length,
    );
    input.set(previous);
    input.set(password, previous.length);
    input.set(salt, previous.length + password.length);
    previous = md5(input);
    const take = Math.min(previous.length, length - offset);
    out.set(previous.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

async function pbkdf2(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  hash: string,
  length: number,
): Promise<Uint8Array> {
  if (hash === "SHA-224") {
    return pbkdf2HmacSha224(password, salt, iterations, length);
  }
  const base = await crypto.subtle.importKey(
    "raw",
    password as Uint8Array<ArrayBuffer>,
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", salt: salt as Uint8Array<ArrayBuffer>, iterations, hash },
    base,
    length * 8,
  );
  return new Uint8Array(bits);
}

async function decrypt(
  cipher: Cipher,
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const blockSize = cipher.ivLength;
  if (data.length === 0 || data.length % blockSize !== 0) {
    throw new CertificateError(
      `the encrypted key is not a whole number of ${cipher.name} blocks`,
    );
  }
  if (cipher.kind === "aes") {
    const aesKey = await crypto.subtle.importKey(
      "raw",
      key as Uint8Array<ArrayBuffer>,
      "AES-CBC",
      false,
      ["decrypt"],
    );
    try {
      // WebCrypto checks and strips the PKCS#7 padding.
      const plain = await crypto.subtle.decrypt(
        { name: "AES-CBC", iv: iv as Uint8Array<ArrayBuffer> },
        aesKey,
        data as Uint8Array<ArrayBuffer>,
      );
      return new Uint8Array(plain);
    } catch {
      throw wrongPassphrase();
    }
  }
  const padded = cipher.kind === "des3"
    ? tripleDesCbcDecrypt(key, iv, data)
    : desCbcDecrypt(key, iv, data);
  return unpad(padded, blockSize);
}

function unpad(padded: Uint8Array, blockSize: number): Uint8Array {
  const n = padded[padded.length - 1];
  if (n < 1 || n > blockSize) throw wrongPassphrase();
  for (let i = padded.length - n; i < padded.length; i++) {
    if (padded[i] !== n) throw wrongPassphrase();
  }
  return padded.subarray(0, padded.length - n);
}
