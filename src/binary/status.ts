/**
 * The binary protocol's error-response statuses and how the seed library
 * (apns-client 0.2) sorts them into failed tokens, errors and retries.
 *
 * @module
 */

/** Explanations of the statuses, as the seed library words them. */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  0: "No errors encountered",
  1: "Processing error",
  2: "Missing device token",
  3: "Missing topic",
  4: "Missing payload",
  5: "Invalid token size",
  6: "Invalid topic size",
  7: "Invalid payload size",
  8: "Invalid token",
  10: "Shutdown",
  255: "None (unknown)",
});

/** What a status means for the notification it names and the ones after it. */
export interface StatusClass {
  /**
   * `"token"`: the token is at fault (reported in `Result.failed`);
   * `"error"`: not a token's fault (reported in `Result.errors`);
   * `"shutdown"`: status 10, the named notification was the last accepted.
   */
  readonly kind: "token" | "error" | "shutdown";
  /** Whether sending again can succeed (the seed's `needs_retry`). */
  readonly retry: boolean;
  /** Whether the named notification itself should be sent again. */
  readonly includeReported: boolean;
}

const TOKEN: StatusClass = {
  kind: "token",
  retry: true,
  includeReported: false,
};
const RETRY_ERROR: StatusClass = {
  kind: "error",
  retry: true,
  includeReported: true,
};
const FINAL_ERROR: StatusClass = {
  kind: "error",
  retry: false,
  includeReported: true,
};
const SHUTDOWN: StatusClass = {
  kind: "shutdown",
  retry: true,
  includeReported: false,
};

/**
 * Classifies an error-response status following the seed's table.
 * Unknown statuses are treated like 255 (retry, including the reported one).
 *
 * @param status the status byte of an error response
 * @returns how to treat it
 * @example
 * ```ts
 * import { classifyStatus } from "./status.ts";
 * console.assert(classifyStatus(8).kind === "token");
 * ```
 */
export function classifyStatus(status: number): StatusClass {
  switch (status) {
    case 2:
    case 5:
    case 8:
      return TOKEN;
    case 3:
    case 4:
    case 6:
    case 7:
      return FINAL_ERROR;
    case 10:
      return SHUTDOWN;
    default:
      return RETRY_ERROR;
  }
}

/**
 * The explanation of a status, or `"Unknown status N"`.
 *
 * @param status the status byte
 * @returns its explanation
 */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? `Unknown status ${status}`;
}
