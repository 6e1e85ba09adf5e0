/**
 * A mock of the legacy APNs feedback service (feedback.push.apple.com:2196):
 * on every connection it writes all its tuples, then closes.
 *
 * @module
 */

import type * as tls from "node:tls";
import { encodeFeedbackTuple } from "../binary/feedback.ts";
import { decodeHex } from "../bytes/hex.ts";
import {
  type ListenAddress,
  type MockTlsOptions,
  TlsHost,
} from "./_tls_host.ts";

/** One entry the feedback service reports. */
export interface MockFeedbackTuple {
  /** Device token, hex (any case, any even length up to 65535 bytes). */
  readonly token: string;
  /** UNIX seconds (u32). */
  readonly time: number;
}

/** Options of {@linkcode MockFeedbackService}. */
export interface MockFeedbackServiceOptions extends MockTlsOptions {
  /** Tuples sent to every client, in order. */
  readonly tuples: readonly MockFeedbackTuple[];
}

/**
 * The mock feedback service.
 *
 * @example
 * ```ts ignore
 * await using fb = new MockFeedbackService({ cert, key, ca, tuples: [{ token: "ab".repeat(32), time: 1 }] });
 * const { port } = await fb.listen();
 * ```
 */
export class MockFeedbackService {
  readonly #host: TlsHost;
  readonly #bytes: Uint8Array;
  #connectionCount = 0;

  /**
   * Creates the service (call `listen()` to start it).
   *
   * @param options TLS, address and the tuples to serve
   * @throws {TypeError} when a token is not hex or certificates are missing
   * @throws {RangeError} when a time is not a u32 or a token is too long
   */
  constructor(options: MockFeedbackServiceOptions) {
    if (!Array.isArray(options?.tuples)) {
      throw new TypeError("tuples must be an array");
    }
    const parts = options.tuples.map(({ token, time }) => {
      let bytes: Uint8Array;
      try {
        bytes = decodeHex(token);
      } catch {
        throw new TypeError(`feedback token is not hex: ${token}`);
      }
      return encodeFeedbackTuple(bytes, time);
    });
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      all.set(part, offset);
      offset += part.length;
    }
    this.#bytes = all;
    this.#host = new TlsHost(options, (socket) => this.#serve(socket));
  }

  /**
   * Starts listening.
   *
   * @returns the bound address
   */
  listen(): Promise<ListenAddress> {
    return this.#host.listen();
  }

  /** The bound address, once listening. */
  get address(): ListenAddress | undefined {
    return this.#host.address;
  }

  /** TLS connections served so far. */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** Handshakes that failed (e.g. a client certificate not from `ca`). */
  get tlsErrors(): number {
    return this.#host.tlsErrors;
  }

  /**
   * Stops listening and closes every connection.
   *
   * @returns settles when everything is closed
   */
  close(): Promise<void> {
    return this.#host.close();
  }

  /**
   * Same as `close()`, for `await using`.
   *
   * @returns settles when everything is closed
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #serve(socket: tls.TLSSocket): void {
    this.#connectionCount++;
    this.#host.endAndDrain(
      socket,
      this.#bytes.length > 0 ? this.#bytes : undefined,
    );
  }
}
