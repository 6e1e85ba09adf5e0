/**
 * {@linkcode Http2ClientConnection}: an HTTP/2 client connection (RFC 9113)
 * over any {@linkcode Connection}, written for request/response traffic
 * such as the APNs provider API. Pure code: no runtime APIs.
 *
 * What it does, modelled on hyperium/h2's `proto/`:
 * - Opens with the preface and SETTINGS, waits for the server's SETTINGS so
 *   the first burst honours its MAX_CONCURRENT_STREAMS, and follows every
 *   later SETTINGS (streams, windows, frame size, HPACK table size).
 * - Queues requests while no stream slot is free; never has more streams
 *   open than the server's current limit.
 * - Flow control both ways; WINDOW_UPDATEs are batched (at half a window).
 * - Every frame ready in one turn leaves in one socket write, one write in
 *   flight at a time (see `WriteCoalescer`).
 * - GOAWAY: streams above the last-stream-id and queued requests fail as
 *   `"unprocessed"` (safe to send again), the rest finish, then it closes.
 *   As in undici, only what the server cannot have seen is retryable.
 * - Keep-alive PINGs when idle; a missing ACK ends the connection.
 *
 * @example
 * ```ts ignore
 * const conn = await new DenoTlsTransport().connect({
 *   hostname: "api.push.apple.com",
 *   port: 443,
 *   alpnProtocols: ["h2"],
 * });
 * const h2 = await Http2ClientConnection.open(conn, {
 *   authority: "api.push.apple.com",
 * });
 * const res = await h2.request({
 *   path: `/3/device/${token}`,
 *   headers: [["apns-topic", "com.example.app"]],
 *   body: new TextEncoder().encode('{"aps":{"alert":"hi"}}'),
 * });
 * await h2.close();
 * ```
 *
 * @module
 */

import {
  type ApnsErrorCode,
  ConnectionClosedError,
  ProtocolError,
  TimeoutError,
} from "../errors.ts";
import type { Connection } from "../transport/types.ts";
import {
  type GoawayInfo,
  type Http2ClientOptions,
  type Http2Request,
  type Http2Response,
  type ResolvedOptions,
  resolveOptions,
  type ResponseListener,
} from "./client_options.ts";
import { Http2RequestError, type RequestOutcome } from "./client_errors.ts";
import { checkRequest, requestHeaders } from "./client_request.ts";
import { growWindow, ReceiveWindow } from "./flow_control.ts";
import { connectionError, Http2Error } from "./frame/error.ts";
import type { Frame } from "./frame/frame.ts";
import type { DataFrame } from "./frame/data.ts";
import { FrameDecoder } from "./frame/frame_decoder.ts";
import type { FrameWriter } from "./frame/frame_writer.ts";
import type { GoawayFrame } from "./frame/goaway.ts";
import type { HeadersFrame } from "./frame/headers.ts";
import type { PingFrame } from "./frame/ping.ts";
import type { SettingsFrame } from "./frame/settings.ts";
import {
  DEFAULT_SETTINGS,
  ErrorCode,
  errorCodeName,
  FrameType,
  MAX_STREAM_ID,
  STREAM_ERROR,
} from "./frame/types.ts";
import { HpackDecoder } from "./hpack/decoder.ts";
import { HpackEncoder } from "./hpack/encoder.ts";
import { HpackError } from "./hpack/error.ts";
import type { HeaderField } from "./hpack/static_table.ts";
import { PingTracker } from "./ping_tracker.ts";
import { RequestQueue } from "./request_queue.ts";
import { DeadlineList, StreamRecord, StreamState } from "./stream.ts";
import { StreamTable } from "./stream_table.ts";
import { WriteCoalescer } from "./write_coalescer.ts";

export type {
  GoawayInfo,
  Http2ClientOptions,
  Http2Request,
  Http2Response,
  ResponseListener,
} from "./client_options.ts";
export { Http2RequestError, type RequestOutcome } from "./client_errors.ts";

type Timer = ReturnType<typeof setTimeout>;

/** Most completed stream records kept for reuse. */
const MAX_SPARE_RECORDS = 1024;
/** Our HPACK table size (the default), announced in our SETTINGS. */
const HEADER_TABLE_SIZE = 4096;
/** How long a closing connection waits for its last write before closing anyway. */
const FLUSH_GRACE = 1000;

const debugText = new TextDecoder();
const now = () => performance.now();
const noop = () => {};
const OPEN_TOKEN = Symbol("open");

/**
 * An HTTP/2 client connection. Make one with
 * {@linkcode Http2ClientConnection.open}; send with
 * {@linkcode Http2ClientConnection.request}.
 *
 * Every rejection of `request()` is an {@linkcode Http2RequestError} whose
 * `outcome` says whether the request is safe to send again.
 */
export class Http2ClientConnection {
  /**
   * Called once per GOAWAY from the server (after the requests it refused
   * have been rejected), so a pool can open a replacement at once. Errors
   * it throws are ignored.
   */
  onGoaway?: (info: GoawayInfo) => void;
  /** Settles when the connection is fully closed; never rejects. */
  readonly closed: Promise<void>;

  #conn: Connection;
  #opts: ResolvedOptions;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #sink: WriteCoalescer;
  #fw: FrameWriter;
  #decoder: FrameDecoder;
  #encoder: HpackEncoder;
  #hpack: HpackDecoder;

  #streams = new StreamTable();
  #queue = new RequestQueue();
  #blocked: StreamRecord[] = [];
  #deadlines = new DeadlineList();
  #nextStreamId = 1;

  #peerMaxStreams = DEFAULT_SETTINGS.maxConcurrentStreams;
  #peerInitialWindow = DEFAULT_SETTINGS.initialWindowSize;
  #peerMaxFrameSize = DEFAULT_SETTINGS.maxFrameSize;
  #sendWindow = DEFAULT_SETTINGS.initialWindowSize;
  #recvWindow: ReceiveWindow;

  #gotSettings = false;
  #accepting = false;
  /** Records of completed streams, reused by later requests. */
  #spareRecords: StreamRecord[] = [];
  /** The header list of the last valid request (checked once, reused). */
  #checkedHeaders: Http2Request["headers"] = undefined;
  #closing = false;
  #ended = false;
  #goawaySent = false;
  #goaway: GoawayInfo | null = null;
  #endReason: Http2RequestError | null = null;

  #settingsWaiter:
    | { resolve: () => void; reject: (error: Error) => void }
    | null = null;
  #settingsTimer: Timer | undefined;
  #deadlineTimer: Timer | undefined;
  #idleTimer: Timer | undefined;
  #closeTimer: Timer | undefined;
  #graceTimer: Timer | undefined;
  #lastActivity = now();
  #pings: PingTracker;
  #schemeField: HeaderField;
  /**
   * The last request header list built, reused while requests bring the
   * same header list and method; only its `:path` field changes.
   */
  #fields: {
    headers: Http2Request["headers"];
    method: string;
    list: HeaderField[];
    path: [string, string];
  } | null = null;
  #authorityField: HeaderField;
  #resolveClosed!: () => void;
  #loopDone: Promise<void> = Promise.resolve();

  #onDeadline = () => this.#expireDue();
  #onIdle = () => this.#idleCheck();

  /**
   * Use {@linkcode Http2ClientConnection.open}.
   *
   * @param conn the transport connection
   * @param opts resolved options
   * @param token internal guard
   */
  private constructor(conn: Connection, opts: ResolvedOptions, token: symbol) {
    if (token !== OPEN_TOKEN) {
      throw new TypeError("use Http2ClientConnection.open()");
    }
    this.#conn = conn;
    this.#opts = opts;
    this.#reader = conn.readable.getReader();
    this.#sink = new WriteCoalescer(
      conn.writable.getWriter(),
      (error) => this.#writeFailed(error),
    );
    this.#fw = this.#sink.frames;
    this.#decoder = new FrameDecoder();
    this.#encoder = new HpackEncoder({
      ...(opts.neverIndex ? { neverIndex: opts.neverIndex } : {}),
    });
    this.#hpack = new HpackDecoder({
      maxTableSize: HEADER_TABLE_SIZE,
      maxHeaderListSize: opts.maxHeaderListSize,
    });
    this.#recvWindow = new ReceiveWindow(opts.connectionWindowSize);
    this.#pings = new PingTracker(opts.pingTimeout, (error) =>
      this.#teardown(
        `the HTTP/2 connection is dead: ${error.message}`,
        "ERR_APNS_CLOSED",
        error,
        undefined,
        false,
      ));
    this.#schemeField = Object.freeze([":scheme", opts.scheme] as const);
    this.#authorityField = Object.freeze(
      [":authority", opts.authority] as const,
    );
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /**
   * Starts HTTP/2 on an open connection: writes the preface and our
   * SETTINGS (ENABLE_PUSH 0, our window and header table, our header list
   * limit) and a connection WINDOW_UPDATE, then waits for the server's
   * SETTINGS and acknowledges them.
   *
   * @param conn an open connection (ALPN `h2` when negotiated); the client
   *   owns it from now on and closes it on failure
   * @param options the authority, timeouts, windows and limits
   * @returns the ready connection
   * @throws {TypeError} for a missing authority or an option of the wrong type
   * @throws {RangeError} for an option out of range
   * @throws {ProtocolError} when ALPN chose another protocol or the server
   *   broke the protocol
   * @throws {TimeoutError} when no SETTINGS came within `settingsTimeout`
   * @throws {ConnectionClosedError} when the connection ended first
   */
  static async open(
    conn: Connection,
    options: Http2ClientOptions,
  ): Promise<Http2ClientConnection> {
    let opts: ResolvedOptions;
    try {
      opts = resolveOptions(options);
      if (conn.alpnProtocol !== null && conn.alpnProtocol !== "h2") {
        throw new ProtocolError(
          `the server chose ALPN protocol "${conn.alpnProtocol}", not "h2"`,
        );
      }
    } catch (error) {
      conn.close();
      throw error;
    }
    const client = new Http2ClientConnection(conn, opts, OPEN_TOKEN);
    await client.#start();
    return client;
  }

  /** Streams open now (sent and not finished). */
  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Requests waiting for a stream slot. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Streams allowed at once: the server's limit, capped by our own. */
  get maxConcurrentStreams(): number {
    return Math.min(this.#peerMaxStreams, this.#opts.maxConcurrentStreams);
  }

  /** The server's last GOAWAY, or `null`. */
  get goaway(): GoawayInfo | null {
    return this.#goaway;
  }

  /** Whether new requests are accepted (false after GOAWAY, error or close). */
  get isOpen(): boolean {
    return this.#accepting;
  }

  /** Socket writes so far: frames ready in one turn share one write. */
  get writes(): number {
    return this.#sink.writes;
  }

  /**
   * Holds this connection's frames back until `uncork()` (or 64 KiB of
   * them), so that requests started over several turns (one per token from
   * an async iterable) leave in one socket write. Corks nest; every
   * `cork()` needs its `uncork()`.
   */
  cork(): void {
    this.#sink.cork();
  }

  /** Releases one `cork()`; the last one lets the held frames go. */
  uncork(): void {
    this.#sink.uncork();
  }

  /**
   * Sends a request and resolves with the complete response (any status).
   * Queues it while the server's MAX_CONCURRENT_STREAMS are all in use.
   *
   * @param req path, method (default POST), header fields and body
   * @returns the response
   * @throws {TypeError} (as a rejection) for a malformed request
   * @throws {Http2RequestError} (as a rejection) when the request failed;
   *   `outcome` says whether sending it again is safe
   */
  request(req: Http2Request): Promise<Http2Response> {
    return new Promise((resolve, reject) =>
      this.send(req, { onResponse: resolve, onError: reject })
    );
  }

  /**
   * Sends a request and hands its outcome to `listener`: the promise-free
   * form of {@linkcode Http2ClientConnection.request} (no promise, no
   * closure per request) for senders of many requests. A malformed or
   * refused request is reported synchronously, through `listener.onError`.
   *
   * @param req path, method (default POST), header fields and body; kept
   *   until the request settles, and not to be changed meanwhile (its
   *   `path` is read once, here)
   * @param listener hears the response or the error, once
   */
  send(req: Http2Request, listener: ResponseListener): void {
    const path = req?.path;
    const problem = checkRequest(req, this.#checkedHeaders, path);
    if (problem !== null) return listener.onError(problem);
    this.#checkedHeaders = req.headers;
    if (!this.#accepting) return listener.onError(this.#refusal());
    const timeout = this.#opts.requestTimeout;
    const deadline = timeout > 0 ? now() + timeout : Infinity;
    let rec = this.#spareRecords.pop();
    if (rec === undefined) rec = new StreamRecord(req, listener, deadline);
    else rec.reuse(req, listener, deadline);
    if (timeout > 0) {
      this.#deadlines.push(rec);
      if (this.#deadlineTimer === undefined) this.#armDeadline(rec.deadline);
    }
    if (
      this.#queue.size === 0 && this.#streams.size < this.maxConcurrentStreams
    ) {
      this.#startStream(rec, path);
      if (this.#fw.length > 0) this.#sink.schedule();
    } else {
      rec.path = path;
      this.#queue.push(rec);
    }
  }

  /**
   * Sends a PING and resolves with the round trip in milliseconds. A
   * missing ACK after `pingTimeout` ends the connection (and rejects).
   *
   * @returns the round-trip time in ms
   * @throws {ConnectionClosedError} (as a rejection) when the connection
   *   is closed or ends first
   */
  ping(): Promise<number> {
    if (this.#ended) {
      return Promise.reject(
        new ConnectionClosedError("the HTTP/2 connection is closed"),
      );
    }
    return new Promise<number>((resolve, reject) =>
      this.#sendPing(resolve, reject)
    );
  }

  /**
   * Closes gracefully: new requests are refused, queued ones fail as
   * `"unprocessed"`, GOAWAY(NO_ERROR) is sent, the open streams finish
   * (for at most `timeout` ms; then they fail as by `destroy()`), then the
   * connection closes.
   *
   * @param timeout ms to wait for open streams (default: `requestTimeout`,
   *   or 30000 when that is 0)
   * @returns resolves when the connection is closed
   * @throws {RangeError} (as a rejection) for a bad timeout
   */
  close(timeout?: number): Promise<void> {
    if (
      timeout !== undefined &&
      !(Number.isInteger(timeout) && timeout >= 0 && timeout < 2 ** 31)
    ) {
      return Promise.reject(
        new RangeError(`close timeout must be an integer in 0..2^31-1`),
      );
    }
    if (this.#ended || (this.#closing && this.#goawaySent)) return this.closed;
    const wait = timeout ?? (this.#opts.requestTimeout || 30000);
    this.#accepting = false;
    this.#closing = true;
    this.#failQueued(
      new Http2RequestError("the HTTP/2 connection is closing", {
        outcome: "unprocessed",
      }),
    );
    this.#sendGoaway(ErrorCode.NO_ERROR);
    if (this.#streams.size === 0) {
      this.#finish();
    } else {
      this.#closeTimer = setTimeout(() => {
        this.#closeTimer = undefined;
        this.#teardown(
          `the HTTP/2 connection closed with streams still open after ${wait} ms`,
          "ERR_APNS_CLOSED",
          undefined,
          undefined,
          false,
        );
      }, wait);
    }
    return this.closed;
  }

  /**
   * Ends the connection now. Pending requests fail: `"unprocessed"` when
   * never written, else `"unknown"`.
   *
   * @param error the reason, kept as the requests' errors' `cause`
   */
  destroy(error?: Error): void {
    this.#teardown(
      error?.message
        ? `the HTTP/2 connection was destroyed: ${error.message}`
        : "the HTTP/2 connection was destroyed",
      "ERR_APNS_CLOSED",
      error,
      undefined,
      false,
    );
  }

  // ---- start-up ----------------------------------------------------------

  #start(): Promise<void> {
    const opts = this.#opts;
    const fw = this.#fw;
    fw.writePreface();
    fw.writeSettings({
      headerTableSize: HEADER_TABLE_SIZE,
      enablePush: false,
      initialWindowSize: opts.initialWindowSize,
      maxHeaderListSize: opts.maxHeaderListSize,
    });
    const extra = opts.connectionWindowSize -
      DEFAULT_SETTINGS.initialWindowSize;
    if (extra > 0) fw.writeWindowUpdate(0, extra);
    this.#sink.schedule();
    const promise = new Promise<void>((resolve, reject) => {
      this.#settingsWaiter = { resolve, reject };
    });
    this.#settingsTimer = setTimeout(() => {
      this.#settingsTimer = undefined;
      const timeout = new TimeoutError(
        `no SETTINGS from the server within ${opts.settingsTimeout} ms`,
      );
      this.#teardown(
        timeout.message,
        "ERR_APNS_TIMEOUT",
        timeout,
        ErrorCode.SETTINGS_TIMEOUT,
        true,
      );
    }, opts.settingsTimeout);
    this.#loopDone = this.#readLoop();
    Promise.all([this.#loopDone, this.#conn.closed]).then(
      () => this.#resolveClosed(),
    );
    return promise;
  }

  #settingsReceived(): void {
    this.#gotSettings = true;
    this.#accepting = true;
    clearTimeout(this.#settingsTimer);
    this.#settingsTimer = undefined;
    if (this.#opts.pingInterval > 0) this.#armIdle(this.#opts.pingInterval);
    const waiter = this.#settingsWaiter;
    this.#settingsWaiter = null;
    waiter?.resolve();
  }

  // ---- reading -----------------------------------------------------------

  async #readLoop(): Promise<void> {
    const reader = this.#reader;
    try {
      while (!this.#ended) {
        const { value, done } = await reader.read();
        if (done) break;
        if (this.#ended) break;
        this.#lastActivity = now();
        this.#onBytes(value);
      }
    } catch (error) {
      this.#teardown(
        "the HTTP/2 connection failed",
        "ERR_APNS_CLOSED",
        error instanceof Error ? error : new Error(String(error)),
        undefined,
        false,
      );
      return;
    }
    this.#teardown(
      "the server closed the HTTP/2 connection",
      "ERR_APNS_CLOSED",
      undefined,
      undefined,
      false,
    );
  }

  #onBytes(chunk: Uint8Array): void {
    try {
      const frames = this.#decoder.push(chunk);
      for (let i = 0; i < frames.length && !this.#ended; i++) {
        this.#onFrame(frames[i]);
      }
    } catch (error) {
      this.#connectionError(error);
      return;
    }
    if (this.#fw.length > 0) this.#sink.schedule();
  }

  #onFrame(f: Frame): void {
    if (!this.#gotSettings && f.type !== FrameType.SETTINGS) {
      // RFC 9113 §3.4: the server connection preface consists of a
      // potentially empty SETTINGS frame that MUST be the first frame the
      // server sends.
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `the server's first frame is of type ${f.type}, not SETTINGS`,
      );
    }
    switch (f.type) {
      case FrameType.DATA:
        return this.#onData(f);
      case FrameType.HEADERS:
        return this.#onHeaders(f);
      case FrameType.RST_STREAM:
        return this.#onRstStream(f.streamId, f.errorCode);
      case FrameType.SETTINGS:
        return this.#onSettings(f);
      case FrameType.PUSH_PROMISE:
        // RFC 9113 §8.4: a client that has set SETTINGS_ENABLE_PUSH to 0
        // MUST treat the receipt of a PUSH_PROMISE frame as a connection
        // error of type PROTOCOL_ERROR.
        throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          "PUSH_PROMISE received with push disabled",
        );
      case FrameType.PING:
        return this.#onPing(f);
      case FrameType.GOAWAY:
        return this.#onGoawayFrame(f);
      case FrameType.WINDOW_UPDATE:
        return this.#onWindowUpdate(f.streamId, f.increment);
      case STREAM_ERROR:
        return this.#streamError(
          f.streamId,
          f.error.errorCode,
          f.error.message,
        );
      default:
        // PRIORITY, and CONTINUATION (already joined by the decoder).
        return;
    }
  }

  /**
   * The record of a stream, or `undefined` for a closed one; throws for a
   * stream the server may not use.
   */
  #lookup(streamId: number, what: string): StreamRecord | undefined {
    const rec = this.#streams.get(streamId);
    if (rec !== undefined) return rec;
    // RFC 9113 §5.1: receiving any frame other than HEADERS or PRIORITY on
    // a stream in the idle state MUST be treated as a connection error of
    // type PROTOCOL_ERROR. With push disabled the server opens no streams,
    // so even-numbered streams are idle forever.
    if ((streamId & 1) === 0 || streamId >= this.#nextStreamId) {
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `${what} on idle stream ${streamId}`,
      );
    }
    return undefined;
  }

  #onData(f: DataFrame): void {
    const n = f.flowControlLength;
    // RFC 9113 §6.9.1: a receiver MUST treat the receipt of a frame that
    // exceeds its flow-control window as FLOW_CONTROL_ERROR (connection
    // window first; a stream's overrun is a stream error).
    if (n > 0 && !this.#recvWindow.consume(n)) {
      throw connectionError(
        ErrorCode.FLOW_CONTROL_ERROR,
        "the server overran the connection flow-control window",
      );
    }
    const rec = this.#lookup(f.streamId, "DATA");
    if (rec === undefined) {
      // A stream we reset or finished: its bytes still count for the
      // connection window, which we give back.
      this.#creditConnection();
      return;
    }
    if (rec.status === 0) {
      this.#creditConnection();
      return this.#streamError(
        rec.id,
        ErrorCode.PROTOCOL_ERROR,
        "DATA before the response HEADERS",
      );
    }
    if (n > 0) {
      const w = rec.recv ??= new ReceiveWindow(this.#opts.initialWindowSize);
      if (!w.consume(n)) {
        this.#creditConnection();
        return this.#streamError(
          rec.id,
          ErrorCode.FLOW_CONTROL_ERROR,
          "the server overran the stream flow-control window",
        );
      }
    }
    rec.addData(f.data);
    if (f.endStream) {
      this.#complete(rec);
    } else if (rec.recv !== null) {
      const inc = rec.recv.takeUpdate();
      if (inc > 0) this.#fw.writeWindowUpdate(rec.id, inc);
    }
    this.#creditConnection();
  }

  #creditConnection(): void {
    const inc = this.#recvWindow.takeUpdate();
    if (inc > 0) this.#fw.writeWindowUpdate(0, inc);
  }

  #onHeaders(f: HeadersFrame): void {
    let fields;
    try {
      // Decoded even for closed streams: the HPACK table must stay in step.
      fields = this.#hpack.decode(f.fragment);
    } catch (error) {
      if (!(error instanceof HpackError) || !error.tableIntact) {
        // RFC 9113 §4.3: a receiver MUST terminate the connection with a
        // connection error of type COMPRESSION_ERROR if it does not
        // decompress a field block.
        throw new Http2Error(
          ErrorCode.COMPRESSION_ERROR,
          0,
          error instanceof Error ? error.message : String(error),
          { cause: error },
        );
      }
      if (this.#lookup(f.streamId, "HEADERS") === undefined) return;
      return this.#streamError(
        f.streamId,
        ErrorCode.CANCEL,
        `response header list too large: ${error.message}`,
      );
    }
    const rec = this.#lookup(f.streamId, "HEADERS");
    if (rec === undefined) return;
    if (rec.status !== 0) {
      // Trailers: accepted and dropped; they must end the stream.
      if (!f.endStream) {
        return this.#streamError(
          rec.id,
          ErrorCode.PROTOCOL_ERROR,
          "second HEADERS without END_STREAM",
        );
      }
      return this.#complete(rec);
    }
    let status = 0;
    let pseudo = 0;
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i][0];
      if (name.charCodeAt(0) === 0x3a /* : */) {
        // RFC 9113 §8.3: pseudo-header fields come first.
        if (name === ":status" && status === 0 && i === 0) {
          status = parseStatus(fields[i][1]);
          pseudo = 1;
        } else status = -1;
      }
    }
    if (status < 100) {
      // RFC 9113 §8.3.2: `:status` is the one response pseudo-header; a
      // response without it, or with others, is malformed (§8.1.1).
      return this.#streamError(
        rec.id,
        ErrorCode.PROTOCOL_ERROR,
        "malformed response pseudo-headers",
      );
    }
    if (status < 200) {
      // An informational (1xx) response: skipped; the final one follows.
      if (f.endStream) {
        return this.#streamError(
          rec.id,
          ErrorCode.PROTOCOL_ERROR,
          "1xx response with END_STREAM",
        );
      }
      return;
    }
    rec.status = status;
    // The decoder's list is ours: drop `:status` in place.
    if (pseudo === 1) fields.shift();
    rec.headers = fields;
    if (f.endStream) this.#complete(rec);
  }

  #onRstStream(streamId: number, code: number): void {
    const rec = this.#lookup(streamId, "RST_STREAM");
    if (rec === undefined) return;
    this.#endStream(rec);
    // RFC 9113 §8.7: REFUSED_STREAM means the stream was closed before any
    // processing; the request can be retried.
    const refused = code === ErrorCode.REFUSED_STREAM;
    rec.reject(
      new Http2RequestError(
        `the server reset stream ${streamId}: ${errorCodeName(code)}`,
        { outcome: refused ? "unprocessed" : "unknown", errorCode: code },
      ),
    );
    this.#streamClosed();
  }

  #onSettings(f: SettingsFrame): void {
    if (f.ack) return;
    const s = f.settings;
    if (s.enablePush === true) {
      // RFC 9113 §6.5.2: a client MUST treat receipt of a SETTINGS frame
      // with SETTINGS_ENABLE_PUSH set to 1 as a connection error of type
      // PROTOCOL_ERROR.
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        "the server sent SETTINGS_ENABLE_PUSH 1",
      );
    }
    if (s.headerTableSize !== undefined) {
      this.#encoder.setMaxTableSize(s.headerTableSize);
    }
    if (s.maxFrameSize !== undefined) this.#peerMaxFrameSize = s.maxFrameSize;
    if (s.maxConcurrentStreams !== undefined) {
      this.#peerMaxStreams = s.maxConcurrentStreams;
    }
    let windowGrew = false;
    if (s.initialWindowSize !== undefined) {
      // RFC 9113 §6.9.2: a change of SETTINGS_INITIAL_WINDOW_SIZE adjusts
      // the window of every open stream by the difference (it can go
      // negative); one pushed above 2^31-1 is a connection error of type
      // FLOW_CONTROL_ERROR.
      const delta = s.initialWindowSize - this.#peerInitialWindow;
      this.#peerInitialWindow = s.initialWindowSize;
      for (const rec of this.#streams.records()) {
        const w = growWindow(rec.sendWindow, delta);
        if (Number.isNaN(w)) {
          throw connectionError(
            ErrorCode.FLOW_CONTROL_ERROR,
            `SETTINGS_INITIAL_WINDOW_SIZE pushes stream ${rec.id}'s window past 2^31-1`,
          );
        }
        rec.sendWindow = w;
      }
      windowGrew = delta > 0;
    }
    // RFC 9113 §6.5.3: once all values have been processed, the recipient
    // MUST immediately emit a SETTINGS frame with the ACK flag set.
    this.#fw.writeSettingsAck();
    if (!this.#gotSettings) this.#settingsReceived();
    if (windowGrew) this.#resumeBlocked();
    this.#pump();
  }

  #onPing(f: PingFrame): void {
    if (!f.ack) {
      // RFC 9113 §6.7: receivers of a PING frame that does not include an
      // ACK flag MUST send a PING frame with the ACK flag set in response,
      // with an identical frame payload.
      this.#fw.writePing(true, f.payload);
      return;
    }
    this.#pings.ack(f.payload);
  }

  #onGoawayFrame(f: GoawayFrame): void {
    const info: GoawayInfo = {
      lastStreamId: f.lastStreamId,
      errorCode: f.errorCode,
      debug: debugText.decode(f.debugData),
    };
    this.#goaway = info;
    this.#accepting = false;
    this.#closing = true;
    const message = `the server sent GOAWAY (${
      errorCodeName(f.errorCode)
    }, last stream ${f.lastStreamId}${info.debug ? `, ${info.debug}` : ""})`;
    // RFC 9113 §6.8: streams above the last-stream-id were not processed
    // and can be retried (on a new connection).
    for (const rec of this.#streams.records()) {
      if (rec.id > f.lastStreamId) {
        this.#endStream(rec);
        rec.reject(
          new Http2RequestError(message, {
            outcome: "unprocessed",
            errorCode: f.errorCode,
          }),
        );
      }
    }
    this.#failQueued(
      new Http2RequestError(message, {
        outcome: "unprocessed",
        errorCode: f.errorCode,
      }),
    );
    try {
      this.onGoaway?.(info);
    } catch {
      // a listener's failure is not the connection's
    }
    if (!this.#ended && this.#streams.size === 0) this.#finish();
  }

  #onWindowUpdate(streamId: number, increment: number): void {
    if (streamId === 0) {
      const w = growWindow(this.#sendWindow, increment);
      if (Number.isNaN(w)) {
        // RFC 9113 §6.9.1: a window above 2^31-1 is FLOW_CONTROL_ERROR,
        // for the connection as a connection error.
        throw connectionError(
          ErrorCode.FLOW_CONTROL_ERROR,
          "WINDOW_UPDATE pushes the connection window past 2^31-1",
        );
      }
      this.#sendWindow = w;
      this.#resumeBlocked();
      return;
    }
    const rec = this.#lookup(streamId, "WINDOW_UPDATE");
    if (rec === undefined) return;
    const w = growWindow(rec.sendWindow, increment);
    if (Number.isNaN(w)) {
      return this.#streamError(
        streamId,
        ErrorCode.FLOW_CONTROL_ERROR,
        "WINDOW_UPDATE pushes the stream window past 2^31-1",
      );
    }
    rec.sendWindow = w;
    if (rec.blocked) this.#resumeBlocked();
  }

  // ---- streams -----------------------------------------------------------

  #startStream(rec: StreamRecord, path: string): void {
    if (this.#nextStreamId > MAX_STREAM_ID) {
      // Stream ids are spent: this connection takes no more requests.
      this.#accepting = false;
      this.#deadlines.remove(rec);
      rec.state = StreamState.DONE;
      rec.reject(
        new Http2RequestError("the HTTP/2 connection ran out of stream ids", {
          outcome: "unprocessed",
        }),
      );
      this.close();
      return;
    }
    const id = this.#nextStreamId;
    const body = rec.request.body;
    const hasBody = body !== undefined && body.length > 0;
    try {
      this.#fw.encodeHeaders(
        id,
        this.#encoder,
        this.#requestFields(rec.request, path),
        !hasBody,
        this.#peerMaxFrameSize,
      );
    } catch (error) {
      this.#deadlines.remove(rec);
      rec.state = StreamState.DONE;
      rec.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#nextStreamId += 2;
    rec.id = id;
    rec.state = StreamState.OPEN;
    rec.sendWindow = this.#peerInitialWindow;
    rec.writeGeneration = this.#sink.generation;
    this.#streams.set(id, rec);
    if (hasBody) this.#sendBody(rec);
    else rec.localDone = true;
  }

  /** The request's header list (read synchronously, then reused). */
  #requestFields(req: Http2Request, path: string): readonly HeaderField[] {
    const method = req.method ?? "POST";
    const cached = this.#fields;
    if (
      cached !== null && cached.headers === req.headers &&
      cached.method === method
    ) {
      cached.path[1] = path;
      return cached.list;
    }
    const list = requestHeaders(req, this.#schemeField, this.#authorityField);
    const field: [string, string] = [":path", path];
    list[3] = field; // requestHeaders puts :path fourth
    this.#fields = { headers: req.headers, method, list, path: field };
    return list;
  }

  /** Sends as much of the body as the windows allow; parks the rest. */
  #sendBody(rec: StreamRecord): void {
    const body = rec.request.body!;
    const from = rec.bodyOffset;
    const n = Math.min(body.length - from, this.#sendWindow, rec.sendWindow);
    if (n > 0) {
      const to = from + n;
      const last = to === body.length;
      // RFC 9113 §6.9.1: a sender MUST NOT send a flow-controlled frame
      // with a length that exceeds the space available in either window.
      this.#fw.writeData(
        rec.id,
        from === 0 && to === body.length ? body : body.subarray(from, to),
        last,
        this.#peerMaxFrameSize,
      );
      this.#sendWindow -= n;
      rec.sendWindow -= n;
      rec.bodyOffset = to;
      if (last) {
        rec.localDone = true;
        return;
      }
    }
    if (!rec.blocked) {
      rec.blocked = true;
      this.#blocked.push(rec);
    }
  }

  #resumeBlocked(): void {
    if (this.#blocked.length === 0) return;
    const list = this.#blocked;
    this.#blocked = [];
    for (const rec of list) {
      rec.blocked = false;
      if (rec.state === StreamState.OPEN && !rec.localDone) {
        if (this.#sendWindow > 0 && rec.sendWindow > 0) this.#sendBody(rec);
        else {
          rec.blocked = true;
          this.#blocked.push(rec);
        }
      }
    }
    if (this.#fw.length > 0) this.#sink.schedule();
  }

  /** The response is whole: resolve, and free the stream. */
  #complete(rec: StreamRecord): void {
    if (!rec.localDone) {
      // The server answered before our body was sent (RFC 9113 §8.1):
      // stop sending and close the stream on its side too.
      this.#fw.writeRstStream(rec.id, ErrorCode.CANCEL);
    }
    this.#endStream(rec);
    rec.resolve({
      status: rec.status,
      headers: rec.headers,
      body: rec.takeBody(),
      streamId: rec.id,
    });
    this.#streamClosed();
    // Completed normally and out of every list: ready for the next request.
    if (!rec.blocked && this.#spareRecords.length < MAX_SPARE_RECORDS) {
      rec.release();
      this.#spareRecords.push(rec);
    }
  }

  /** Answers a stream error: RST_STREAM and fail the request. */
  #streamError(streamId: number, code: number, message: string): void {
    this.#fw.writeRstStream(streamId, code);
    const rec = this.#streams.get(streamId);
    if (rec === undefined) return;
    this.#endStream(rec);
    rec.reject(
      new Http2RequestError(`stream ${streamId}: ${message}`, {
        outcome: "unknown",
        code: "ERR_APNS_PROTOCOL",
        errorCode: code,
      }),
    );
    this.#streamClosed();
  }

  /** Forgets a stream (the caller settles its promise). */
  #endStream(rec: StreamRecord): void {
    rec.state = StreamState.DONE;
    this.#streams.delete(rec.id);
    this.#deadlines.remove(rec);
  }

  /** A stream slot freed: start queued requests, or finish a close. */
  #streamClosed(): void {
    if (this.#queue.size > 0) this.#pump();
    else if (this.#closing && this.#streams.size === 0 && !this.#ended) {
      this.#finish();
    }
  }

  /** Starts queued requests while slots are free. */
  #pump(): void {
    const limit = this.maxConcurrentStreams;
    while (this.#accepting && this.#streams.size < limit) {
      const rec = this.#queue.shift();
      if (rec === null) break;
      const path = rec.path;
      rec.path = "";
      this.#startStream(rec, path);
    }
    if (this.#fw.length > 0) this.#sink.schedule();
  }

  #failQueued(error: Http2RequestError): void {
    for (const rec of this.#queue.drain()) {
      rec.state = StreamState.DONE;
      this.#deadlines.remove(rec);
      rec.reject(error);
    }
  }

  // ---- timers ------------------------------------------------------------

  #armDeadline(at: number): void {
    this.#deadlineTimer = setTimeout(
      this.#onDeadline,
      Math.max(0, Math.ceil(at - now())),
    );
  }

  #expireDue(): void {
    this.#deadlineTimer = undefined;
    if (this.#ended) return;
    const t = now();
    let rec = this.#deadlines.head;
    let freed = false;
    while (rec !== null && rec.deadline <= t) {
      const message = `no response within ${this.#opts.requestTimeout} ms`;
      if (rec.state === StreamState.QUEUED) {
        this.#deadlines.remove(rec);
        rec.state = StreamState.DONE;
        this.#queue.forget();
        rec.reject(
          new Http2RequestError(`${message} (still queued)`, {
            outcome: "unprocessed",
            code: "ERR_APNS_TIMEOUT",
          }),
        );
      } else {
        // RFC 9113 §8.7: a client that no longer wants the response
        // resets the stream with CANCEL.
        this.#fw.writeRstStream(rec.id, ErrorCode.CANCEL);
        this.#endStream(rec);
        rec.reject(
          new Http2RequestError(`stream ${rec.id}: ${message}`, {
            outcome: "unknown",
            code: "ERR_APNS_TIMEOUT",
            errorCode: ErrorCode.CANCEL,
          }),
        );
        freed = true;
      }
      rec = this.#deadlines.head;
    }
    if (rec !== null) this.#armDeadline(rec.deadline);
    if (freed) this.#streamClosed();
    if (this.#fw.length > 0) this.#sink.schedule();
  }

  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(this.#onIdle, ms);
  }

  #idleCheck(): void {
    this.#idleTimer = undefined;
    if (this.#ended) return;
    const interval = this.#opts.pingInterval;
    const idle = now() - this.#lastActivity;
    if (idle >= interval) {
      if (!this.#pings.keepalivePending) this.#sendPing(null, null);
      this.#armIdle(interval);
    } else {
      this.#armIdle(Math.ceil(interval - idle));
    }
  }

  #sendPing(
    resolve: ((ms: number) => void) | null,
    reject: ((error: Error) => void) | null,
  ): void {
    this.#fw.writePing(false, this.#pings.start(resolve, reject));
    this.#sink.schedule();
  }

  // ---- the end -----------------------------------------------------------

  #sendGoaway(code: number): void {
    if (this.#goawaySent) return;
    this.#goawaySent = true;
    // We accept no server-initiated streams: last stream id 0.
    this.#fw.writeGoaway(0, code);
    this.#sink.schedule();
  }

  /** Graceful end once no stream is left. */
  #finish(): void {
    this.#sendGoaway(ErrorCode.NO_ERROR);
    this.#teardown(
      "the HTTP/2 connection is closed",
      "ERR_APNS_CLOSED",
      undefined,
      undefined,
      true,
    );
  }

  #writeFailed(error: unknown): void {
    this.#teardown(
      "writing to the HTTP/2 connection failed",
      "ERR_APNS_CLOSED",
      error instanceof Error ? error : new Error(String(error)),
      undefined,
      false,
    );
  }

  #connectionError(error: unknown): void {
    let code: number = ErrorCode.INTERNAL_ERROR;
    if (error instanceof Http2Error) code = error.errorCode;
    else if (error instanceof HpackError) code = ErrorCode.COMPRESSION_ERROR;
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#teardown(
      `HTTP/2 connection error: ${cause.message}`,
      "ERR_APNS_PROTOCOL",
      cause instanceof ProtocolError || cause instanceof HpackError
        ? cause
        : new ProtocolError(cause.message, { cause }),
      code,
      true,
    );
  }

  /** Why a request is refused now. */
  #refusal(): Http2RequestError {
    if (this.#endReason !== null) {
      return new Http2RequestError(this.#endReason.message, {
        outcome: "unprocessed",
        code: this.#endReason.code,
        cause: this.#endReason,
      });
    }
    const g = this.#goaway;
    return new Http2RequestError(
      g !== null
        ? `the server sent GOAWAY (${errorCodeName(g.errorCode)})`
        : "the HTTP/2 connection is closing",
      g !== null
        ? { outcome: "unprocessed", errorCode: g.errorCode }
        : { outcome: "unprocessed" },
    );
  }

  /**
   * Ends everything: timers, requests (by outcome), pings, the transport.
   * With `goawayCode`, a GOAWAY carrying it goes out first; with `flush`,
   * buffered frames are written before the transport closes.
   */
  #teardown(
    message: string,
    code: ApnsErrorCode,
    cause: Error | undefined,
    goawayCode: number | undefined,
    flush: boolean,
  ): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#accepting = false;
    this.#closing = true;
    clearTimeout(this.#settingsTimer);
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#closeTimer);
    this.#settingsTimer =
      this.#deadlineTimer =
      this.#idleTimer =
      this.#closeTimer =
        undefined;
    const reason = new Http2RequestError(message, {
      outcome: "unknown",
      code,
      ...(goawayCode !== undefined ? { errorCode: goawayCode } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });
    this.#endReason = reason;

    const fail = (outcome: RequestOutcome) =>
      new Http2RequestError(message, {
        outcome,
        code,
        ...(goawayCode !== undefined ? { errorCode: goawayCode } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
    if (this.#queue.size > 0) this.#failQueued(fail("unprocessed"));
    const generation = this.#sink.generation;
    for (const rec of this.#streams.records()) {
      rec.state = StreamState.DONE;
      this.#deadlines.remove(rec);
      rec.reject(
        fail(generation > rec.writeGeneration ? "unknown" : "unprocessed"),
      );
    }
    this.#streams.clear();
    this.#blocked = [];
    this.#pings.rejectAll(
      cause instanceof TimeoutError
        ? cause
        : new ConnectionClosedError(message, { cause }),
    );
    const waiter = this.#settingsWaiter;
    this.#settingsWaiter = null;
    waiter?.reject(
      cause ?? new ConnectionClosedError(
        "the connection ended before the server's SETTINGS",
      ),
    );

    if (goawayCode !== undefined) this.#sendGoaway(goawayCode);
    if (flush) {
      this.#graceTimer = setTimeout(() => this.#closeTransport(), FLUSH_GRACE);
      this.#sink.drained().then(() => this.#closeTransport());
    } else {
      this.#closeTransport();
    }
  }

  #closeTransport(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#sink.stop();
    this.#conn.close();
    this.#reader.cancel().catch(noop);
  }
}

/** Parses a 3-digit `:status` (RFC 9110 §15); -1 when malformed. */
function parseStatus(value: string): number {
  if (value.length !== 3) return -1;
  const a = value.charCodeAt(0) - 48;
  const b = value.charCodeAt(1) - 48;
  const c = value.charCodeAt(2) - 48;
  if (a < 1 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}
