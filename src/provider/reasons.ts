/**
 * How the HTTP/2 provider API's answers sort into a {@linkcode Result}:
 * which are a token's fault (`failed`), which concern the whole message or
 * the connection (`errors`), and which are worth sending again.
 *
 * @module
 */

/** Where an answer puts the token. */
export interface ReasonClass {
  /**
   * `"token"`: the token is at fault (`failed`);
   * `"message"`: the message itself is wrong, every token would fail the same
   * way: stop sending it (`errors`, tokens to `retry()`, not retryable);
   * `"auth"`: the credentials are wrong: stop (`errors`, not retryable);
   * `"expired-token"`: refresh the provider token once and resend;
   * `"retry"`: a passing condition (`errors`, token to `retry()`).
   */
  readonly kind: "token" | "message" | "auth" | "expired-token" | "retry";
}

const TOKEN: ReasonClass = { kind: "token" };
const MESSAGE: ReasonClass = { kind: "message" };
const AUTH: ReasonClass = { kind: "auth" };
const RETRY: ReasonClass = { kind: "retry" };

const TOKEN_REASONS = new Set([
  "BadDeviceToken",
  "DeviceTokenNotForTopic",
  "MissingDeviceToken",
  "Unregistered",
  "ExpiredToken",
]);

const MESSAGE_REASONS = new Set([
  "BadCollapseId",
  "BadExpirationDate",
  "BadMessageId",
  "BadPriority",
  "BadTopic",
  "DuplicateHeaders",
  "InvalidPushType",
  "MissingTopic",
  "PayloadEmpty",
  "TopicDisallowed",
  "PayloadTooLarge",
  "BadPath",
  "MethodNotAllowed",
]);

/**
 * Classifies an error answer by status and reason.
 *
 * @param status the HTTP status
 * @param reason the JSON body's `reason` (may be empty)
 * @returns how to treat it
 */
export function classifyReason(status: number, reason: string): ReasonClass {
  if (TOKEN_REASONS.has(reason) || status === 410) return TOKEN;
  if (reason === "IdleTimeout") return RETRY;
  if (status === 403) {
    return reason === "ExpiredProviderToken" ? { kind: "expired-token" } : AUTH;
  }
  if (
    MESSAGE_REASONS.has(reason) || status === 413 || status === 404 ||
    status === 405
  ) {
    return MESSAGE;
  }
  if (status === 400) return MESSAGE;
  return RETRY; // 429, 500, 503 and anything unknown
}
