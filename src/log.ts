/**
 * Loggers. The library logs through LogTape, a library-first logger: it is
 * silent until the application calls LogTape's `configure()` for the
 * `["apns"]` category. Nothing logged ever holds a key or a certificate.
 *
 * @module
 */

import { getLogger, type Logger } from "@logtape/logtape";

/** Logger for connection and pool events (`["apns", "session"]`). */
export const sessionLog: Logger = getLogger(["apns", "session"]);
/** Logger for the binary protocol (`["apns", "binary"]`). */
export const binaryLog: Logger = getLogger(["apns", "binary"]);
/** Logger for the HTTP/2 provider API (`["apns", "http2"]`). */
export const http2Log: Logger = getLogger(["apns", "http2"]);
/** Logger for the mock servers (`["apns", "server"]`). */
export const serverLog: Logger = getLogger(["apns", "server"]);
