/**
 * SHA-1 digest of a text, for pool keys that must not hold the secret.
 *
 * @module
 */

import { encodeHex } from "../bytes/hex.ts";

/**
 * Lower-case hex SHA-1 of a PEM text, ignoring line-ending and surrounding
 * whitespace differences.
 *
 * @param text the text (a key or certificate PEM)
 * @returns the digest
 */
export async function certificateDigestOfText(text: string): Promise<string> {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(normalized),
  );
  return encodeHex(new Uint8Array(digest));
}
