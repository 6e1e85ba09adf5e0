/**
 * One `send` call in flight on the binary protocol: which of its tokens are
 * still to write, and the ledger that puts every token in exactly one of
 * accepted, failed or to-retry.
 *
 * @module
 */

import type { Message } from "../message.ts";
import { type ErrorEntry, type Failure, Result } from "../result.ts";
import type { NotificationEncoder } from "./notification_encoder.ts";
import type { PackedTokens } from "./packed_tokens.ts";

/** A `send` call's state while its notifications are on the wire. */
export class SendJob {
  /** The message being sent. */
  readonly message: Message;
  /** Its tokens (the message's array), unless they are packed. */
  readonly tokens: readonly string[];
  /** The tokens as bytes (streamed batches), or `null`. */
  readonly packed: PackedTokens | null;
  /** Number of tokens. */
  readonly count: number;
  /** Encoder for the message's template, or `null` when it cannot be encoded. */
  readonly encoder: NotificationEncoder | null;
  /** Next never-written token index. */
  next = 0;
  /** Token indices to write again (discarded by the server), in order. */
  readonly requeued: number[] = [];
  /** Read position in {@linkcode SendJob.requeued}. */
  requeuedAt = 0;
  /** Whether the job sits in its dispatcher's queue. */
  queued = false;
  /** Tokens not yet resolved. */
  outstanding: number;
  /** Notifications accepted. */
  accepted = 0;
  /** Token failures. */
  readonly failed: Map<string, Failure> = new Map();
  /** Errors not related to a token. */
  readonly errors: ErrorEntry[] = [];
  /** Token indices handed to `retry()`. */
  readonly retry: number[] = [];
  /** A status after which resending the message is pointless (3, 4, 6, 7). */
  finalStatus: number | null = null;
  /** Whether any notification of the job has been handed to a socket. */
  written = false;
  /** Whether the server resolved any notification (accepted or failed). */
  answered = false;
  /** Consecutive resend rounds in which nothing of the job was resolved. */
  stalls = 0;
  /** Serial of the link whose loss last counted as a resend round. */
  roundLink = 0;
  /** Settled: resolved or rejected. */
  settled = false;
  readonly #resolve: (result: Result) => void;
  readonly #reject: (error: unknown) => void;
  /** The caller's promise. */
  readonly promise: Promise<Result>;

  /**
   * @param message the message to send
   * @param encoder its encoder, or `null` when the payload cannot be encoded
   * @param packed the tokens to send to, packed, instead of the message's
   */
  constructor(
    message: Message,
    encoder: NotificationEncoder | null,
    packed: PackedTokens | null = null,
  ) {
    this.message = message;
    this.tokens = packed === null ? message.tokens : [];
    this.packed = packed;
    this.count = packed === null ? this.tokens.length : packed.length;
    this.encoder = encoder;
    this.outstanding = this.count;
    // Not Promise.withResolvers: Node 20 lacks it.
    let resolve!: (result: Result) => void;
    let reject!: (error: unknown) => void;
    this.promise = new Promise<Result>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * The token at `index`, as the caller gave it.
   *
   * @param index token index
   * @returns the token
   */
  tokenAt(index: number): string {
    return this.packed === null ? this.tokens[index] : this.packed.at(index);
  }

  /** Whether some token waits to be written. */
  get hasWork(): boolean {
    return !this.settled &&
      (this.requeuedAt < this.requeued.length ||
        this.next < this.count);
  }

  /**
   * Takes the next token index to write (requeued ones first), or -1.
   *
   * @returns a token index or -1
   */
  take(): number {
    if (this.requeuedAt < this.requeued.length) {
      const index = this.requeued[this.requeuedAt++];
      if (this.requeuedAt === this.requeued.length) {
        this.requeued.length = 0;
        this.requeuedAt = 0;
      }
      return index;
    }
    return this.next < this.count ? this.next++ : -1;
  }

  /**
   * Puts a token index back, to be written on another connection.
   *
   * @param index the token's index
   */
  requeue(index: number): void {
    if (this.finalStatus !== null) this.toRetry(index);
    else this.requeued.push(index);
  }

  /**
   * Counts notifications as accepted.
   *
   * @param count how many (default 1)
   */
  accept(count = 1): void {
    this.accepted += count;
    this.answered = true;
    this.#resolved(count);
  }

  /**
   * Records a failed token.
   *
   * @param index the token's index
   * @param code status code
   * @param explanation its explanation
   * @param byServer whether the server (not the encoder) reported it
   */
  fail(
    index: number,
    code: number,
    explanation: string,
    byServer = true,
  ): void {
    this.failed.set(this.tokenAt(index), [code, explanation]);
    if (byServer) this.answered = true;
    this.#resolved();
  }

  /**
   * Hands a token index to `retry()`.
   *
   * @param index the token's index
   */
  toRetry(index: number): void {
    this.retry.push(index);
    this.#resolved();
  }

  /**
   * Hands every token not yet written to `retry()`.
   */
  abandonUnwritten(): void {
    let index: number;
    while ((index = this.take()) >= 0) this.toRetry(index);
  }

  /**
   * Records an error once (the same text is not repeated).
   *
   * @param code status or `null`
   * @param explanation what happened
   */
  addError(code: number | null, explanation: string): void {
    const last = this.errors[this.errors.length - 1];
    if (!last || last[0] !== code || last[1] !== explanation) {
      this.errors.push([code, explanation]);
    }
  }

  /**
   * Rejects the caller's promise (nothing of the job reached the server).
   *
   * @param error the reason
   */
  rejectWith(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#reject(error);
  }

  /** Resolves the promise at once when no token is outstanding (an empty message). */
  settleIfDone(): void {
    this.outstanding++;
    this.#resolved();
  }

  #resolved(count = 1): void {
    this.outstanding -= count;
    if (this.outstanding === 0 && !this.settled) {
      this.settled = true;
      this.retry.sort((a, b) => a - b);
      this.#resolve(
        new Result(this.message, {
          accepted: this.accepted,
          failed: this.failed,
          errors: this.errors,
          retryTokens: this.retry.map((i) => this.tokenAt(i)),
          retryable: this.finalStatus === null,
        }),
      );
    }
  }
}
