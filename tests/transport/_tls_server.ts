/**
 * A `node:tls` test server on 127.0.0.1 that can require client
 * certificates (Deno's own TLS server cannot), for the transport tests.
 *
 * @module
 */

import type { Socket } from "node:net";
import * as tls from "node:tls";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/**
 * Reads a PEM file from `tests/fixtures/`.
 *
 * @param name file name
 * @returns its text
 */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** How the test server treats each connection. */
export interface TlsServerOptions {
  /** Handles each established TLS connection. */
  onConnection(socket: tls.TLSSocket): void;
  /** Require a client certificate signed by `ca.crt`. */
  requireClientCertificate?: boolean;
  /** Highest TLS version the server accepts. */
  maxVersion?: tls.SecureVersion;
  /** ALPN protocols the server selects from. */
  alpnProtocols?: string[];
}

/** A running test server; dispose of it to stop it. */
export interface TlsServer extends AsyncDisposable {
  /** The ephemeral port it listens on. */
  readonly port: number;
  /** `tlsClientError`s the server saw (rejected handshakes). */
  readonly clientErrors: Error[];
  /** Stops the server, destroying every open socket. */
  close(): Promise<void>;
}

/**
 * Starts a TLS server on 127.0.0.1 and an ephemeral port.
 *
 * @param options how to treat connections
 * @returns the running server
 */
export async function startTlsServer(
  options: TlsServerOptions,
): Promise<TlsServer> {
  const sockets = new Set<Socket>();
  const clientErrors: Error[] = [];
  const server = tls.createServer({
    cert: fixture("server.crt"),
    key: fixture("server.key"),
    ca: [fixture("ca.crt")],
    requestCert: options.requireClientCertificate ?? false,
    rejectUnauthorized: options.requireClientCertificate ?? false,
    ALPNProtocols: options.alpnProtocols ?? ["h2"],
    allowHalfOpen: true,
    ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
  }, (socket) => {
    socket.on("error", () => {});
    options.onConnection(socket);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", (error: Error) => clientErrors.push(error));
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve())
  );
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("no TCP address");
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return {
    port: address.port,
    clientErrors,
    close,
    [Symbol.asyncDispose]: close,
  };
}
