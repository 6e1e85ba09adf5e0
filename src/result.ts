/**
 * {@linkcode Result}: what happened to each token of a sent message.
 *
 * @module
 */

import type { Message } from "./message.ts";

/** `[code, explanation]`: a status code (binary) or HTTP status, and its reason. */
export type Failure = [code: number, explanation: string];

/** `[code, explanation]`; `code` is `null` for I/O failures. */
export type ErrorEntry = [code: number | null, explanation: string];

/** What a {@linkcode Result} is made of (the senders fill it in). */
export interface ResultInit {
  /** Tokens the server (or the encoder) rejected, with the reason. */
  failed?: Map<string, Failure>;
  /** Failures that are not a token's fault. */
  errors?: ErrorEntry[];
  /** Tokens not proven accepted and not failed, in send order. */
  retryTokens?: string[];
  /** Whether sending `retryTokens` again can succeed. Default true. */
  retryable?: boolean;
  /** How many notifications were accepted. */
  accepted?: number;
  /** HTTP/2: tokens answered with 410, and since when they are invalid. */
  unregistered?: Map<string, Date>;
  /** HTTP/2: the `apns-id` of each accepted notification, by token. */
  apnsIds?: Map<string, string>;
}

/**
 * The outcome of `APNs.send`. Every token of the message is in exactly one
 * of three places: accepted (counted in {@linkcode Result.accepted}),
 * {@linkcode Result.failed}, or the message {@linkcode Result.retry} returns.
 *
 * @example
 * ```ts
 * import { Message, Result } from "../mod.ts";
 * const message = new Message(["aa", "bb", "cc"], { alert: "hi" });
 * const result = new Result(message, {
 *   accepted: 1,
 *   failed: new Map([["bb", [8, "Invalid token"]]]),
 *   retryTokens: ["cc"],
 * });
 * console.assert(result.needsRetry() && result.retry()!.tokens[0] === "cc");
 * ```
 */
export class Result {
  /** The message that was sent. */
  readonly message: Message;
  /** Failed tokens: token → `[code, explanation]`. Stop using these tokens. */
  readonly failed: Map<string, Failure>;
  /** Failures not related to a token: `[code | null, explanation]`. */
  readonly errors: ErrorEntry[];
  /** How many notifications were accepted (no error seen). */
  readonly accepted: number;
  /** HTTP/2: tokens the server reported as no longer valid (410), with since when. */
  readonly unregistered: Map<string, Date>;
  /** HTTP/2: `apns-id` of each accepted notification, by token. */
  readonly apnsIds: Map<string, string>;
  readonly #retryTokens: readonly string[];
  readonly #retryable: boolean;

  /**
   * Creates a result (the senders do; tests may too).
   *
   * @param message the message that was sent
   * @param init the outcome
   */
  constructor(message: Message, init: ResultInit = {}) {
    this.message = message;
    this.failed = init.failed ?? new Map();
    this.errors = init.errors ?? [];
    this.accepted = init.accepted ?? 0;
    this.unregistered = init.unregistered ?? new Map();
    this.apnsIds = init.apnsIds ?? new Map();
    this.#retryTokens = Object.freeze([...(init.retryTokens ?? [])]);
    this.#retryable = init.retryable ?? true;
  }

  /**
   * Whether some tokens should be sent again. False when nothing is left, or
   * when the error means the same message would fail again (statuses 3, 4,
   * 6, 7 in the binary protocol): `retry()` still returns those tokens then,
   * so that none is lost.
   *
   * @returns true when {@linkcode Result.retry} is worth sending
   */
  needsRetry(): boolean {
    return this.#retryable && this.#retryTokens.length > 0;
  }

  /** The tokens not proven accepted and not failed, in send order. */
  get retryTokens(): readonly string[] {
    return this.#retryTokens;
  }

  /**
   * The message again, addressed to the tokens to send once more, or `null`
   * when there are none.
   *
   * @returns a message, or `null`
   */
  retry(): Message | null {
    if (this.#retryTokens.length === 0) return null;
    return this.message.withTokens(this.#retryTokens);
  }
}
