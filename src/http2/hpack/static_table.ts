/**
 * The HPACK static table (RFC 7541 Appendix A) and lookups into it.
 *
 * @module
 */

/** A header field: a lower-case name and a value, both strings of octets (chars 0x00-0xff). */
export type HeaderField = readonly [name: string, value: string];

/** Number of entries in the static table; dynamic indices start after it. */
export const STATIC_TABLE_LENGTH = 61;

/**
 * The static table: `STATIC_TABLE[i - 1]` is the entry of index `i`
 * (1 to 61). The entries are frozen and shared.
 */
export const STATIC_TABLE: readonly HeaderField[] = Object.freeze(
  ([
    [":authority", ""],
    [":method", "GET"],
    [":method", "POST"],
    [":path", "/"],
    [":path", "/index.html"],
    [":scheme", "http"],
    [":scheme", "https"],
    [":status", "200"],
    [":status", "204"],
    [":status", "206"],
    [":status", "304"],
    [":status", "400"],
    [":status", "404"],
    [":status", "500"],
    ["accept-charset", ""],
    ["accept-encoding", "gzip, deflate"],
    ["accept-language", ""],
    ["accept-ranges", ""],
    ["accept", ""],
    ["access-control-allow-origin", ""],
    ["age", ""],
    ["allow", ""],
    ["authorization", ""],
    ["cache-control", ""],
    ["content-disposition", ""],
    ["content-encoding", ""],
    ["content-language", ""],
    ["content-length", ""],
    ["content-location", ""],
    ["content-range", ""],
    ["content-type", ""],
    ["cookie", ""],
    ["date", ""],
    ["etag", ""],
    ["expect", ""],
    ["expires", ""],
    ["from", ""],
    ["host", ""],
    ["if-match", ""],
    ["if-modified-since", ""],
    ["if-none-match", ""],
    ["if-range", ""],
    ["if-unmodified-since", ""],
    ["last-modified", ""],
    ["link", ""],
    ["location", ""],
    ["max-forwards", ""],
    ["proxy-authenticate", ""],
    ["proxy-authorization", ""],
    ["range", ""],
    ["referer", ""],
    ["refresh", ""],
    ["retry-after", ""],
    ["server", ""],
    ["set-cookie", ""],
    ["strict-transport-security", ""],
    ["transfer-encoding", ""],
    ["user-agent", ""],
    ["vary", ""],
    ["via", ""],
    ["www-authenticate", ""],
  ] as [string, string][]).map((f) => Object.freeze(f) as HeaderField),
);

/**
 * Per name: the lowest index with that name, the index of each value, and
 * the longest value (a longer one cannot match, so its lookup is skipped:
 * hashing a long, freshly concatenated string such as a `:path` costs an
 * old-generation copy of it in V8).
 */
interface StaticName {
  readonly index: number;
  readonly values: Map<string, number>;
  longest: number;
}

const BY_NAME = new Map<string, StaticName>();
for (let i = 0; i < STATIC_TABLE.length; i++) {
  const [name, value] = STATIC_TABLE[i];
  let entry = BY_NAME.get(name);
  if (entry === undefined) {
    entry = { index: i + 1, values: new Map(), longest: 0 };
    BY_NAME.set(name, entry);
  }
  if (!entry.values.has(value)) entry.values.set(value, i + 1);
  entry.longest = Math.max(entry.longest, value.length);
}

/**
 * Index of the static entry holding exactly `name` and `value`.
 *
 * @param name header name
 * @param value header value
 * @returns the index (1-61), or 0 when there is none
 */
export function staticIndexOf(name: string, value: string): number {
  return BY_NAME.get(name)?.values.get(value) ?? 0;
}

/**
 * Lowest index of a static entry named `name`.
 *
 * @param name header name
 * @returns the index (1-61), or 0 when there is none
 */
export function staticNameIndexOf(name: string): number {
  return BY_NAME.get(name)?.index ?? 0;
}

/** @internal Per-name lookup record, for the encoder's single-lookup fast path. */
export function staticLookup(
  name: string,
):
  | {
    readonly index: number;
    readonly values: ReadonlyMap<string, number>;
    readonly longest: number;
  }
  | undefined {
  return BY_NAME.get(name);
}
