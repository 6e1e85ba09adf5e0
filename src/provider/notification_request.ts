/**
 * Turns a {@linkcode Message} into HTTP/2 provider API requests: the
 * headers shared by every token are worked out once per message, and the
 * checks the server would make on the message as a whole are made before
 * anything is sent.
 *
 * @module
 */

import { type Message, PUSH_TYPES, type PushType } from "../message.ts";

/** Request headers of one message, without the per-token path. */
export interface MessageRequest {
  /** Headers shared by every token (apns-*). */
  readonly headers: readonly [string, string][];
  /** The JSON payload. */
  readonly body: Uint8Array;
  /**
   * When the message cannot be sent at all: `[status, reason]` as the
   * server would answer (e.g. `[413, "PayloadTooLarge"]`).
   */
  readonly rejection: [number, string] | null;
}

/** Largest payload Apple accepts, by push type. */
export function payloadLimit(pushType: PushType): number {
  return pushType === "voip" ? 5120 : 4096;
}

const UUID =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const utf8 = new TextEncoder();

/**
 * The push type a message is sent with: the given one, else `background`
 * for a content-only message, else `alert`.
 *
 * @param message the message
 * @returns the push type
 */
export function effectivePushType(message: Message): PushType {
  if (message.pushType !== undefined) return message.pushType;
  const silent = message.contentAvailable && message.alert === undefined &&
    message.badge === undefined && message.sound === undefined;
  return silent ? "background" : "alert";
}

/**
 * Builds the shared part of a message's requests.
 *
 * @param message the message
 * @param defaultTopic the topic when the message has none (the bundle id of
 *   the client certificate), or `undefined`
 * @returns the headers, the body, and a rejection when the server would
 *   refuse the message whatever the token
 */
export function buildMessageRequest(
  message: Message,
  defaultTopic: string | undefined,
): MessageRequest {
  const body = message.payloadBytes;
  const pushType = effectivePushType(message);
  const topic = message.topic ?? defaultTopic;
  const headers: [string, string][] = [];
  let rejection: [number, string] | null = null;
  if (!(PUSH_TYPES as readonly string[]).includes(pushType)) {
    rejection = [400, "InvalidPushType"];
  } else if (body.length === 0) {
    rejection = [400, "PayloadEmpty"];
  } else if (body.length > payloadLimit(pushType)) {
    rejection = [413, "PayloadTooLarge"];
  } else if (![10, 5, 1].includes(message.priority)) {
    rejection = [400, "BadPriority"];
  } else if (
    message.collapseId !== undefined &&
    utf8.encode(message.collapseId).length > 64
  ) {
    rejection = [400, "BadCollapseId"];
  } else if (message.id !== undefined && !UUID.test(message.id)) {
    rejection = [400, "BadMessageId"];
  } else if (topic === undefined || topic === "") {
    rejection = [400, "MissingTopic"];
  }
  if (topic) headers.push(["apns-topic", topic]);
  headers.push(["apns-push-type", pushType]);
  headers.push(["apns-priority", String(message.priority)]);
  headers.push(["apns-expiration", String(message.expiry)]);
  if (message.collapseId !== undefined) {
    headers.push(["apns-collapse-id", message.collapseId]);
  }
  if (message.id !== undefined) headers.push(["apns-id", message.id]);
  return { headers, body, rejection };
}

/**
 * Whether a token can go into a request path: hex, even length.
 *
 * @param token the token as given
 * @returns true when it is even-length hex
 */
export function isHexToken(token: string): boolean {
  const n = token.length;
  if (n === 0 || (n & 1) !== 0) return false;
  for (let i = 0; i < n; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) continue; // 0-9
    const lower = c | 0x20;
    if (lower < 97 || lower > 102) return false; // a-f, A-F
  }
  return true;
}
