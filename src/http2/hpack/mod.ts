/**
 * HPACK header compression for HTTP/2 (RFC 7541): encoder, decoder,
 * static and dynamic tables, Huffman code and prefix integers. Pure code:
 * no I/O, no runtime APIs.
 *
 * Field names and values are strings of octets: each char is one octet
 * (0x00-0xff), so values round-trip as Latin-1.
 *
 * @example
 * ```ts
 * import { HpackDecoder, HpackEncoder } from "./mod.ts";
 *
 * const encoder = new HpackEncoder();
 * const decoder = new HpackDecoder();
 * const block = encoder.encode([
 *   [":method", "POST"],
 *   [":path", "/3/device/abc"],
 *   ["apns-topic", "com.example.app"],
 * ]);
 * const fields = decoder.decode(block);
 * if (fields[2][1] !== "com.example.app") throw new Error("round trip failed");
 * ```
 *
 * @module
 */

export { HpackError } from "./error.ts";
export {
  type HeaderField,
  STATIC_TABLE,
  STATIC_TABLE_LENGTH,
  staticIndexOf,
  staticNameIndexOf,
} from "./static_table.ts";
export {
  DynamicTable,
  ENTRY_OVERHEAD,
  entrySize,
  type EvictionListener,
} from "./dynamic_table.ts";
export {
  decodeInteger,
  encodeInteger,
  type IntegerCursor,
  integerLength,
  MAX_INTEGER,
} from "./integer.ts";
export {
  HUFFMAN_CODES,
  HUFFMAN_LENGTHS,
  huffmanDecode,
  huffmanDecodedLengthBound,
  huffmanDecodeInto,
  huffmanEncode,
  huffmanEncodeBytesInto,
  huffmanEncodedLength,
  huffmanEncodedLengthOfBytes,
  huffmanEncodeInto,
} from "./huffman.ts";
export {
  DEFAULT_NO_INDEX,
  type EncodeOptions,
  HpackEncoder,
  type HpackEncoderOptions,
  maxEncodedLength,
} from "./encoder.ts";
export { HpackDecoder, type HpackDecoderOptions } from "./decoder.ts";
