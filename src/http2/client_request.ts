/**
 * Request checks and the request header list (RFC 9113 §8.2, §8.3.1).
 *
 * @module
 */

import type { Http2Request } from "./client_options.ts";
import type { HeaderField } from "./hpack/static_table.ts";

/** RFC 9110 §5.6.2 `token` characters, lower case only (RFC 9113 §8.2.1). */
const FIELD_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** RFC 9110 `token` for methods. */
const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** RFC 9113 §8.2.1: NUL, CR and LF make a field value malformed. */
const BAD_VALUE = /[\0\r\n]/;

/**
 * RFC 9113 §8.2.2: connection-specific header fields MUST NOT be sent
 * (`te` is allowed with the value `trailers` only).
 */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
]);

const METHOD_FIELDS = new Map<string, HeaderField>(
  ["POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"].map((m) => [
    m,
    Object.freeze([":method", m] as const),
  ]),
);

/**
 * Checks a request before it is queued. A header list identical (`===`) to
 * `checkedHeaders`, one that passed before, is not walked again: senders of
 * many requests reuse one frozen list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(checkRequest({ path: "/3/device/ab" }), null);
 * assert.ok(checkRequest({ path: "x" }) instanceof TypeError);
 * assert.ok(
 *   checkRequest({ path: "/", headers: [["Apns-Topic", "a"]] }) instanceof
 *     TypeError,
 * );
 * ```
 *
 * @param req the request
 * @param checkedHeaders a header list that passed this check before
 * @param path `req.path`, when the caller has read it already
 * @returns a `TypeError` describing the first problem, or `null`
 */
export function checkRequest(
  req: Http2Request,
  checkedHeaders?: Http2Request["headers"],
  path: unknown = req?.path,
): TypeError | null {
  if (typeof req !== "object" || req === null) {
    return new TypeError("request must be an object");
  }
  const { method, headers, body } = req;
  if (
    typeof path !== "string" || path.length === 0 ||
    (path.charCodeAt(0) !== 0x2f && path !== "*") || hasBadChar(path)
  ) {
    return new TypeError(`request path must start with "/", got ${path}`);
  }
  if (method !== undefined) {
    if (typeof method !== "string" || !METHOD.test(method)) {
      return new TypeError(`invalid request method: ${method}`);
    }
  }
  if (body !== undefined && !(body instanceof Uint8Array)) {
    return new TypeError("request body must be a Uint8Array");
  }
  if (headers !== undefined && headers !== checkedHeaders) {
    if (!Array.isArray(headers)) {
      return new TypeError("request headers must be an array of pairs");
    }
    for (let i = 0; i < headers.length; i++) {
      const field = headers[i];
      const name = field?.[0];
      const value = field?.[1];
      if (typeof name !== "string" || typeof value !== "string") {
        return new TypeError("header names and values must be strings");
      }
      if (!FIELD_NAME.test(name)) {
        return new TypeError(
          `invalid header name ${JSON.stringify(name)} (lower-case token)`,
        );
      }
      if (
        CONNECTION_SPECIFIC.has(name) || (name === "te" && value !== "trailers")
      ) {
        return new TypeError(`header ${name} is not allowed in HTTP/2`);
      }
      if (BAD_VALUE.test(value)) {
        return new TypeError(`header ${name} has NUL, CR or LF in its value`);
      }
    }
  }
  return null;
}

/** Whether `text` holds NUL, CR or LF (a loop: no regex state per call). */
function hasBadChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return true;
  }
  return false;
}

/**
 * The header list of a request: pseudo-headers first (RFC 9113 §8.3),
 * then the request's fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const list = requestHeaders(
 *   { path: "/a", headers: [["x", "1"]] },
 *   [":scheme", "https"],
 *   [":authority", "h"],
 * );
 * assert.deepEqual(list, [
 *   [":method", "POST"],
 *   [":scheme", "https"],
 *   [":authority", "h"],
 *   [":path", "/a"],
 *   ["x", "1"],
 * ]);
 * ```
 *
 * @param req a checked request
 * @param scheme the `:scheme` field
 * @param authority the `:authority` field
 * @returns the header list
 */
export function requestHeaders(
  req: Http2Request,
  scheme: HeaderField,
  authority: HeaderField,
): HeaderField[] {
  const method = req.method ?? "POST";
  const list: HeaderField[] = [
    METHOD_FIELDS.get(method) ?? [":method", method],
    scheme,
    authority,
    [":path", req.path],
  ];
  const headers = req.headers;
  if (headers !== undefined) {
    for (let i = 0; i < headers.length; i++) list.push(headers[i]);
  }
  return list;
}
