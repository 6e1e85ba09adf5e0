/**
 * {@linkcode NullTransport}: the binary protocol without a socket, for
 * measuring the library's own CPU cost per notification (`binary_bench.ts`,
 * `profile_binary_send.ts`).
 *
 * @module
 */

import type { Connection, Transport } from "../src/transport/types.ts";

/**
 * An in-memory transport: discards what is written and answers the
 * end-of-burst probe (the 31-byte command-2 frame with an empty token that
 * ends every burst) with status 2, as a gateway does. It isolates the
 * library's CPU cost per notification from TLS and the kernel.
 */
export class NullTransport implements Transport {
  readonly name = "null";
  bytes = 0;

  connect(): Promise<Connection> {
    let answer!: ReadableStreamDefaultController<Uint8Array>;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => resolveClosed = r);
    let done = false;
    const close = () => {
      if (done) return;
      done = true;
      try {
        answer.close();
      } catch {
        // already closed
      }
      resolveClosed();
    };
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        answer = controller;
      },
    });
    const writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        this.bytes += chunk.length;
        const p = chunk.length - 31;
        if (
          p >= 0 && chunk[p] === 2 && chunk[p + 5] === 1 &&
          chunk[p + 6] === 0 && chunk[p + 7] === 0 && chunk[p + 13] === 3
        ) {
          answer.enqueue(
            new Uint8Array([8, 2, ...chunk.subarray(p + 16, p + 20)]),
          );
          close();
        }
      },
    });
    return Promise.resolve({
      readable,
      writable,
      alpnProtocol: null,
      closed,
      closeWrite: () => Promise.resolve(),
      close,
    });
  }
}
