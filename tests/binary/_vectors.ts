// Hand-written byte vectors derived from PROTOCOL.md section 1 (not from
// our encoder). Token 00..1f, payload {"aps":{}}, id 7, expiry 0x05f5e0ff,
// priority 5.

/** Parses hex with spaces and `|` separators. */
export function hex(s: string): Uint8Array {
  return Uint8Array.fromHex(s.replace(/[\s|]/g, ""));
}

export const TOKEN_HEX =
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
export const PAYLOAD_TEXT = '{"aps":{}}';
// { " a p s " : { } }
export const PAYLOAD_HEX = "7b 22 61 70 73 22 3a 7b 7d 7d";

/** Command 0: 0 | u16 32 | token | u16 10 | payload (47 bytes). */
export const COMMAND0 = hex(`00 | 0020 | ${TOKEN_HEX} | 000a | ${PAYLOAD_HEX}`);

/** Command 1: 1 | id 7 | expiry | u16 32 | token | u16 10 | payload (55 bytes). */
export const COMMAND1 = hex(
  `01 | 00000007 | 05f5e0ff | 0020 | ${TOKEN_HEX} | 000a | ${PAYLOAD_HEX}`,
);

/**
 * Command 2: frame length = (3+32) + (3+10) + (3+4) + (3+4) + (3+1) = 66
 * = 0x42; 71 bytes in all.
 */
export const COMMAND2 = hex(
  `02 | 00000042
   | 01 0020 ${TOKEN_HEX}
   | 02 000a ${PAYLOAD_HEX}
   | 03 0004 00000007
   | 04 0004 05f5e0ff
   | 05 0001 05`,
);
