/**
 * {@linkcode H2ServerConnection}: the server side of one HTTP/2 connection
 * (RFC 9113) over any byte transport, built on this library's frame and
 * HPACK codecs. It reads the client preface, sends its SETTINGS first,
 * acknowledges the client's, keeps both flow-control directions (WINDOW_UPDATE
 * for request DATA, the client's windows for response DATA), answers PING,
 * enforces SETTINGS_MAX_CONCURRENT_STREAMS with RST_STREAM(REFUSED_STREAM),
 * handles RST_STREAM and GOAWAY from the client and ends with GOAWAY. A
 * complete request (headers and body) goes to `onRequest`; the owner answers
 * with {@linkcode H2ServerConnection.respond}, now or later. Everything
 * written in one turn leaves in one transport write.
 *
 * @module
 */

import {
  ErrorCode,
  type Frame,
  FrameDecoder,
  FrameType,
  FrameWriter,
  Http2Error,
  MAX_WINDOW_SIZE,
  type Settings,
  STREAM_ERROR,
} from "../http2/frame/mod.ts";
import {
  type HeaderField,
  HpackDecoder,
  HpackEncoder,
  HpackError,
} from "../http2/hpack/mod.ts";

/** Where the connection's bytes go. */
export interface H2Transport {
  /** Writes bytes to the peer. */
  write(bytes: Uint8Array): void;
  /** Ends the connection after everything written (the peer may still send). */
  end(): void;
  /** Tears the connection down at once. */
  destroy(): void;
}

/** A complete request as the connection received it. */
export interface H2ServerRequest {
  /** Client stream identifier. */
  readonly streamId: number;
  /** The header list in wire order (pseudo-header fields first), names lower case. */
  readonly headers: readonly HeaderField[];
  /** The body, at most `maxBodyBytes` of it. */
  readonly body: Uint8Array;
  /** Body octets received, including those beyond `maxBodyBytes`. */
  readonly bodyLength: number;
}

/** A response to send. */
export interface H2ServerResponse {
  /** HTTP status code (100..999). */
  readonly status: number;
  /** Further header fields, names lower case, no pseudo-header fields. */
  readonly headers?: readonly HeaderField[];
  /** The body; none when absent or empty. */
  readonly body?: Uint8Array;
}

/** Options of {@linkcode H2ServerConnection}. */
export interface H2ServerConnectionOptions {
  /** Where to write. */
  readonly transport: H2Transport;
  /** Called for every complete request; answer with `respond()`. */
  readonly onRequest: (request: H2ServerRequest) => void;
  /** Called once when the connection is finished (ended, destroyed or failed). */
  readonly onClose?: (error?: Error) => void;
  /** SETTINGS_MAX_CONCURRENT_STREAMS to advertise (default 1000). */
  readonly maxConcurrentStreams?: number;
  /** Our SETTINGS_MAX_HEADER_LIST_SIZE and HPACK decoding bound (default 8000, as Apple). */
  readonly maxHeaderListSize?: number;
  /** Largest body kept per request; more is counted and dropped (default 65536). */
  readonly maxBodyBytes?: number;
  /** Our connection receive window (default 1 MiB; the stream window stays 65535). */
  readonly connectionWindow?: number;
}

const DEFAULT_WINDOW = 65535;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Headers that RFC 9113 §8.2.2 forbids in HTTP/2. */
const CONNECTION_SPECIFIC = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
]);
const REQUEST_PSEUDO = new Set([":method", ":scheme", ":authority", ":path"]);

interface Stream {
  readonly id: number;
  headers: HeaderField[];
  chunks: Uint8Array[];
  kept: number;
  received: number;
  /** Octets received since the last stream WINDOW_UPDATE. */
  unacked: number;
  /** Our receive window for the stream. */
  recvWindow: number;
  /** The client's window for our DATA. */
  sendWindow: number;
  remoteClosed: boolean;
  /** A response was given (HEADERS written, DATA maybe pending). */
  responded: boolean;
  pending: Uint8Array | null;
  contentLength: number;
}

function streamFail(id: number, code: ErrorCode, message: string): Http2Error {
  return new Http2Error(code, id, message);
}

/**
 * Server side of one HTTP/2 connection.
 *
 * @example
 * ```ts ignore
 * const conn = new H2ServerConnection({
 *   transport: { write: (b) => socket.write(b), end: () => socket.end(), destroy: () => socket.destroy() },
 *   onRequest: (req) => conn.respond(req.streamId, { status: 200 }),
 * });
 * socket.on("data", (chunk) => conn.push(chunk));
 * ```
 */
export class H2ServerConnection {
  readonly #transport: H2Transport;
  readonly #onRequest: (request: H2ServerRequest) => void;
  readonly #onClose: ((error?: Error) => void) | undefined;
  readonly #decoder: FrameDecoder;
  readonly #writer = new FrameWriter();
  readonly #hpackIn: HpackDecoder;
  readonly #hpackOut = new HpackEncoder();
  readonly #streams = new Map<number, Stream>();
  readonly #maxBody: number;
  readonly #connWindowTarget: number;
  #maxConcurrent: number;
  #peerInitialWindow = DEFAULT_WINDOW;
  #peerMaxFrame = 16384;
  #connSendWindow = DEFAULT_WINDOW;
  #connRecvWindow = DEFAULT_WINDOW;
  #connUnacked = 0;
  #lastStreamId = 0;
  #streamsOpened = 0;
  #goawaySent = false;
  #goawayLast = 0;
  #peerGoaway = false;
  #settingsSeen = false;
  #flushQueued = false;
  #blocked = 0;
  #finished = false;

  /**
   * Starts the connection: queues our SETTINGS (and the connection window
   * increase) to go out with the first flush.
   *
   * @param options transport, request handler and limits
   * @throws {TypeError} when the transport or handler is missing
   * @throws {RangeError} for out-of-range limits
   */
  constructor(options: H2ServerConnectionOptions) {
    if (
      typeof options?.transport?.write !== "function" ||
      typeof options.onRequest !== "function"
    ) {
      throw new TypeError("transport and onRequest are required");
    }
    this.#transport = options.transport;
    this.#onRequest = options.onRequest;
    this.#onClose = options.onClose;
    const maxConcurrent = options.maxConcurrentStreams ?? 1000;
    checkRange(maxConcurrent, 0, 0xffffffff, "maxConcurrentStreams");
    this.#maxConcurrent = maxConcurrent;
    const listSize = options.maxHeaderListSize ?? 8000;
    checkRange(listSize, 0, 0xffffffff, "maxHeaderListSize");
    this.#maxBody = options.maxBodyBytes ?? 65536;
    checkRange(this.#maxBody, 0, 0x7fffffff, "maxBodyBytes");
    this.#connWindowTarget = options.connectionWindow ?? 1 << 20;
    checkRange(
      this.#connWindowTarget,
      DEFAULT_WINDOW,
      MAX_WINDOW_SIZE,
      "connectionWindow",
    );
    this.#decoder = new FrameDecoder({ expectPreface: true });
    this.#hpackIn = new HpackDecoder({ maxHeaderListSize: listSize });
    // §3.4: the server connection preface consists of a potentially empty
    // SETTINGS frame that MUST be the first frame the server sends.
    const settings: Settings = {
      maxConcurrentStreams: maxConcurrent,
      initialWindowSize: DEFAULT_WINDOW,
      maxFrameSize: 16384,
      maxHeaderListSize: listSize,
    };
    this.#writer.writeSettings(settings);
    if (this.#connWindowTarget > DEFAULT_WINDOW) {
      this.#writer.writeWindowUpdate(
        0,
        this.#connWindowTarget - DEFAULT_WINDOW,
      );
      this.#connRecvWindow = this.#connWindowTarget;
    }
    this.#scheduleFlush();
  }

  /** Streams opened by the client and accepted (not refused) so far. */
  get streamsOpened(): number {
    return this.#streamsOpened;
  }

  /** Streams open now (request in progress or awaiting its response). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Highest client stream id seen. */
  get lastStreamId(): number {
    return this.#lastStreamId;
  }

  /** Whether a GOAWAY was sent or received. */
  get goingAway(): boolean {
    return this.#goawaySent || this.#peerGoaway;
  }

  /** Whether the connection is finished. */
  get finished(): boolean {
    return this.#finished;
  }

  /** SETTINGS_MAX_CONCURRENT_STREAMS currently advertised. */
  get maxConcurrentStreams(): number {
    return this.#maxConcurrent;
  }

  /**
   * Advertises a new SETTINGS_MAX_CONCURRENT_STREAMS (a SETTINGS frame) and
   * enforces it from now on.
   *
   * @param n the new limit
   * @throws {RangeError} when not an integer 0..2^32-1
   */
  setMaxConcurrentStreams(n: number): void {
    checkRange(n, 0, 0xffffffff, "maxConcurrentStreams");
    if (this.#finished || n === this.#maxConcurrent) return;
    this.#maxConcurrent = n;
    this.#writer.writeSettings({ maxConcurrentStreams: n });
    this.#scheduleFlush();
  }

  /**
   * Feeds bytes read from the client.
   *
   * @param chunk the bytes, in order
   */
  push(chunk: Uint8Array): void {
    if (this.#finished) return;
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (e) {
      this.#fail(e);
      return;
    }
    try {
      for (const frame of frames) {
        if (this.#finished) return;
        this.#frame(frame);
      }
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.flush();
  }

  /**
   * Answers a request. HEADERS go out at once; DATA as the client's
   * flow-control windows allow.
   *
   * @param streamId the request's stream
   * @param response status, headers and body
   * @returns false when the stream is gone (reset by the client, or the
   *   connection finished)
   * @throws {RangeError} for a status outside 100..999
   */
  respond(streamId: number, response: H2ServerResponse): boolean {
    const status = response.status;
    checkRange(status, 100, 999, "status");
    const stream = this.#streams.get(streamId);
    if (this.#finished || stream === undefined || stream.responded) {
      return false;
    }
    stream.responded = true;
    const fields: HeaderField[] = [[":status", String(status)]];
    if (response.headers !== undefined) fields.push(...response.headers);
    const body = response.body ?? EMPTY;
    const block = this.#hpackOut.encode(fields);
    this.#writer.writeHeaders(
      streamId,
      block,
      body.length === 0,
      this.#peerMaxFrame,
    );
    if (body.length === 0) {
      this.#closeStream(stream);
    } else {
      stream.pending = body;
      this.#blocked++;
      this.#sendPending(stream);
    }
    this.#scheduleFlush();
    return true;
  }

  /**
   * Sends GOAWAY (once): no stream above the last one seen is processed;
   * the connection ends when the open streams are done.
   *
   * @param errorCode why (default NO_ERROR)
   * @param debug debug data: a string (sent as UTF-8) or bytes
   */
  goaway(errorCode: number = ErrorCode.NO_ERROR, debug?: string): void {
    if (this.#finished || this.#goawaySent) return;
    this.#goawaySent = true;
    this.#goawayLast = this.#lastStreamId;
    this.#writer.writeGoaway(
      this.#goawayLast,
      errorCode,
      debug === undefined ? EMPTY : encoder.encode(debug).subarray(0, 16000),
    );
    this.#scheduleFlush();
    this.#maybeEnd();
  }

  /**
   * Writes what is queued, in one transport write.
   */
  flush(): void {
    if (this.#writer.length === 0) return;
    const bytes = this.#writer.take();
    if (this.#finished) return;
    this.#transport.write(bytes);
  }

  /**
   * Tears the connection down at once (no GOAWAY), dropping open streams.
   */
  destroy(): void {
    if (this.#finished) return;
    this.flush();
    this.#finish();
    this.#transport.destroy();
  }

  /**
   * Tells the connection its transport closed (from the peer or by
   * error); open streams are dropped.
   */
  transportClosed(): void {
    this.#finish();
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.flush();
    });
  }

  #finish(error?: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#streams.clear();
    this.#onClose?.(error);
  }

  #fail(e: unknown): void {
    let code: number = ErrorCode.INTERNAL_ERROR;
    let message = String(e);
    if (e instanceof Http2Error) {
      code = e.errorCode;
      message = e.message;
    } else if (e instanceof HpackError) {
      // RFC 9113 §4.3: a decoding error of a field block MUST be treated as
      // a connection error of type COMPRESSION_ERROR.
      code = ErrorCode.COMPRESSION_ERROR;
      message = e.message;
    }
    if (!this.#goawaySent) {
      this.#goawaySent = true;
      this.#writer.writeGoaway(
        this.#lastStreamId,
        code,
        encoder.encode(message).subarray(0, 1000),
      );
    }
    this.flush();
    this.#finish(e instanceof Error ? e : new Error(message));
    this.#transport.end();
  }

  #maybeEnd(): void {
    if (this.#finished || this.#streams.size > 0) return;
    if (this.#goawaySent || this.#peerGoaway) {
      if (!this.#goawaySent) {
        this.#goawaySent = true;
        this.#writer.writeGoaway(this.#lastStreamId, ErrorCode.NO_ERROR);
      }
      this.flush();
      this.#finish();
      this.#transport.end();
    }
  }

  #frame(frame: Frame): void {
    // §3.4: the client's preface is followed by a SETTINGS frame, which
    // MUST be the first frame it sends.
    if (!this.#settingsSeen) {
      if (frame.type !== FrameType.SETTINGS || frame.ack) {
        throw new Http2Error(
          ErrorCode.PROTOCOL_ERROR,
          0,
          "the client preface must be followed by SETTINGS",
        );
      }
      this.#settingsSeen = true;
    }
    switch (frame.type) {
      case FrameType.SETTINGS:
        if (!frame.ack) this.#settings(frame.settings);
        return;
      case FrameType.HEADERS:
        this.#headers(frame.streamId, frame.fragment, frame.endStream);
        return;
      case FrameType.DATA:
        this.#data(
          frame.streamId,
          frame.data,
          frame.flowControlLength,
          frame.endStream,
        );
        return;
      case FrameType.WINDOW_UPDATE:
        this.#windowUpdate(frame.streamId, frame.increment);
        return;
      case FrameType.PING:
        // §6.7: receivers of a PING frame that does not include an ACK flag
        // MUST send a PING frame with the ACK flag set in response, with an
        // identical frame payload.
        if (!frame.ack) this.#writer.writePing(true, frame.payload);
        return;
      case FrameType.RST_STREAM: {
        if (frame.streamId > this.#lastStreamId) {
          // §6.4: RST_STREAM on an idle stream is a PROTOCOL_ERROR.
          throw new Http2Error(
            ErrorCode.PROTOCOL_ERROR,
            0,
            `RST_STREAM on idle stream ${frame.streamId}`,
          );
        }
        const stream = this.#streams.get(frame.streamId);
        if (stream !== undefined) this.#closeStream(stream);
        return;
      }
      case FrameType.GOAWAY:
        this.#peerGoaway = true;
        this.#maybeEnd();
        return;
      case FrameType.PUSH_PROMISE:
        // §8.4: a client cannot push; PUSH_PROMISE from it is a PROTOCOL_ERROR.
        throw new Http2Error(
          ErrorCode.PROTOCOL_ERROR,
          0,
          "PUSH_PROMISE from a client",
        );
      case STREAM_ERROR:
        this.#reset(frame.streamId, frame.error.errorCode);
        return;
      default:
        // PRIORITY and unknown frames carry nothing for us.
        return;
    }
  }

  #settings(s: Settings): void {
    if (s.headerTableSize !== undefined) {
      this.#hpackOut.setMaxTableSize(s.headerTableSize);
    }
    if (s.maxFrameSize !== undefined) this.#peerMaxFrame = s.maxFrameSize;
    if (s.initialWindowSize !== undefined) {
      // §6.9.2: a change of SETTINGS_INITIAL_WINDOW_SIZE adjusts every
      // stream window by the difference; one above 2^31-1 is a connection
      // error of type FLOW_CONTROL_ERROR.
      const delta = s.initialWindowSize - this.#peerInitialWindow;
      this.#peerInitialWindow = s.initialWindowSize;
      for (const stream of this.#streams.values()) {
        stream.sendWindow += delta;
        if (stream.sendWindow > MAX_WINDOW_SIZE) {
          throw new Http2Error(
            ErrorCode.FLOW_CONTROL_ERROR,
            0,
            "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window",
          );
        }
      }
      if (delta > 0) this.#sendAllPending();
    }
    // §6.5.3: upon receiving SETTINGS without ACK, the recipient MUST apply
    // the updated settings as soon as possible and send an ACK.
    this.#writer.writeSettingsAck();
  }

  #headers(id: number, fragment: Uint8Array, endStream: boolean): void {
    // The block is decoded whatever happens to the stream: HPACK state is
    // shared by the whole connection (§4.3).
    let headers: HeaderField[] | null = null;
    let tooLarge = false;
    try {
      headers = this.#hpackIn.decode(fragment);
    } catch (e) {
      if (!(e instanceof HpackError && e.tableIntact)) throw e;
      tooLarge = true;
    }
    const existing = this.#streams.get(id);
    if (existing !== undefined) {
      // Trailers: §8.1 a trailer section MUST end the stream.
      if (!endStream || existing.remoteClosed) {
        this.#reset(id, ErrorCode.PROTOCOL_ERROR);
        return;
      }
      existing.remoteClosed = true;
      this.#complete(existing);
      return;
    }
    // §5.1.1: stream identifiers of client-initiated streams MUST be odd,
    // and a new one MUST be greater than every one opened before it.
    if ((id & 1) === 0 || id <= this.#lastStreamId) {
      throw new Http2Error(
        ErrorCode.PROTOCOL_ERROR,
        0,
        `HEADERS opening stream ${id} after stream ${this.#lastStreamId}`,
      );
    }
    this.#lastStreamId = id;
    // §6.8: after GOAWAY, streams above its last stream id are ignored.
    if (this.#goawaySent) return;
    // §5.1.2: an endpoint that receives a HEADERS frame that causes its
    // advertised concurrent stream limit to be exceeded MUST treat this as
    // a stream error of type PROTOCOL_ERROR or REFUSED_STREAM.
    if (this.#streams.size >= this.#maxConcurrent) {
      this.#writer.writeRstStream(id, ErrorCode.REFUSED_STREAM);
      return;
    }
    if (tooLarge || headers === null) {
      this.#writer.writeRstStream(id, ErrorCode.ENHANCE_YOUR_CALM);
      return;
    }
    const contentLength = checkRequestHeaders(id, headers);
    if (contentLength instanceof Http2Error) {
      this.#writer.writeRstStream(id, contentLength.errorCode);
      return;
    }
    const stream: Stream = {
      id,
      headers,
      chunks: [],
      kept: 0,
      received: 0,
      unacked: 0,
      recvWindow: DEFAULT_WINDOW,
      sendWindow: this.#peerInitialWindow,
      remoteClosed: endStream,
      responded: false,
      pending: null,
      contentLength,
    };
    this.#streams.set(id, stream);
    this.#streamsOpened++;
    if (endStream) this.#complete(stream);
  }

  #data(
    id: number,
    data: Uint8Array,
    flowLength: number,
    endStream: boolean,
  ): void {
    // §6.9.1: a sender MUST NOT send a flow-controlled frame with a length
    // that exceeds the space available in either window.
    this.#connRecvWindow -= flowLength;
    if (this.#connRecvWindow < 0) {
      throw new Http2Error(
        ErrorCode.FLOW_CONTROL_ERROR,
        0,
        "DATA beyond the connection window",
      );
    }
    this.#connUnacked += flowLength;
    if (this.#connUnacked >= this.#connWindowTarget / 2) {
      this.#writer.writeWindowUpdate(0, this.#connUnacked);
      this.#connRecvWindow += this.#connUnacked;
      this.#connUnacked = 0;
    }
    const stream = this.#streams.get(id);
    if (stream === undefined) {
      // §6.1: DATA on an idle stream is a connection error PROTOCOL_ERROR;
      // on a closed (or refused, or ignored) one it is dropped.
      if (id > this.#lastStreamId) {
        throw new Http2Error(
          ErrorCode.PROTOCOL_ERROR,
          0,
          `DATA on idle stream ${id}`,
        );
      }
      return;
    }
    if (stream.remoteClosed) {
      // §6.1: DATA on a half-closed (remote) stream: STREAM_CLOSED.
      this.#reset(id, ErrorCode.STREAM_CLOSED);
      return;
    }
    stream.recvWindow -= flowLength;
    if (stream.recvWindow < 0) {
      this.#reset(id, ErrorCode.FLOW_CONTROL_ERROR);
      return;
    }
    stream.received += data.length;
    if (stream.kept < this.#maxBody && data.length > 0) {
      const take = Math.min(data.length, this.#maxBody - stream.kept);
      stream.chunks.push(data.slice(0, take));
      stream.kept += take;
    }
    if (endStream) {
      stream.remoteClosed = true;
      this.#complete(stream);
      return;
    }
    stream.unacked += flowLength;
    if (stream.unacked >= DEFAULT_WINDOW / 2) {
      this.#writer.writeWindowUpdate(id, stream.unacked);
      stream.recvWindow += stream.unacked;
      stream.unacked = 0;
    }
  }

  #complete(stream: Stream): void {
    // §8.1.1: a request whose content-length differs from the DATA octets
    // is malformed.
    if (stream.contentLength >= 0 && stream.contentLength !== stream.received) {
      this.#reset(stream.id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    let body: Uint8Array;
    if (stream.chunks.length === 1) body = stream.chunks[0];
    else {
      body = new Uint8Array(stream.kept);
      let o = 0;
      for (const c of stream.chunks) {
        body.set(c, o);
        o += c.length;
      }
    }
    stream.chunks = [];
    this.#onRequest({
      streamId: stream.id,
      headers: stream.headers,
      body,
      bodyLength: stream.received,
    });
  }

  #windowUpdate(id: number, increment: number): void {
    if (id === 0) {
      this.#connSendWindow += increment;
      // §6.9.1: a window above 2^31-1 is a FLOW_CONTROL_ERROR.
      if (this.#connSendWindow > MAX_WINDOW_SIZE) {
        throw new Http2Error(
          ErrorCode.FLOW_CONTROL_ERROR,
          0,
          "connection window above 2^31-1",
        );
      }
      this.#sendAllPending();
      return;
    }
    const stream = this.#streams.get(id);
    if (stream === undefined) {
      if (id > this.#lastStreamId) {
        throw new Http2Error(
          ErrorCode.PROTOCOL_ERROR,
          0,
          `WINDOW_UPDATE on idle stream ${id}`,
        );
      }
      return;
    }
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW_SIZE) {
      this.#reset(id, ErrorCode.FLOW_CONTROL_ERROR);
      return;
    }
    if (stream.pending !== null) this.#sendPending(stream);
  }

  #sendAllPending(): void {
    if (this.#blocked === 0) return;
    for (const stream of this.#streams.values()) {
      if (this.#connSendWindow <= 0) return;
      if (stream.pending !== null) this.#sendPending(stream);
    }
  }

  #sendPending(stream: Stream): void {
    const data = stream.pending!;
    const n = Math.min(data.length, stream.sendWindow, this.#connSendWindow);
    if (n <= 0) return;
    const last = n === data.length;
    this.#writer.writeData(
      stream.id,
      data.subarray(0, n),
      last,
      this.#peerMaxFrame,
    );
    stream.sendWindow -= n;
    this.#connSendWindow -= n;
    this.#scheduleFlush();
    if (last) {
      stream.pending = null;
      this.#blocked--;
      this.#closeStream(stream);
    } else {
      stream.pending = data.subarray(n);
    }
  }

  #reset(id: number, code: number): void {
    this.#writer.writeRstStream(id, code);
    const stream = this.#streams.get(id);
    if (stream !== undefined) this.#closeStream(stream);
    this.#scheduleFlush();
  }

  #closeStream(stream: Stream): void {
    if (!this.#streams.delete(stream.id)) return;
    if (stream.pending !== null) {
      stream.pending = null;
      this.#blocked--;
    }
    this.#maybeEnd();
  }
}

/**
 * RFC 9113 §8.2 and §8.3.1 checks of a request header list.
 *
 * @returns the content-length (-1 when absent), or the stream error
 */
function checkRequestHeaders(
  id: number,
  headers: readonly HeaderField[],
): number | Http2Error {
  let regular = false;
  let contentLength = -1;
  const seen = new Set<string>();
  for (const [name, value] of headers) {
    if (name.length > 0 && name.charCodeAt(0) === 0x3a) {
      // §8.3: pseudo-header fields MUST precede regular fields, appear at
      // most once, and only the defined request ones are allowed.
      if (regular || !REQUEST_PSEUDO.has(name) || seen.has(name)) {
        return streamFail(id, ErrorCode.PROTOCOL_ERROR, `bad ${name}`);
      }
      seen.add(name);
      continue;
    }
    regular = true;
    // §8.2: field names MUST be lower case; connection-specific fields are
    // malformed; TE may only be "trailers".
    if (/[A-Z]/.test(name) || name.length === 0) {
      return streamFail(id, ErrorCode.PROTOCOL_ERROR, `bad name ${name}`);
    }
    if (
      CONNECTION_SPECIFIC.has(name) || (name === "te" && value !== "trailers")
    ) {
      return streamFail(id, ErrorCode.PROTOCOL_ERROR, `forbidden ${name}`);
    }
    if (name === "content-length") {
      if (!/^[0-9]{1,15}$/.test(value)) {
        return streamFail(id, ErrorCode.PROTOCOL_ERROR, "bad content-length");
      }
      contentLength = Number(value);
    }
  }
  // §8.3.1: a request MUST contain exactly one :method, :scheme and :path
  // (CONNECT aside, which this server does not serve).
  if (!seen.has(":method") || !seen.has(":scheme") || !seen.has(":path")) {
    return streamFail(id, ErrorCode.PROTOCOL_ERROR, "missing pseudo-headers");
  }
  return contentLength;
}

function checkRange(n: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${what} must be an integer ${min}..${max}, got ${n}`);
  }
}
