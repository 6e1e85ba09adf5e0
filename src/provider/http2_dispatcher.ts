/**
 * The HTTP/2 provider-API engine behind `APNs.send`: streams a message's
 * tokens as requests over a small pool of HTTP/2 connections, with bounded
 * memory and backpressure, and sorts every answer into the
 * {@linkcode Result}.
 *
 * - Each connection honours the server's MAX_CONCURRENT_STREAMS as it
 *   changes; tokens are pulled from the (async) iterable only when a stream
 *   slot is near, so a million tokens never sit in memory.
 * - Requests the server provably did not process (REFUSED_STREAM, above a
 *   GOAWAY's last stream id, never written) are sent again on another
 *   connection, at most `retryLimit` times; requests whose fate is unknown
 *   (connection lost after writing, timeout) go to `retry()`, never twice.
 * - `ExpiredProviderToken` refreshes the shared provider token once and
 *   resends; the connection that saw it is replaced.
 *
 * @module
 */

import type { ProviderToken } from "../auth/provider_token.ts";
import { encodeHex, writeHex } from "../bytes/hex.ts";
import { ConnectionClosedError, TlsError } from "../errors.ts";
import {
  Http2ClientConnection,
  type Http2ClientOptions,
  type Http2Request,
  Http2RequestError,
  type Http2Response,
  type ResponseListener,
} from "../http2/client_connection.ts";
import { http2Log as log } from "../log.ts";
import type { Message } from "../message.ts";
import { Result } from "../result.ts";
import type { Connection } from "../transport/types.ts";
import {
  buildMessageRequest,
  isHexToken,
  type MessageRequest,
} from "./notification_request.ts";
import { classifyReason } from "./reasons.ts";

/** Settings of an {@linkcode Http2Dispatcher}. */
export interface Http2DispatcherOptions {
  /** Opens a TLS connection with ALPN `h2`. */
  readonly open: () => Promise<Connection>;
  /** The `:authority` (host name). */
  readonly authority: string;
  /** Provider token for token auth, or `undefined` for certificate auth. */
  readonly token?: ProviderToken;
  /** Topic when a message has none (the certificate's bundle id). */
  readonly defaultTopic?: string;
  /** Whether connections carry a client certificate (for clearer errors). */
  readonly clientCertificate?: boolean;
  /** Most connections opened for this pool entry. Default 2. */
  readonly maxConnections?: number;
  /** Times an unprocessed request is sent again. Default 3. */
  readonly retryLimit?: number;
  /** Options of every HTTP/2 connection (authority is filled in). */
  readonly connection?: Omit<Http2ClientOptions, "authority">;
}

/** Per-send options. */
export interface SendOptions {
  /**
   * Keep each accepted notification's `apns-id` in `Result.apnsIds`.
   * Default: true for token arrays, false for async iterables (memory).
   */
  readonly apnsIds?: boolean;
}

/** State of one send call. */
class ProviderJob {
  accepted = 0;
  readonly failed = new Map<string, [number, string]>();
  readonly errors: [number | null, string][] = [];
  readonly retry: string[] = [];
  readonly unregistered = new Map<string, Date>();
  readonly apnsIds = new Map<string, string>();
  /** Set when the message cannot succeed: the rest goes to retry(). */
  stop: [number, string] | null = null;
  retryable = true;
  inFlight = 0;
  /** Whether any request of the job went out. */
  sentAny = false;
  /** Hold requests back into batches (tokens come one per turn). */
  batching = false;
  #wake: (() => void) | null = null;
  readonly #corked: Http2ClientConnection[] = [];
  #held = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #flushNow = () => this.flush();

  constructor(readonly message: Message, readonly keepIds: boolean) {}

  /**
   * Records an error once. Stream numbers are dropped from the text so that
   * the same failure on many streams stays one entry, and the list is
   * bounded whatever the number of tokens.
   */
  addError(code: number | null, explanation: string): void {
    const text = explanation.replace(/\bstream \d+/g, "stream");
    if (this.errors.some(([c, e]) => c === code && e === text)) return;
    if (this.errors.length < MAX_ERRORS) this.errors.push([code, text]);
    else if (this.errors.length === MAX_ERRORS) {
      this.errors.push([null, "more errors were left out"]);
    }
  }

  /**
   * Called before a request starts on `connection`. While batching, the
   * connection stays corked until {@linkcode ProviderJob.flush}: after
   * {@linkcode BATCH_REQUESTS} requests, before the feed waits, or on a
   * timer when the token source itself waits (I/O), whichever is first.
   */
  hold(connection: Http2ClientConnection): void {
    if (!this.batching) return;
    if (!this.#corked.includes(connection)) {
      connection.cork();
      this.#corked.push(connection);
      this.#timer ??= setTimeout(this.#flushNow, 0);
    }
    if (++this.#held >= BATCH_REQUESTS) this.flush();
  }

  /** Lets the held requests go (one socket write per connection). */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#held = 0;
    for (const connection of this.#corked) connection.uncork();
    this.#corked.length = 0;
  }

  /** Resolves when a request in flight finishes. */
  waitOne(): Promise<void> {
    return new Promise((resolve) => this.#wake = resolve);
  }

  done(): void {
    this.inFlight--;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  result(): Result {
    return new Result(this.message, {
      accepted: this.accepted,
      failed: this.failed,
      errors: this.errors,
      retryTokens: this.retry,
      retryable: this.retryable,
      unregistered: this.unregistered,
      apnsIds: this.apnsIds,
    });
  }
}

/** What a {@linkcode TokenRequest} reports its outcome to (one per dispatcher). */
interface TokenOutcomes {
  response(request: TokenRequest, response: Http2Response): void;
  error(request: TokenRequest, error: Error): void;
}

/**
 * One token's notification: the HTTP/2 request itself and the listener of
 * its outcome, in one object, so that the hot path allocates no promise
 * and no closure per token. Objects are reused from request to request and
 * keep a 64-digit lower-case token as bytes: what a request in flight holds
 * then is old and reused, and nothing per token survives V8's
 * young-generation collections (which would make V8 grow that generation
 * to its maximum while streaming).
 */
class TokenRequest implements Http2Request, ResponseListener {
  readonly method = "POST";
  /** The job it belongs to (while in use). */
  job: ProviderJob | null = null;
  /** The message's headers, without authorization. */
  base: readonly [string, string][] = NO_HEADERS;
  /** The message's headers plus the authorization it went out with. */
  headers: readonly [string, string][] = NO_HEADERS;
  /** The payload. */
  body: Uint8Array = NO_BODY;
  /** Responses the dispatcher had seen when this was last sent. */
  mark = 0;
  /** Rounds in a row in which the server answered nothing at all. */
  stalls = 0;
  /** Whether the provider token was refreshed for it already. */
  refreshed = false;
  /** The connection it was last sent on. */
  connection: Http2ClientConnection | null = null;
  /**
   * The token as given, until the connection has read the path; then only
   * a token that is not 64 lower-case hex digits (the others are in
   * `#bytes`).
   */
  #text: string | null = null;
  #pack = false;
  readonly #bytes = new Uint8Array(32);

  constructor(readonly outcomes: TokenOutcomes) {}

  /** Takes on a token of `job` (a hex token, checked by the caller). */
  use(
    job: ProviderJob,
    token: string,
    base: readonly [string, string][],
    body: Uint8Array,
  ): this {
    this.job = job;
    this.base = this.headers = base;
    this.body = body;
    this.mark = this.stalls = 0;
    this.refreshed = false;
    this.#text = token;
    // A job that keeps apns-ids needs the token string at every answer; its
    // tokens come from an array the caller holds anyway.
    this.#pack = !job.keepIds;
    return this;
  }

  /** Lets go of everything it refers to, before it waits for reuse. */
  release(): void {
    this.job = null;
    this.base = this.headers = NO_HEADERS;
    this.body = NO_BODY;
    this.connection = null;
    this.#text = null;
  }

  /** The token, as the caller gave it. */
  get token(): string {
    return this.#text ?? encodeHex(this.#bytes);
  }

  /**
   * `/3/device/<token>`, made when the connection reads it (once per
   * attempt). When streaming, the first read also packs a 64-digit
   * lower-case token into bytes and lets go of the string.
   */
  get path(): string {
    const text = this.#text;
    if (text === null) return "/3/device/" + encodeHex(this.#bytes);
    if (this.#pack && text.length === 64 && text.toLowerCase() === text) {
      writeHex(this.#bytes, 0, text);
      this.#text = null;
    }
    return "/3/device/" + text;
  }

  onResponse(response: Http2Response): void {
    this.outcomes.response(this, response);
  }

  onError(error: Error): void {
    this.outcomes.error(this, error);
  }
}

const NO_HEADERS: readonly [string, string][] = Object.freeze([]);
const NO_BODY = new Uint8Array(0);
/** Most idle {@linkcode TokenRequest}s a dispatcher keeps for reuse. */
const MAX_SPARE_REQUESTS = 4096;

const utf8 = new TextDecoder();
/** Most distinct entries one result's `errors` holds. */
const MAX_ERRORS = 32;
/** Requests held back into one write while reading an async iterable. */
const BATCH_REQUESTS = 128;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseReason(
  response: Http2Response,
): { reason: string; timestamp?: number } {
  if (response.body.length === 0) return { reason: "" };
  try {
    const parsed = JSON.parse(utf8.decode(response.body));
    return {
      reason: typeof parsed?.reason === "string" ? parsed.reason : "",
      timestamp: typeof parsed?.timestamp === "number"
        ? parsed.timestamp
        : undefined,
    };
  } catch {
    return { reason: "" };
  }
}

function header(response: Http2Response, name: string): string | undefined {
  for (const [n, v] of response.headers) if (n === name) return v;
  return undefined;
}

/** Sends through a small pool of HTTP/2 connections to one APNs host. */
export class Http2Dispatcher {
  readonly #options: Http2DispatcherOptions;
  readonly #maxConnections: number;
  readonly #retryLimit: number;
  readonly #connections: Http2ClientConnection[] = [];
  #opening: Promise<Http2ClientConnection> | null = null;
  #openFailedAt = 0;
  /** Header lists with the current authorization, per message. */
  readonly #authorized = new WeakMap<
    readonly [string, string][],
    { jwt: string; headers: readonly [string, string][] }
  >();
  /** Responses received so far (any status): the measure of progress. */
  #answered = 0;
  #active = 0;
  #idleWaiters: (() => void)[] = [];
  #lastUsed = Date.now();
  readonly #spareRequests: TokenRequest[] = [];
  readonly #outcomes: TokenOutcomes = {
    response: (request, response) => this.#onTokenResponse(request, response),
    error: (request, error) => this.#onTokenError(request, error),
  };

  /**
   * Creates the dispatcher; it connects on the first send.
   *
   * @param options how to connect and authenticate
   */
  constructor(options: Http2DispatcherOptions) {
    this.#options = options;
    this.#maxConnections = options.maxConnections ?? 2;
    this.#retryLimit = options.retryLimit ?? 3;
    if (!Number.isInteger(this.#maxConnections) || this.#maxConnections < 1) {
      throw new RangeError("maxConnections must be a whole number >= 1");
    }
  }

  /** Whether a send or request is in flight. */
  get busy(): boolean {
    return this.#active > 0;
  }

  /** When the dispatcher was last used (ms since epoch). */
  get lastUsed(): number {
    return this.#lastUsed;
  }

  /** Number of open HTTP/2 connections. */
  get openConnections(): number {
    return this.#connections.length;
  }

  /**
   * Resolves once nothing is in flight.
   *
   * @returns a promise
   */
  whenIdle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Closes every connection (call when idle). */
  async close(): Promise<void> {
    const all = this.#connections.splice(0);
    await Promise.all(all.map((c) => c.close().catch(() => {})));
  }

  #begin(): void {
    this.#active++;
    this.#lastUsed = Date.now();
  }

  #end(): void {
    this.#lastUsed = Date.now();
    if (--this.#active === 0) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /** Total streams the open connections allow now (at least 1). */
  #capacity(): number {
    let total = 0;
    for (const c of this.#connections) total += c.maxConcurrentStreams;
    return Math.max(total, 1);
  }

  /**
   * The least loaded open connection, without waiting: `null` when none is
   * open. When all are busy and the pool has room, another one starts
   * opening in the background (not more often than once a second after a
   * failure).
   */
  #pick(): Http2ClientConnection | null {
    let best: Http2ClientConnection | null = null;
    let bestLoad = Infinity;
    for (const c of this.#connections) {
      if (!c.isOpen) continue;
      const load = (c.activeStreams + c.queued) / c.maxConcurrentStreams;
      if (load < bestLoad) {
        best = c;
        bestLoad = load;
      }
    }
    if (
      best && bestLoad >= 1 && this.#opening === null &&
      this.#connections.length < this.#maxConnections &&
      Date.now() - this.#openFailedAt > 1000
    ) {
      this.#startOpen().catch(() => {});
    }
    return best;
  }

  /** A connection to use: an open one, or the next one to open. */
  #connection(): Promise<Http2ClientConnection> {
    const best = this.#pick();
    if (best) return Promise.resolve(best);
    return this.#opening ?? this.#startOpen();
  }

  #startOpen(): Promise<Http2ClientConnection> {
    const opening = this.#open();
    this.#opening = opening;
    opening.then(
      () => {
        if (this.#opening === opening) this.#opening = null;
      },
      () => {
        this.#openFailedAt = Date.now();
        if (this.#opening === opening) this.#opening = null;
      },
    );
    return opening;
  }

  async #open(): Promise<Http2ClientConnection> {
    const socket = await this.#options.open();
    let connection: Http2ClientConnection;
    try {
      connection = await Http2ClientConnection.open(socket, {
        ...this.#options.connection,
        authority: this.#options.authority,
      });
    } catch (error) {
      socket.close();
      if (
        this.#options.clientCertificate &&
        error instanceof ConnectionClosedError
      ) {
        // TLS 1.3 servers refuse a client certificate after the handshake,
        // often with a bare EOF: it shows here, before any SETTINGS.
        throw new TlsError(
          `${this.#options.authority} closed the connection right after the ` +
            "TLS handshake, before its SETTINGS: it most likely rejected the " +
            "client certificate",
          { cause: error },
        );
      }
      throw error;
    }
    this.#connections.push(connection);
    const forget = () => {
      const at = this.#connections.indexOf(connection);
      if (at >= 0) this.#connections.splice(at, 1);
    };
    connection.onGoaway = (info) => {
      forget();
      // Apple puts a JSON reason in the debug data ({"reason":"..."}).
      log.info("GOAWAY from {authority}: {reason} (last stream {last})", {
        authority: this.#options.authority,
        reason: info.debug || `error code ${info.errorCode}`,
        last: info.lastStreamId,
      });
    };
    connection.closed.then(forget);
    return connection;
  }

  /**
   * Sends one request through the pool (for channel management and
   * broadcasts), resending it while the server provably did not process it.
   *
   * @param path request path
   * @param method HTTP method
   * @param headers extra headers
   * @param body request body
   * @returns the response
   */
  async request(
    path: string,
    method: string,
    headers: [string, string][] = [],
    body?: Uint8Array,
  ): Promise<Http2Response> {
    this.#begin();
    try {
      let refreshed = false;
      for (let stalls = 0;;) {
        const withAuth = this.#withAuthorization(headers) ??
          await this.#withFreshAuthorization(headers);
        const connection = await this.#connection();
        const mark = this.#answered;
        try {
          const response = await connection.request({
            path,
            method,
            headers: withAuth,
            body,
          });
          this.#answered++;
          if (
            response.status === 403 && !refreshed && this.#options.token &&
            parseReason(response).reason === "ExpiredProviderToken"
          ) {
            refreshed = true;
            const [, bearer] = withAuth[withAuth.length - 1];
            await this.#options.token.refresh(bearer.slice(7));
            continue;
          }
          return response;
        } catch (error) {
          stalls = this.#answered > mark ? 0 : stalls + 1;
          if (
            error instanceof Http2RequestError &&
            error.outcome === "unprocessed" &&
            stalls <= this.#retryLimit
          ) continue;
          throw error;
        }
      }
    } finally {
      this.#end();
    }
  }

  /**
   * `headers` plus the current `authorization` (token auth), reused while
   * the token stays the same; `null` when a token must be signed first.
   */
  #withAuthorization(
    headers: readonly [string, string][],
  ): readonly [string, string][] | null {
    const token = this.#options.token;
    if (!token) return headers;
    const jwt = token.peek();
    if (jwt === undefined) return null;
    const cached = this.#authorized.get(headers);
    if (cached && cached.jwt === jwt) return cached.headers;
    const combined: [string, string][] = [
      ...headers,
      ["authorization", `bearer ${jwt}`],
    ];
    this.#authorized.set(headers, { jwt, headers: combined });
    return combined;
  }

  async #withFreshAuthorization(
    headers: readonly [string, string][],
  ): Promise<readonly [string, string][]> {
    const jwt = await this.#options.token!.get();
    return this.#withAuthorization(headers) ??
      [...headers, ["authorization", `bearer ${jwt}`]];
  }

  /**
   * Sends `message` to `tokens` (default: the message's own).
   *
   * @param message the message
   * @param tokens tokens to send to instead, possibly an async iterable
   * @param options per-send options
   * @returns the outcome, once every token is resolved
   * @throws {ApnsError} (rejects) when no connection could be opened before
   *   anything was sent
   */
  async send(
    message: Message,
    tokens: Iterable<string> | AsyncIterable<string> = message.tokens,
    options: SendOptions = {},
  ): Promise<Result> {
    const streaming = Symbol.asyncIterator in tokens;
    const job = new ProviderJob(message, options.apnsIds ?? !streaming);
    const shared = buildMessageRequest(message, this.#options.defaultTopic);
    if (shared.rejection) {
      job.stop = shared.rejection;
      job.retryable = false;
      job.addError(shared.rejection[0], shared.rejection[1]);
    }
    this.#begin();
    try {
      try {
        await this.#feed(job, tokens, shared);
      } catch (error) {
        if (!job.sentAny) throw error;
        // The token source (or a connection) failed part-way: report it
        // with what was sent; the tokens never read are the caller's.
        job.addError(null, `sending stopped: ${messageOf(error)}`);
      }
      while (job.inFlight > 0) await job.waitOne();
      return job.result();
    } finally {
      this.#end();
    }
  }

  /**
   * Reads tokens and starts a request for each, with backpressure. Token
   * arrays are walked without awaiting, so the requests of one turn leave
   * in one socket write.
   */
  async #feed(
    job: ProviderJob,
    tokens: Iterable<string> | AsyncIterable<string>,
    shared: MessageRequest,
  ): Promise<void> {
    if (Symbol.asyncIterator in tokens) {
      // One token per turn: without holding the requests back, each would
      // leave in a socket write of its own.
      job.batching = true;
      try {
        for await (const token of tokens) {
          const waiting = this.#offer(job, token, shared);
          if (waiting) {
            job.flush();
            await waiting;
          }
        }
      } finally {
        job.batching = false;
        job.flush();
      }
    } else {
      for (const token of tokens) {
        const waiting = this.#offer(job, token, shared);
        if (waiting) await waiting;
      }
    }
  }

  /**
   * Starts the request for one token at once when a stream slot and a
   * connection are at hand; otherwise returns a promise that waits for them.
   */
  #offer(
    job: ProviderJob,
    token: string,
    shared: MessageRequest,
  ): Promise<void> | undefined {
    if (typeof token !== "string" || !isHexToken(token)) {
      job.failed.set(String(token), [400, "BadDeviceToken"]);
      return;
    }
    if (job.stop) {
      job.retry.push(token);
      return;
    }
    // Backpressure: keep about one round of streams in flight.
    const connection = job.inFlight < this.#capacity() + 16
      ? this.#pick()
      : null;
    if (connection === null) return this.#offerLater(job, token, shared);
    this.#start(job, connection, token, shared);
  }

  async #offerLater(
    job: ProviderJob,
    token: string,
    shared: MessageRequest,
  ): Promise<void> {
    while (job.inFlight >= this.#capacity() + 16) await job.waitOne();
    if (job.stop) {
      job.retry.push(token);
      return;
    }
    let connection: Http2ClientConnection;
    try {
      connection = await this.#connection();
    } catch (error) {
      if (!job.sentAny) throw error;
      job.addError(null, messageOf(error));
      job.stop = [0, "connect failed"];
      job.retry.push(token);
      return;
    }
    this.#start(job, connection, token, shared);
  }

  #start(
    job: ProviderJob,
    connection: Http2ClientConnection,
    token: string,
    shared: MessageRequest,
  ): void {
    job.sentAny = true;
    job.inFlight++;
    job.hold(connection);
    const request = this.#spareRequests.pop() ??
      new TokenRequest(this.#outcomes);
    this.#dispatch(
      request.use(job, token, shared.headers, shared.body),
      connection,
    );
  }

  /**
   * Sends a message to a broadcast channel (iOS 18 Live Activities). The
   * result treats the channel id like a token: accepted, failed or retry.
   *
   * @param message the message (its tokens are ignored)
   * @param channelId the channel
   * @param bundleId the app's bundle id; default: the message's topic
   *   without a `.push-type.liveactivity` suffix, else the certificate's
   * @returns the outcome
   */
  async broadcast(
    message: Message,
    channelId: string,
    bundleId?: string,
  ): Promise<Result> {
    const app = bundleId ??
      message.topic?.replace(/\.push-type\.liveactivity$/, "") ??
      this.#options.defaultTopic;
    const job = new ProviderJob(message.withTokens([channelId]), true);
    const shared = buildMessageRequest(
      message,
      this.#options.defaultTopic ?? app,
    );
    if (!app) {
      job.addError(400, "MissingTopic");
      job.retry.push(channelId);
      job.retryable = false;
      return job.result();
    }
    if (shared.rejection) {
      job.addError(shared.rejection[0], shared.rejection[1]);
      job.retry.push(channelId);
      job.retryable = false;
      return job.result();
    }
    const headers = shared.headers.filter(([n]) => n !== "apns-topic");
    headers.push(["apns-channel-id", channelId]);
    try {
      const response = await this.request(
        `/4/broadcasts/apps/${encodeURIComponent(app)}`,
        "POST",
        headers,
        shared.body,
      );
      if (response.status === 200) {
        job.accepted++;
        const id = header(response, "apns-request-id") ??
          header(response, "apns-id");
        if (id !== undefined) job.apnsIds.set(channelId, id);
      } else {
        const { reason } = parseReason(response);
        const kind = classifyReason(response.status, reason).kind;
        if (
          kind === "token" || reason === "BadChannelId" ||
          reason === "ChannelNotRegistered"
        ) {
          job.failed.set(channelId, [response.status, reason]);
        } else {
          job.addError(response.status, reason || `HTTP ${response.status}`);
          job.retry.push(channelId);
          if (kind !== "retry") job.retryable = false;
        }
      }
    } catch (error) {
      job.addError(
        null,
        error instanceof Error ? error.message : String(error),
      );
      job.retry.push(channelId);
    }
    return job.result();
  }

  /** Sends (or sends again) one token's request on `connection`. */
  #dispatch(request: TokenRequest, connection: Http2ClientConnection): void {
    const headers = this.#withAuthorization(request.base);
    if (headers === null) {
      void this.#dispatchSigned(request, connection);
      return;
    }
    this.#sendOn(request, connection, headers);
  }

  /** Hands `request`, with its authorized `headers`, to `connection`. */
  #sendOn(
    request: TokenRequest,
    connection: Http2ClientConnection,
    headers: readonly [string, string][],
  ): void {
    request.headers = headers;
    request.mark = this.#answered;
    request.connection = connection;
    connection.send(request, request);
  }

  /** {@linkcode Http2Dispatcher.#dispatch} once a provider token is signed. */
  async #dispatchSigned(
    request: TokenRequest,
    connection: Http2ClientConnection,
  ): Promise<void> {
    let headers: readonly [string, string][];
    try {
      headers = await this.#withFreshAuthorization(request.base);
    } catch (error) {
      return this.#giveUp(request, error);
    }
    this.#sendOn(request, connection, headers);
  }

  /** Sends `request` again on whichever connection is next. */
  async #resend(request: TokenRequest): Promise<void> {
    let next: Http2ClientConnection;
    try {
      next = await this.#connection();
    } catch (error) {
      return this.#giveUp(request, error);
    }
    this.#dispatch(request, next);
  }

  /** The token goes to `retry()` with the error noted. */
  #giveUp(request: TokenRequest, error: unknown): void {
    const job = request.job!;
    job.addError(null, messageOf(error));
    job.retry.push(request.token);
    this.#finish(request);
  }

  /** The request's token is settled: its job hears it; the object is reused. */
  #finish(request: TokenRequest): void {
    const job = request.job!;
    request.release();
    if (this.#spareRequests.length < MAX_SPARE_REQUESTS) {
      this.#spareRequests.push(request);
    }
    job.done();
  }

  #onTokenResponse(request: TokenRequest, response: Http2Response): void {
    this.#answered++;
    const job = request.job!;
    if (response.status === 200) {
      job.accepted++;
      if (job.keepIds) {
        const id = header(response, "apns-id");
        if (id !== undefined) job.apnsIds.set(request.token, id);
      }
      return this.#finish(request);
    }
    const token = request.token;
    const { reason, timestamp } = parseReason(response);
    const kind = classifyReason(response.status, reason).kind;
    if (kind === "token") {
      job.failed.set(token, [response.status, reason]);
      if (response.status === 410) {
        job.unregistered.set(token, new Date(timestamp ?? Date.now()));
      }
    } else if (
      kind === "expired-token" && !request.refreshed && this.#options.token
    ) {
      request.refreshed = true;
      void this.#refreshAndResend(request);
      return;
    } else {
      job.addError(response.status, reason || `HTTP ${response.status}`);
      job.retry.push(token);
      if (kind === "message" || kind === "auth" || kind === "expired-token") {
        job.stop ??= [response.status, reason];
        job.retryable = false;
      }
    }
    this.#finish(request);
  }

  /**
   * `ExpiredProviderToken`: Apple wedges the connection after it, so the
   * request goes out on another one, with one shared refresh for every
   * request that saw the stale token.
   */
  async #refreshAndResend(request: TokenRequest): Promise<void> {
    const bearer = request.headers[request.headers.length - 1][1];
    try {
      await this.#options.token!.refresh(bearer.slice(7));
    } catch (error) {
      return this.#giveUp(request, error);
    }
    void request.connection?.close().catch(() => {});
    await this.#resend(request);
  }

  /**
   * Unprocessed requests go out again as long as the server makes
   * progress; `retryLimit` bounds the rounds in which it answered nothing
   * at all (a server refusing everything). Others go to `retry()`.
   */
  #onTokenError(request: TokenRequest, error: Error): void {
    const stalled = this.#answered > request.mark ? 0 : request.stalls + 1;
    if (
      error instanceof Http2RequestError && error.outcome === "unprocessed" &&
      stalled <= this.#retryLimit
    ) {
      request.stalls = stalled;
      void this.#resend(request);
      return;
    }
    this.#giveUp(request, error);
  }
}
