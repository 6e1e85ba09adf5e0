/**
 * Both shipped transports against a real `node:tls` server on 127.0.0.1,
 * through one table of cases.
 */

import assert from "node:assert/strict";
import type { TLSSocket } from "node:tls";
import {
  ConnectError,
  ConnectionClosedError,
  TimeoutError,
  TlsError,
} from "../../src/errors.ts";
import { DenoTlsTransport } from "../../src/transport/deno_tls.ts";
import { NodeTlsTransport } from "../../src/transport/node_tls.ts";
import type {
  ClientCertificate,
  Connection,
  ConnectOptions,
  Transport,
} from "../../src/transport/types.ts";
import { fixture, startTlsServer } from "./_tls_server.ts";

const CA = fixture("ca.crt");
const CLIENT: ClientCertificate = {
  cert: fixture("client.crt"),
  key: fixture("client.key"),
};
const ROGUE: ClientCertificate = {
  cert: fixture("rogue.crt"),
  key: fixture("rogue.key"),
};

const TRANSPORTS: Transport[] = [
  new DenoTlsTransport(),
  new NodeTlsTransport(),
];

function options(
  server: { port: number },
  extra: Partial<ConnectOptions> = {},
): ConnectOptions {
  return { hostname: "127.0.0.1", port: server.port, caCerts: [CA], ...extra };
}

/** Reads until EOF and concatenates. */
async function readAll(
  readable: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of readable) {
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** Deterministic bytes and chunk sizes (xorshift32). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * Echoes without backpressure: Deno 2.9's node:tls server loses data once a
 * socket is paused (which `socket.pipe(socket)` does under load).
 */
const echo = (socket: TLSSocket) => {
  socket.on("data", (chunk: Uint8Array) => socket.write(chunk));
  socket.on("end", () => socket.end());
};

/** A connection that stays open is closed even when an assertion fails. */
async function withConnection(
  connection: Connection,
  body: (connection: Connection) => void | Promise<void>,
): Promise<void> {
  try {
    await body(connection);
  } finally {
    connection.close();
    await connection.closed;
  }
}

interface Case {
  name: string;
  fn(transport: Transport): Promise<void>;
}

const CASES: Case[] = [
  {
    name: "echoes 1 MiB written in arbitrary chunks, then half-closes",
    async fn(transport) {
      await using server = await startTlsServer({ onConnection: echo });
      const next = random(0x9e3779b9);
      const data = new Uint8Array(1 << 20);
      for (let i = 0; i < data.length; i++) data[i] = next() & 0xff;
      const connection = await transport.connect(options(server));
      await withConnection(connection, async () => {
        const reading = readAll(connection.readable);
        const writer = connection.writable.getWriter();
        for (let offset = 0; offset < data.length;) {
          const size = 1 + (next() % 70_000);
          await writer.write(data.subarray(offset, offset + size));
          offset += size;
        }
        writer.releaseLock(); // must not close anything
        await connection.closeWrite();
        const received = await reading;
        assert.equal(received.length, data.length);
        assert.ok(received.every((byte, i) => byte === data[i]));
      });
    },
  },
  {
    name: "reports the ALPN protocol, or null when none was offered",
    async fn(transport) {
      await using server = await startTlsServer({
        onConnection: echo,
        alpnProtocols: ["h2", "http/1.1"],
      });
      const h2 = await transport.connect(
        options(server, { alpnProtocols: ["h2"] }),
      );
      await withConnection(h2, () => assert.equal(h2.alpnProtocol, "h2"));
      const none = await transport.connect(options(server));
      await withConnection(none, () => assert.equal(none.alpnProtocol, null));
    },
  },
  {
    name: "closeWrite sends EOF and the server's reply still arrives",
    async fn(transport) {
      await using server = await startTlsServer({
        onConnection(socket) {
          let received = 0;
          socket.on("data", (chunk: Uint8Array) => received += chunk.length);
          socket.on("end", () => socket.end(`got ${received} bytes`));
        },
      });
      const connection = await transport.connect(options(server));
      await withConnection(connection, async () => {
        const writer = connection.writable.getWriter();
        await writer.write(new TextEncoder().encode("hello"));
        writer.releaseLock();
        await connection.closeWrite();
        await connection.closeWrite(); // idempotent
        const reply = new TextDecoder().decode(
          await readAll(connection.readable),
        );
        assert.equal(reply, "got 5 bytes");
        // Both directions done: the connection closes by itself.
        await connection.closed;
        await assert.rejects(
          connection.writable.getWriter().write(new Uint8Array(1)),
          ConnectionClosedError,
        );
      });
    },
  },
  {
    name: "the server's EOF leaves the write side open (half-open)",
    async fn(transport) {
      let received = "";
      let ended!: () => void;
      const serverSawEnd = new Promise<void>((resolve) => ended = resolve);
      await using server = await startTlsServer({
        onConnection(socket) {
          socket.end("bye");
          socket.on("data", (chunk: Uint8Array) => received += chunk);
          socket.on("end", () => ended());
        },
      });
      const connection = await transport.connect(options(server));
      await withConnection(connection, async () => {
        const reply = new TextDecoder().decode(
          await readAll(connection.readable),
        );
        assert.equal(reply, "bye");
        const writer = connection.writable.getWriter();
        await writer.write(new TextEncoder().encode("after"));
        writer.releaseLock();
        await connection.closeWrite();
        await serverSawEnd;
        assert.equal(received, "after");
        await connection.closed;
      });
    },
  },
  {
    name: "close() is idempotent, settles closed and ends a pending read",
    async fn(transport) {
      await using server = await startTlsServer({ onConnection: echo });
      const connection = await transport.connect(options(server));
      const reader = connection.readable.getReader();
      const pending = reader.read();
      connection.close();
      connection.close();
      await connection.closed;
      assert.deepEqual(await pending, { done: true, value: undefined });
      await assert.rejects(
        connection.writable.getWriter().write(new Uint8Array(1)),
        ConnectionClosedError,
      );
    },
  },
  {
    name: "closing the writable closes the connection",
    async fn(transport) {
      await using server = await startTlsServer({ onConnection: echo });
      const connection = await transport.connect(options(server));
      await connection.writable.close();
      await connection.closed;
      assert.deepEqual(await connection.readable.getReader().read(), {
        done: true,
        value: undefined,
      });
    },
  },
  {
    name: "a server that ends or destroys the socket gives a plain EOF",
    async fn(transport) {
      for (const how of ["end", "destroy"] as const) {
        await using server = await startTlsServer({
          onConnection: (socket) =>
            how === "end" ? socket.end() : socket.destroy(),
        });
        const connection = await transport.connect(options(server));
        await withConnection(connection, async () => {
          assert.equal((await readAll(connection.readable)).length, 0, how);
        });
      }
    },
  },
  {
    name: "a refused port is a ConnectError naming host:port",
    async fn(transport) {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const { port } = listener.addr;
      listener.close();
      const error = await transport.connect(options({ port })).then(
        () => assert.fail("connected"),
        (error) => error,
      );
      assert.ok(error instanceof ConnectError, String(error));
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.ok(error.cause !== undefined);
    },
  },
  {
    name: "an untrusted server certificate is a TlsError",
    async fn(transport) {
      await using server = await startTlsServer({ onConnection: echo });
      const error = await transport.connect(
        options(server, { caCerts: undefined }),
      ).then(() => assert.fail("connected"), (error) => error);
      assert.ok(error instanceof TlsError, String(error));
      assert.match(error.message, /server certificate is not trusted/);
      assert.ok(error.cause !== undefined);
    },
  },
  {
    name: "the trusted client certificate is accepted",
    async fn(transport) {
      await using server = await startTlsServer({
        onConnection: echo,
        requireClientCertificate: true,
      });
      const connection = await transport.connect(
        options(server, { certificate: CLIENT, alpnProtocols: ["h2"] }),
      );
      await withConnection(connection, async () => {
        assert.equal(connection.alpnProtocol, "h2");
        const writer = connection.writable.getWriter();
        await writer.write(new TextEncoder().encode("ping"));
        const { value } = await connection.readable.getReader().read();
        assert.equal(new TextDecoder().decode(value), "ping");
      });
    },
  },
  {
    // A node:tls server with rejectUnauthorized drops the socket without a
    // TLS alert. Under TLS 1.3 the client has finished its handshake by
    // then, so the stack gives only an EOF (a close without close_notify)
    // at the first read: the layer above must read "EOF before any byte"
    // as a probable certificate rejection. Under TLS 1.2 the handshake
    // itself fails.
    name: "a rogue client certificate: EOF (TLS 1.3) or TlsError (TLS 1.2)",
    async fn(transport) {
      {
        await using server = await startTlsServer({
          onConnection: echo,
          requireClientCertificate: true,
        });
        const connection = await transport.connect(
          options(server, { certificate: ROGUE }),
        );
        await withConnection(connection, async () => {
          const writer = connection.writable.getWriter();
          // The write succeeds: the server has not answered yet.
          await writer.write(new TextEncoder().encode("ping")).catch(() => {});
          writer.releaseLock();
          const received = await readAll(connection.readable).catch((error) => {
            // Should the close reach us as a TCP reset (the server dropped
            // unread bytes), the read fails instead of ending.
            assert.ok(error instanceof ConnectionClosedError, String(error));
            return new Uint8Array(0);
          });
          assert.equal(received.length, 0);
        });
      }
      {
        await using server = await startTlsServer({
          onConnection: echo,
          requireClientCertificate: true,
          maxVersion: "TLSv1.2",
        });
        await assert.rejects(
          transport.connect(options(server, { certificate: ROGUE })),
          (error: Error) =>
            error instanceof TlsError &&
            /server closed the connection \(the server may have rejected the client certificate\)/
              .test(error.message),
        );
      }
    },
  },
  {
    name: "no client certificate: TlsError with certificate_required",
    async fn(transport) {
      const expected = (error: Error) =>
        error instanceof TlsError &&
        /requires a client certificate and none was configured \(TLS alert certificate_required\)/
          .test(error.message) &&
        error.cause !== undefined;
      {
        // TLS 1.3: the alert arrives after the handshake, at the first read.
        await using server = await startTlsServer({
          onConnection: echo,
          requireClientCertificate: true,
        });
        const connection = await transport.connect(options(server));
        await withConnection(connection, async () => {
          await assert.rejects(readAll(connection.readable), expected);
          await connection.closed;
        });
      }
      {
        await using server = await startTlsServer({
          onConnection: echo,
          requireClientCertificate: true,
          maxVersion: "TLSv1.2",
        });
        await assert.rejects(transport.connect(options(server)), expected);
      }
    },
  },
  {
    name: "an aborted signal is a TimeoutError (timeout) or its reason",
    async fn(transport) {
      // A TCP server that accepts but never speaks TLS.
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const accepted: Deno.Conn[] = [];
      const accepting = (async () => {
        for await (const conn of listener) accepted.push(conn);
      })();
      try {
        const started = Date.now();
        await assert.rejects(
          transport.connect(
            options(listener.addr, { signal: AbortSignal.timeout(150) }),
          ),
          (error: Error) =>
            error instanceof TimeoutError && /timed out/.test(error.message),
        );
        assert.ok(Date.now() - started < 2_000);
        const reason = new Error("stop");
        const controller = new AbortController();
        controller.abort(reason);
        await assert.rejects(
          transport.connect(
            options(listener.addr, { signal: controller.signal }),
          ),
          (error) => error === reason,
        );
      } finally {
        listener.close();
        await accepting;
        for (const conn of accepted) conn.close();
      }
    },
  },
];

for (const transport of TRANSPORTS) {
  for (const { name, fn } of CASES) {
    Deno.test(`${transport.name}: ${name}`, () => fn(transport));
  }
}
