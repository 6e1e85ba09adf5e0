/**
 * Turns the raw errors of the runtimes' socket and TLS stacks into the
 * library's error classes, shared by both shipped transports.
 *
 * @module
 */

import {
  CertificateError,
  ConnectError,
  ConnectionClosedError,
  TimeoutError,
  TlsError,
} from "../errors.ts";

/**
 * TLS alerts (RFC 8446 names) a server sends when it does not accept the
 * client certificate: missing, unknown issuer, bad signature, expired...
 */
const CLIENT_CERTIFICATE_ALERTS: ReadonlySet<string> = new Set([
  "handshake_failure",
  "bad_certificate",
  "unsupported_certificate",
  "certificate_revoked",
  "certificate_expired",
  "certificate_unknown",
  "unknown_ca",
  "access_denied",
  "decrypt_error",
  "certificate_required",
]);

/** Codes of OS-level errors that mean the peer went away mid-stream. */
const RESET_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
]);

/**
 * The RFC 8446 name of the fatal TLS alert the peer sent, if `error` reports
 * one: rustls says `received fatal alert: UnknownCA`, OpenSSL codes say
 * `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`. Both become `unknown_ca`.
 *
 * @param error any thrown value
 * @returns the alert name in snake case, or `null`
 */
export function tlsAlertName(error: unknown): string | null {
  const message = errorMessage(error);
  const match = /received fatal alert: ?([A-Za-z_]+)/.exec(message);
  if (match) return snakeCase(match[1]);
  const code = errorCode(error);
  const codeMatch = code ? /_ALERT_([A-Z0-9_]+)$/.exec(code) : null;
  return codeMatch ? codeMatch[1].toLowerCase() : null;
}

/**
 * Whether `error` says the server refused the client certificate (or the
 * lack of one).
 *
 * @param error any thrown value
 * @returns `true` for the alerts listed in {@linkcode CLIENT_CERTIFICATE_ALERTS}
 */
export function isClientCertificateAlert(error: unknown): boolean {
  const alert = tlsAlertName(error);
  return alert !== null && CLIENT_CERTIFICATE_ALERTS.has(alert);
}

/**
 * Builds the `TlsError` for a fatal alert that names the client
 * certificate, with wording that depends on whether one was sent.
 *
 * @param where `host:port`
 * @param alert RFC 8446 alert name
 * @param hadCertificate whether a client certificate was configured
 * @param cause the runtime's error
 * @returns the error to throw or to error a stream with
 */
export function clientCertificateRejected(
  where: string,
  alert: string,
  hadCertificate: boolean,
  cause: unknown,
): TlsError {
  const what = hadCertificate
    ? "the server rejected the client certificate"
    : "the server requires a client certificate and none was configured";
  return new TlsError(`${where}: ${what} (TLS alert ${alert})`, { cause });
}

/**
 * Maps a failure to open the TCP connection (refused, unreachable, DNS).
 *
 * @param where `host:port`
 * @param cause the runtime's error
 * @returns a `ConnectError` naming the address and the OS error
 */
export function connectFailed(where: string, cause: unknown): ConnectError {
  return new ConnectError(
    `cannot connect to ${where}: ${errorMessage(cause)}`,
    { cause },
  );
}

/**
 * Maps a failure of the TLS handshake.
 *
 * @param where `host:port`
 * @param cause the runtime's error
 * @param hadCertificate whether a client certificate was configured
 * @returns a `TlsError` naming the most likely cause
 */
export function handshakeFailed(
  where: string,
  cause: unknown,
  hadCertificate: boolean,
): TlsError {
  const alert = tlsAlertName(cause);
  if (alert !== null && CLIENT_CERTIFICATE_ALERTS.has(alert)) {
    return clientCertificateRejected(where, alert, hadCertificate, cause);
  }
  const message = errorMessage(cause);
  if (alert !== null) {
    return new TlsError(
      `TLS handshake with ${where} failed: the server sent alert ${alert}`,
      { cause },
    );
  }
  if (isServerCertificateProblem(cause)) {
    return new TlsError(
      `TLS handshake with ${where} failed: the server certificate is not ` +
        `trusted (${message})`,
      { cause },
    );
  }
  if (isEndOfStream(cause) || isReset(cause)) {
    const hint = hadCertificate
      ? " (the server may have rejected the client certificate)"
      : "";
    return new TlsError(
      `TLS handshake with ${where} failed: the server closed the ` +
        `connection${hint}`,
      { cause },
    );
  }
  return new TlsError(`TLS handshake with ${where} failed: ${message}`, {
    cause,
  });
}

/**
 * The error for a client certificate or key the TLS stack cannot use.
 *
 * @param where `host:port`
 * @param cause the runtime's error
 * @returns a `CertificateError`
 */
export function unusableCertificate(
  where: string,
  cause: unknown,
): CertificateError {
  return new CertificateError(
    `cannot use the client certificate for ${where}: ${errorMessage(cause)}`,
    { cause },
  );
}

/**
 * Maps a failure of an established connection's read or write.
 *
 * @param where `host:port`
 * @param cause the runtime's error
 * @param hadCertificate whether a client certificate was configured
 * @returns a `TlsError` for TLS alerts, else a `ConnectionClosedError`
 */
export function streamFailed(
  where: string,
  cause: unknown,
  hadCertificate: boolean,
): TlsError | ConnectionClosedError {
  const alert = tlsAlertName(cause);
  if (alert !== null && CLIENT_CERTIFICATE_ALERTS.has(alert)) {
    return clientCertificateRejected(where, alert, hadCertificate, cause);
  }
  if (alert !== null) {
    return new TlsError(`${where}: the server sent TLS alert ${alert}`, {
      cause,
    });
  }
  if (isReset(cause)) {
    return new ConnectionClosedError(
      `${where}: the connection was reset by the server`,
      { cause },
    );
  }
  return new ConnectionClosedError(
    `${where}: the connection failed: ${errorMessage(cause)}`,
    { cause },
  );
}

/**
 * Whether `error` is the TCP connection ending (a close without TLS
 * close_notify included), which both transports treat as a plain EOF.
 *
 * @param error any thrown value
 * @returns `true` for unexpected-EOF errors
 */
export function isEndOfStream(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "UnexpectedEof" ||
    /unexpected end of file|without sending TLS close_notify/i.test(
      errorMessage(error),
    );
}

/**
 * Whether `error` is a connection reset or broken pipe.
 *
 * @param error any thrown value
 * @returns `true` for resets
 */
export function isReset(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const code = errorCode(error);
  return name === "ConnectionReset" || name === "BrokenPipe" ||
    name === "ConnectionAborted" ||
    (code !== undefined && RESET_CODES.has(code));
}

/**
 * The error to reject with when `signal` aborted an operation.
 *
 * @param signal the aborted signal
 * @param what what was being done, for the message
 * @returns a `TimeoutError` for timeouts, else the signal's reason
 */
export function abortError(signal: AbortSignal, what: string): unknown {
  const reason = signal.reason;
  const name = (reason as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") {
    return reason instanceof TimeoutError
      ? reason
      : new TimeoutError(`${what} timed out`, { cause: reason });
  }
  return reason;
}

/**
 * `host:port`, with brackets around IPv6 addresses.
 *
 * @param hostname host name or IP address
 * @param port TCP port
 * @returns the printable address
 */
export function formatAddress(hostname: string, port: number): string {
  return hostname.includes(":")
    ? `[${hostname}]:${port}`
    : `${hostname}:${port}`;
}

/**
 * The message of any thrown value.
 *
 * @param error any thrown value
 * @returns its message, or its string form
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function isServerCertificateProblem(error: unknown): boolean {
  const code = errorCode(error) ?? "";
  return /invalid peer certificate|certificate verify failed/i.test(
    errorMessage(error),
  ) ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(code);
}

function snakeCase(name: string): string {
  if (name.includes("_")) return name.toLowerCase();
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}
