/**
 * {@linkcode APNs}: sends messages and reads the feedback service over a
 * connection from a {@linkcode Session}.
 *
 * @module
 */

import { FeedbackDecoder } from "./binary/feedback.ts";
import { TimeoutError } from "./errors.ts";
import { binaryLog as log } from "./log.ts";
import type { Message } from "./message.ts";
import type { Result } from "./result.ts";
import type { SessionConnection } from "./session.ts";

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
   * one connection; each resolves about one round trip after its last
   * notification is written.
   *
   * @param message the message
   * @returns the outcome: accepted, `failed`, `errors`, `retry()`
   * @throws {ApnsError} (rejects) when nothing could be sent: a bad
   *   certificate, a refused connection, a rejected TLS handshake, a timeout
   */
  async send(message: Message): Promise<Result> {
    const entry = await this.connection.entry();
    try {
      return await entry.dispatcher.send(message);
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
