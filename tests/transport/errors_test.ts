/**
 * The error mapping on synthetic errors shaped like the ones rustls
 * (Deno.connectTls) and OpenSSL (node:tls) produce, including alerts a
 * node:tls test server never sends (it drops a rogue client certificate
 * without an alert).
 */

import assert from "node:assert/strict";
import {
  ConnectError,
  ConnectionClosedError,
  TimeoutError,
  TlsError,
} from "../../src/errors.ts";
import {
  abortError,
  connectFailed,
  handshakeFailed,
  streamFailed,
  tlsAlertName,
} from "../../src/transport/_errors.ts";

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

Deno.test("tlsAlertName reads rustls messages and OpenSSL codes", () => {
  assert.equal(
    tlsAlertName(new Error("received fatal alert: UnknownCA")),
    "unknown_ca",
  );
  assert.equal(
    tlsAlertName(new Error("received fatal alert: CertificateRequired")),
    "certificate_required",
  );
  assert.equal(
    tlsAlertName(withCode("alert", "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE")),
    "bad_certificate",
  );
  assert.equal(
    tlsAlertName(withCode("x", "ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR")),
    "decrypt_error",
  );
  // Deno's node:tls pairs an OpenSSL code with a rustls message; the
  // message names the alert actually received.
  assert.equal(
    tlsAlertName(
      withCode(
        "received fatal alert: CertificateRequired",
        "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
      ),
    ),
    "certificate_required",
  );
  assert.equal(tlsAlertName(new Error("connection reset")), null);
});

Deno.test("a client-certificate alert on a read is a TlsError", () => {
  const cause = new Error("received fatal alert: UnknownCA");
  const error = streamFailed("127.0.0.1:2195", cause, true);
  assert.ok(error instanceof TlsError);
  assert.equal(
    error.message,
    "127.0.0.1:2195: the server rejected the client certificate " +
      "(TLS alert unknown_ca)",
  );
  assert.equal(error.cause, cause);
  assert.match(
    streamFailed("h:1", new Error("received fatal alert: DecryptError"), true)
      .message,
    /rejected the client certificate \(TLS alert decrypt_error\)/,
  );
});

Deno.test("other read failures are ConnectionClosedError", () => {
  const reset = streamFailed(
    "h:1",
    withCode("read ECONNRESET", "ECONNRESET"),
    true,
  );
  assert.ok(reset instanceof ConnectionClosedError);
  assert.equal(reset.message, "h:1: the connection was reset by the server");
  const other = streamFailed("h:1", new Error("boom"), false);
  assert.ok(other instanceof ConnectionClosedError);
  assert.equal(other.message, "h:1: the connection failed: boom");
});

Deno.test("handshake failures name their cause", () => {
  const untrusted = handshakeFailed(
    "h:1",
    new Error("invalid peer certificate: UnknownIssuer"),
    false,
  );
  assert.equal(
    untrusted.message,
    "TLS handshake with h:1 failed: the server certificate is not trusted " +
      "(invalid peer certificate: UnknownIssuer)",
  );
  const mismatch = handshakeFailed(
    "h:1",
    withCode("Hostname/IP does not match", "ERR_TLS_CERT_ALTNAME_INVALID"),
    false,
  );
  assert.match(mismatch.message, /server certificate is not trusted/);
  const eof = handshakeFailed(
    "h:1",
    Object.assign(new Error("unexpected end of file"), {
      name: "UnexpectedEof",
    }),
    true,
  );
  assert.ok(eof instanceof TlsError);
  assert.equal(
    eof.message,
    "TLS handshake with h:1 failed: the server closed the connection " +
      "(the server may have rejected the client certificate)",
  );
  const protocol = handshakeFailed(
    "h:1",
    new Error("received fatal alert: ProtocolVersion"),
    true,
  );
  assert.equal(
    protocol.message,
    "TLS handshake with h:1 failed: the server sent alert protocol_version",
  );
});

Deno.test("connect failures are ConnectError with the OS message", () => {
  const cause = withCode("connect ECONNREFUSED 10.0.0.1:443", "ECONNREFUSED");
  const error = connectFailed("10.0.0.1:443", cause);
  assert.ok(error instanceof ConnectError);
  assert.equal(
    error.message,
    "cannot connect to 10.0.0.1:443: connect ECONNREFUSED 10.0.0.1:443",
  );
  assert.equal(error.cause, cause);
});

Deno.test("abortError: TimeoutError for timeouts, else the reason", () => {
  const timeout = new AbortController();
  timeout.abort(new DOMException("signal timed out", "TimeoutError"));
  const error = abortError(timeout.signal, "connecting to h:1");
  assert.ok(error instanceof TimeoutError);
  assert.equal((error as Error).message, "connecting to h:1 timed out");
  const ours = new TimeoutError("connect timed out after 10 s");
  assert.equal(abortError(AbortSignal.abort(ours), "x"), ours);
  const reason = new Error("shutting down");
  assert.equal(abortError(AbortSignal.abort(reason), "x"), reason);
});
