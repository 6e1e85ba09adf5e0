/**
 * Apple's rules for an HTTP/2 provider API request (PROTOCOL.md §2), as the
 * mock gateway applies them, in two steps around authentication:
 *
 * {@linkcode checkRequestTarget}, first:
 * 1. `:method` not POST: 405 MethodNotAllowed.
 * 2. `:path` not `/3/device/...`: 404 BadPath; `/3/device` or `/3/device/`:
 *    400 MissingDeviceToken; a token that is not 64..200 hex digits of
 *    even length: 400 BadDeviceToken (Apple's tokens are 32 bytes; newer
 *    ones may be longer).
 * 3. an `apns-*` or `authorization` field more than once: 400 DuplicateHeaders.
 *
 * (then the gateway checks the provider token: 403 MissingProviderToken,
 * InvalidProviderToken, ExpiredProviderToken)
 *
 * {@linkcode checkNotification}, second:
 * 4. `apns-id` not a UUID: 400 BadMessageId.
 * 5. `apns-push-type` not a documented type: 400 InvalidPushType.
 * 6. `apns-priority` not 10, 5 or 1: 400 BadPriority.
 * 7. `apns-expiration` not 1..12 digits: 400 BadExpirationDate.
 * 8. `apns-collapse-id` above 64 bytes: 400 BadCollapseId.
 * 9. topic: not a bundle-id-like string: 400 BadTopic. Certificate auth:
 *    absent means the certificate's UID (400 MissingTopic when it has none);
 *    it must be the UID or the UID plus a known suffix (`.voip`,
 *    `.complication`, `.pushkit.fileprovider`, `.push-type.liveactivity`,
 *    ...), else 400 TopicDisallowed. Token (and no) auth: required (400
 *    MissingTopic); with an allow-list its bundle id must be on it (400
 *    TopicDisallowed).
 * 10. body empty: 400 PayloadEmpty; above the limit (5120 bytes for VoIP:
 *    push type `voip` or a `.voip` topic): 413 PayloadTooLarge; not a JSON
 *    object: 400 PayloadEmpty. Apple documents no reason for malformed JSON;
 *    PayloadEmpty ("the message payload is empty", i.e. carries no usable
 *    notification) is the closest.
 *
 * @module
 */

import type { HeaderField } from "../http2/hpack/mod.ts";
import { PUSH_TYPES as MESSAGE_PUSH_TYPES } from "../message.ts";

/** A rejection: HTTP status, Apple's reason and, for 410, the timestamp in ms. */
export interface ApnsRejection {
  /** HTTP status. */
  readonly status: number;
  /** Apple's reason string, sent as `{"reason": ...}`. */
  readonly reason: string;
  /** For 410: when the token stopped being valid, in milliseconds since the epoch. */
  readonly timestamp?: number;
}

/** What step one found: the token and the header fields by name. */
export interface RequestTarget {
  /** Device token, lower-case hex. */
  readonly token: string;
  /** Regular header fields by name (each name at most once for `apns-*`). */
  readonly fields: ReadonlyMap<string, string>;
}

/** A notification that passed every rule. */
export interface CheckedNotification {
  /** Device token, lower-case hex. */
  readonly token: string;
  /** The request's `apns-id`, as sent; undefined when absent. */
  readonly id: string | undefined;
  /** `apns-expiration` in UNIX seconds; null when absent. */
  readonly expiry: number | null;
  /** `apns-priority` (10 when absent). */
  readonly priority: number;
  /** The topic, after defaulting. */
  readonly topic: string;
  /** `apns-push-type`; null when absent. */
  readonly pushType: string | null;
  /** `apns-collapse-id`; null when absent. */
  readonly collapseId: string | null;
  /** The payload, parsed. */
  readonly payload: Record<string, unknown>;
}

/** What step two needs to know about the connection. */
export interface NotificationRules {
  /** How the connection authenticates. */
  readonly auth: "certificate" | "token" | "none";
  /** With certificate auth: the client certificate's UID (bundle id). */
  readonly certificateTopic?: string;
  /** With token or no auth: the allowed bundle ids; undefined allows any. */
  readonly topics?: ReadonlySet<string>;
  /** Payload limit in bytes (VoIP gets at least 5120). */
  readonly maxPayloadBytes: number;
}

/** Push types Apple documents. */
export const PUSH_TYPES: ReadonlySet<string> = new Set<string>(
  MESSAGE_PUSH_TYPES,
);

/** Topic suffixes a certificate for a bundle id also covers. */
export const TOPIC_SUFFIXES: readonly string[] = [
  ".voip",
  ".complication",
  ".pushkit.fileprovider",
  ".push-type.liveactivity",
  ".push-type.widgets",
  ".push-type.controls",
  ".push-type.location",
  ".voip-ptt",
];

const VOIP_PAYLOAD = 5120;
const UUID =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TOKEN = /^(?:[0-9a-fA-F]{2}){32,100}$/;
const TOPIC = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const PATH_PREFIX = "/3/device";
const utf8 = new TextDecoder("utf-8", { fatal: true });

function reject(status: number, reason: string): ApnsRejection {
  return { status, reason };
}

/**
 * Step one: method, path and duplicate fields.
 *
 * @param headers the request's header list
 * @returns the token and fields, or the rejection
 */
export function checkRequestTarget(
  headers: readonly HeaderField[],
): RequestTarget | ApnsRejection {
  let method = "";
  let path = "";
  const fields = new Map<string, string>();
  let duplicate = false;
  for (const [name, value] of headers) {
    if (name === ":method") method = value;
    else if (name === ":path") path = value;
    else if (name.charCodeAt(0) !== 0x3a) {
      if (
        fields.has(name) &&
        (name.startsWith("apns-") || name === "authorization")
      ) {
        duplicate = true;
      }
      fields.set(name, value);
    }
  }
  if (method !== "POST") return reject(405, "MethodNotAllowed");
  if (!path.startsWith(PATH_PREFIX)) return reject(404, "BadPath");
  const rest = path.slice(PATH_PREFIX.length);
  if (rest === "" || rest === "/") return reject(400, "MissingDeviceToken");
  if (rest[0] !== "/" || rest.indexOf("/", 1) !== -1 || rest.includes("?")) {
    return reject(404, "BadPath");
  }
  const token = rest.slice(1);
  if (!TOKEN.test(token)) return reject(400, "BadDeviceToken");
  if (duplicate) return reject(400, "DuplicateHeaders");
  return { token: token.toLowerCase(), fields };
}

/**
 * Step two: the `apns-*` fields, the topic and the payload.
 *
 * @param target step one's result
 * @param body the request body (possibly cut at the buffering limit)
 * @param bodyLength the full body length
 * @param rules the connection's auth and limits
 * @returns the notification, or the rejection
 */
export function checkNotification(
  target: RequestTarget,
  body: Uint8Array,
  bodyLength: number,
  rules: NotificationRules,
): CheckedNotification | ApnsRejection {
  const f = target.fields;
  const id = f.get("apns-id");
  if (id !== undefined && !UUID.test(id)) return reject(400, "BadMessageId");
  const pushType = f.get("apns-push-type") ?? null;
  if (pushType !== null && !PUSH_TYPES.has(pushType)) {
    return reject(400, "InvalidPushType");
  }
  const priorityText = f.get("apns-priority");
  let priority = 10;
  if (priorityText !== undefined) {
    if (priorityText !== "10" && priorityText !== "5" && priorityText !== "1") {
      return reject(400, "BadPriority");
    }
    priority = Number(priorityText);
  }
  const expiryText = f.get("apns-expiration");
  let expiry: number | null = null;
  if (expiryText !== undefined) {
    if (!/^[0-9]{1,12}$/.test(expiryText)) {
      return reject(400, "BadExpirationDate");
    }
    expiry = Number(expiryText);
  }
  const collapseId = f.get("apns-collapse-id") ?? null;
  // Field values are octet strings: length is the byte count.
  if (collapseId !== null && collapseId.length > 64) {
    return reject(400, "BadCollapseId");
  }
  const topic = checkTopic(f.get("apns-topic"), rules);
  if (typeof topic !== "string") return topic;
  if (bodyLength === 0) return reject(400, "PayloadEmpty");
  const limit = pushType === "voip" || topic.endsWith(".voip")
    ? Math.max(rules.maxPayloadBytes, VOIP_PAYLOAD)
    : rules.maxPayloadBytes;
  if (bodyLength > limit) return reject(413, "PayloadTooLarge");
  let payload: unknown;
  try {
    payload = JSON.parse(utf8.decode(body));
  } catch {
    return reject(400, "PayloadEmpty");
  }
  if (
    typeof payload !== "object" || payload === null || Array.isArray(payload)
  ) {
    return reject(400, "PayloadEmpty");
  }
  return {
    token: target.token,
    id,
    expiry,
    priority,
    topic,
    pushType,
    collapseId,
    payload: payload as Record<string, unknown>,
  };
}

/** The bundle id of a topic: the topic without a known suffix. */
function bundleOf(topic: string): string {
  for (const suffix of TOPIC_SUFFIXES) {
    if (topic.endsWith(suffix) && topic.length > suffix.length) {
      return topic.slice(0, -suffix.length);
    }
  }
  return topic;
}

function checkTopic(
  topic: string | undefined,
  rules: NotificationRules,
): string | ApnsRejection {
  if (topic !== undefined && !TOPIC.test(topic)) return reject(400, "BadTopic");
  if (rules.auth === "certificate") {
    const own = rules.certificateTopic;
    if (topic === undefined) return own ?? reject(400, "MissingTopic");
    if (own === undefined) return reject(400, "TopicDisallowed");
    if (topic === own || bundleOf(topic) === own) return topic;
    return reject(400, "TopicDisallowed");
  }
  if (topic === undefined) return reject(400, "MissingTopic");
  if (rules.topics !== undefined && !rules.topics.has(bundleOf(topic))) {
    return reject(400, "TopicDisallowed");
  }
  return topic;
}
