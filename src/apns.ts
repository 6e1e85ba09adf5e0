/**
 * {@linkcode APNs}: sends messages and reads the feedback service over a
 * connection from a {@linkcode Session}.
 *
 * @module
 */

import { FeedbackDecoder } from "./binary/feedback.ts";
import { AddressError, TimeoutError } from "./errors.ts";
import { binaryLog as log } from "./log.ts";
import type { BinaryDispatcher } from "./binary/binary_dispatcher.ts";
import type { Message } from "./message.ts";
import { PackedTokens } from "./binary/packed_tokens.ts";
import { Result } from "./result.ts";
import type { SessionConnection } from "./session.ts";

/** Options of {@linkcode APNs.send}. */
export interface SendOptions {
  /**
   * Tokens to send the message to instead of `message.tokens`: an iterable
   * or an async iterable, read as sending proceeds (bounded memory).
   */
  readonly tokens?: Iterable<string> | AsyncIterable<string>;
  /**
   * HTTP/2: keep each accepted notification's `apns-id` in
   * `Result.apnsIds`. Default: true unless `tokens` is an async iterable.
   */
  readonly apnsIds?: boolean;
}

const BATCH = 10_000;
const BATCHES_IN_FLIGHT = 4;

/**
 * The outcome of a streamed send, folded in batch by batch: a batch's
 * `Result` holds its message and so its tokens, which must not outlive it.
 */
class StreamedOutcome {
  accepted = 0;
  readonly failed = new Map<string, [number, string]>();
  readonly errors: [number | null, string][] = [];
  readonly retry: string[] = [];
  retryable = true;
  /** Whether any batch reached a server (accepted or failed tokens). */
  reached = false;
  batches = 0;

  add(r: Result): void {
    this.batches++;
    this.accepted += r.accepted;
    if (r.accepted > 0 || r.failed.size > 0) this.reached = true;
    for (const [t, f] of r.failed) this.failed.set(t, f);
    for (const e of r.errors) this.addError(e[0], e[1]);
    for (const t of r.retryTokens) this.retry.push(t);
    if (r.retryTokens.length > 0 && !r.needsRetry()) this.retryable = false;
  }

  addError(code: number | null, text: string): void {
    if (!this.errors.some(([c, x]) => c === code && x === text)) {
      this.errors.push([code, text]);
    }
  }
}

/** Binary protocol: streams tokens as pipelined messages of {@linkcode BATCH}. */
async function sendInBatches(
  binary: BinaryDispatcher,
  message: Message,
  tokens: Iterable<string> | AsyncIterable<string>,
): Promise<Result> {
  const outcome = new StreamedOutcome();
  const inFlight = new Set<Promise<void>>();
  // Tokens in flight wait as bytes, not strings (see PackedTokens); the
  // buffers of settled batches are reused.
  const spare: PackedTokens[] = [];
  const nextBatch = () => spare.pop() ?? new PackedTokens(BATCH);
  let batch = nextBatch();
  let firstFailure: unknown = undefined;
  const flush = async () => {
    const part = batch;
    batch = nextBatch();
    const p: Promise<void> = binary.send(message, part).then(
      (r) => {
        outcome.add(r);
        part.clear();
        spare.push(part);
      },
      (error) => {
        // Nothing of this batch went out (no connection): its tokens wait
        // in retry(), the others' results stay.
        firstFailure ??= error;
        outcome.add(
          new Result(message, {
            errors: [[
              null,
              error instanceof Error ? error.message : String(error),
            ]],
            retryTokens: part.toArray(),
          }),
        );
      },
    ).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
  };
  let stopped: unknown = undefined;
  try {
    for await (const token of tokens) {
      batch.push(token);
      if (batch.length === BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  } catch (error) {
    // The token source failed part-way: send what was read, keep the rest.
    if (outcome.batches === 0 && inFlight.size === 0 && batch.length === 0) {
      throw error;
    }
    stopped = error;
    if (batch.length > 0) await flush();
  }
  await Promise.all(inFlight);
  if (firstFailure !== undefined && !outcome.reached) {
    // Nothing reached a server: a failure to connect, as for one message.
    throw firstFailure;
  }
  const errors: [number | null, string][] = stopped === undefined ? [] : [[
    null,
    `sending stopped: ${stopped instanceof Error ? stopped.message : stopped}`,
  ]];
  for (const e of outcome.errors) {
    if (!errors.some(([c, x]) => c === e[0] && x === e[1])) errors.push(e);
  }
  return new Result(message, {
    accepted: outcome.accepted,
    failed: outcome.failed,
    errors,
    retryTokens: outcome.retry,
    retryable: outcome.retryable,
  });
}

/** One feedback record: the device token (lower-case hex) and when APNs found it invalid. */
export type FeedbackEntry = [token: string, when: Date];

/**
 * The APNs client.
 *
 * @example
 * ```ts ignore
 * const apns = new APNs(session.getConnection("push_sandbox", cert));
 * const result = await apns.send(new Message(tokens, { alert: "Hello" }));
 * for (const [token, [code, why]] of result.failed) forget(token);
 * if (result.needsRetry()) await apns.send(result.retry()!);
 * ```
 */
export class APNs {
  /** The connection this client talks through. */
  readonly connection: SessionConnection;

  /**
   * Creates a client over a connection handle.
   *
   * @param connection a handle from `session.getConnection()` or `session.newConnection()`
   */
  constructor(connection: SessionConnection) {
    if (!connection || typeof connection.entry !== "function") {
      throw new TypeError(
        "APNs needs a connection from session.getConnection() or newConnection()",
      );
    }
    this.connection = connection;
  }

  /**
   * Sends the message to all its tokens. Several sends may be in flight on
   * one connection; each resolves once every token is resolved (about one
   * round trip after its last notification is written).
   *
   * @param message the message
   * @param options `tokens` to send to instead of `message.tokens` (an
   *   iterable or async iterable, streamed with bounded memory), and
   *   `apnsIds` (HTTP/2: keep each accepted notification's apns-id)
   * @returns the outcome: `accepted`, `failed`, `errors`, `retry()`
   * @throws {ApnsError} (rejects) when nothing could be sent: a bad
   *   certificate, a refused connection, a rejected TLS handshake, a timeout
   */
  async send(message: Message, options: SendOptions = {}): Promise<Result> {
    const entry = await this.connection.entry();
    try {
      if (entry.http2) {
        return await entry.http2.send(
          message,
          options.tokens ?? message.tokens,
          options,
        );
      }
      const binary = entry.binary!;
      if (options.tokens === undefined) return await binary.send(message);
      return await sendInBatches(binary, message, options.tokens);
    } finally {
      void this.connection.release(entry);
    }
  }

  /**
   * Sends a message to a broadcast channel (iOS 18 Live Activities) over an
   * HTTP/2 connection (`api_sandbox`, `api_production`). The result treats
   * the channel id like a token.
   *
   * @param channelId the channel (from `BroadcastChannels.create`)
   * @param message the message; its tokens are ignored
   * @param bundleId the app; default: the message's topic, else the certificate's
   * @returns the outcome
   */
  async broadcast(
    channelId: string,
    message: Message,
    bundleId?: string,
  ): Promise<Result> {
    const entry = await this.connection.entry();
    try {
      if (!entry.http2) {
        throw new AddressError(
          "broadcast push needs an HTTP/2 address (api_sandbox, api_production)",
        );
      }
      return await entry.http2.broadcast(message, channelId, bundleId);
    } finally {
      void this.connection.release(entry);
    }
  }

  /**
   * Reads the feedback service: `[token, when]` pairs as they arrive. A
   * failure to connect throws; an I/O failure after connecting ends the
   * iteration quietly (the rest comes next time), as in the seed.
   *
   * @returns an async iterator of feedback entries
   * @throws {ApnsError} when the connection cannot be opened
   */
  async *feedback(): AsyncGenerator<FeedbackEntry, void, undefined> {
    const entry = await this.connection.entry();
    if (entry.http2) {
      throw new AddressError(
        "the feedback service speaks the binary protocol (feedback_sandbox, " +
          "feedback_production); the HTTP/2 API reports invalid tokens as 410 " +
          "answers in Result.unregistered",
      );
    }
    entry.feedbackActive++;
    let conn;
    try {
      conn = await entry.openRaw();
    } catch (error) {
      entry.feedbackActive--;
      throw error;
    }
    const readTimeout = entry.readTimeout;
    const decoder = new FeedbackDecoder();
    const reader = conn.readable.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      for (;;) {
        let chunk;
        try {
          chunk = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    new TimeoutError(
                      `no feedback bytes for ${readTimeout} ms`,
                    ),
                  ),
                readTimeout,
              );
            }),
          ]);
        } finally {
          clearTimeout(timer);
        }
        if (chunk.done) break;
        for (const { token, time } of decoder.push(chunk.value)) {
          yield [token, new Date(time * 1000)];
        }
      }
      if (decoder.pending > 0) {
        log.debug("feedback ended inside a tuple ({n} bytes left)", {
          n: decoder.pending,
        });
      }
    } catch (error) {
      // Seed behaviour: after a successful connect, I/O failures end the
      // iteration; the rest is read next time.
      log.debug("feedback ended early: {error}", { error });
    } finally {
      reader.releaseLock();
      conn.close();
      entry.feedbackActive--;
      entry.touch();
      void this.connection.release(entry);
    }
  }
}
