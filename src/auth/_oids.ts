/**
 * Object identifiers used by the auth modules (dotted decimal). Internal.
 *
 * @module
 */

/** rsaEncryption (PKCS#1) */
export const OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
/** id-ecPublicKey */
export const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
/** id-Ed25519 */
export const OID_ED25519 = "1.3.101.112";

/** secp256r1 / P-256 */
export const OID_P256 = "1.2.840.10045.3.1.7";
/** secp384r1 / P-384 */
export const OID_P384 = "1.3.132.0.34";
/** secp521r1 / P-521 */
export const OID_P521 = "1.3.132.0.35";

/** PBES2 (RFC 8018) */
export const OID_PBES2 = "1.2.840.113549.1.5.13";
/** PBKDF2 (RFC 8018) */
export const OID_PBKDF2 = "1.2.840.113549.1.5.12";

/** hmacWithSHA1 */
export const OID_HMAC_SHA1 = "1.2.840.113549.2.7";
/** hmacWithSHA224 */
export const OID_HMAC_SHA224 = "1.2.840.113549.2.8";
/** hmacWithSHA256 */
export const OID_HMAC_SHA256 = "1.2.840.113549.2.9";
/** hmacWithSHA384 */
export const OID_HMAC_SHA384 = "1.2.840.113549.2.10";
/** hmacWithSHA512 */
export const OID_HMAC_SHA512 = "1.2.840.113549.2.11";

/** aes128-CBC */
export const OID_AES128_CBC = "2.16.840.1.101.3.4.1.2";
/** aes192-CBC */
export const OID_AES192_CBC = "2.16.840.1.101.3.4.1.22";
/** aes256-CBC */
export const OID_AES256_CBC = "2.16.840.1.101.3.4.1.42";
/** des-ede3-cbc */
export const OID_DES_EDE3_CBC = "1.2.840.113549.3.7";
/** desCBC */
export const OID_DES_CBC = "1.3.14.3.2.7";
