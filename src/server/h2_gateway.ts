/**
 * A mock of Apple's HTTP/2 provider API (api.push.apple.com): a `node:tls`
 * server with ALPN `h2` running this library's own frame and HPACK codecs
 * ({@linkcode H2ServerConnection}), validating requests as Apple does (see
 * `h2_validation.ts` for the rules and their order) and answering with
 * Apple's statuses and reasons. `node:http2` is not used: it aborts the
 * Deno process now and then when client sessions close.
 *
 * Authentication (`auth`):
 * - `"certificate"`: a client certificate is required (verified against
 *   `ca`); its subject UID is the default topic and bounds the allowed ones.
 *   With `requestCert: false` the certificate is asked for but optional:
 *   requests on a connection without one get 403 MissingProviderToken, with
 *   one that does not chain to `ca` 403 BadCertificate.
 * - a token-auth object: every request needs `authorization: bearer <JWT>`
 *   (403 MissingProviderToken / InvalidProviderToken /
 *   ExpiredProviderToken; 429 TooManyProviderTokenUpdates with
 *   `minRefreshSeconds`) and a topic; client certificates are not asked
 *   for unless `requestCert: true`.
 * - `"none"`: no client certificate and no token; a topic is still
 *   required. For load tools such as `h2load`, which cannot present client
 *   certificates: `h2load -n 2000 -c 2 -m 50 --data=payload.json
 *   -H 'apns-topic: com.example.app' https://127.0.0.1:PORT/3/device/<hex>`.
 *
 * `requestCert` defaults to true with certificate auth, false otherwise.
 *
 * A request passing every rule is checked against `faults.reasons` (by
 * token), then `onRequest`; if neither rejects it, it is accepted: 200 with
 * `apns-id` (the request's, or a new upper-case UUID) and `apns-unique-id`.
 * Rejections carry `apns-id` and a JSON body `{"reason": ...}` (plus
 * `"timestamp"` for 410).
 *
 * @module
 */

import type * as tls from "node:tls";
import { parseCertificate } from "../auth/x509.ts";
import { ErrorCode } from "../http2/frame/mod.ts";
import type { HeaderField } from "../http2/hpack/mod.ts";
import {
  type HostedConnection,
  type ListenAddress,
  type MockTlsOptions,
  type Timer,
  TlsHost,
} from "./_tls_host.ts";
import { JsonLinesRecord } from "./_record.ts";
import { count } from "./_option_checks.ts";
import {
  H2ServerConnection,
  type H2ServerRequest,
} from "./h2_server_connection.ts";
import {
  type H2TokenAuth,
  ProviderTokenVerifier,
  type TokenVerdict,
} from "./h2_provider_auth.ts";
import {
  BroadcastRegistry,
  type BroadcastState,
  isBroadcastPath,
} from "./h2_broadcast.ts";
import {
  type ApnsRejection,
  type CheckedNotification,
  checkNotification,
  checkRequestTarget,
  type NotificationRules,
} from "./h2_validation.ts";

/** Injected behaviour; every count is per connection. */
export interface H2Faults {
  /** Tokens (lower-case hex) answered with this status and reason (and timestamp in ms, for 410). */
  readonly reasons?: ReadonlyMap<
    string,
    { status: number; reason: string; timestamp?: number }
  >;
  /** SETTINGS_MAX_CONCURRENT_STREAMS to advertise (default 1000); streams beyond it get RST_STREAM(REFUSED_STREAM). */
  readonly maxConcurrentStreams?: number;
  /**
   * After this many requests on a connection: GOAWAY(NO_ERROR, last stream
   * id seen, debug `{"reason": goawayReason}`), then close once the
   * in-flight streams are answered. Later streams are ignored.
   */
  readonly goawayAfter?: number;
  /** Reason in the GOAWAY debug data of `goawayAfter` (default "Shutdown"). */
  readonly goawayReason?: string;
  /** Answer each request after this many milliseconds. */
  readonly delayMs?: number;
  /**
   * Destroy the connection silently once this many requests were answered
   * on it (0: right after the handshake); requests beyond get no answer.
   */
  readonly dropAfter?: number;
  /**
   * Close connections on which the client sent nothing for this many
   * milliseconds (and no stream is open) with GOAWAY(NO_ERROR,
   * `{"reason":"IdleTimeout"}`), as Apple does with idle connections
   * (0 or absent: never).
   */
  readonly idleTimeoutMs?: number;
  /** Like Apple with token auth: MAX_CONCURRENT_STREAMS 1 until the first accepted request, then the configured value. */
  readonly tokenAuthStartsAtOne?: boolean;
}

/** A notification the gateway accepted. */
export interface AcceptedRequest {
  /** Device token, lower-case hex. */
  readonly token: string;
  /** The `apns-id` answered (the request's, or a generated one). */
  readonly id: string;
  /** The `apns-unique-id` answered. */
  readonly uniqueId: string;
  /** `apns-expiration` in UNIX seconds; null when absent. */
  readonly expiry: number | null;
  /** `apns-priority` (10 when absent). */
  readonly priority: number;
  /** The parsed JSON payload. */
  readonly payload: Record<string, unknown>;
  /** The topic (the certificate's UID when absent with certificate auth). */
  readonly topic: string;
  /** `apns-push-type`; null when absent. */
  readonly pushType: string | null;
  /** `apns-collapse-id`; null when absent. */
  readonly collapseId: string | null;
  /** 1-based number of the connection (in accept order). */
  readonly connection: number;
  /** The HTTP/2 stream it came on. */
  readonly streamId: number;
}

/** A request the gateway rejected. */
export interface RejectedRequest extends ApnsRejection {
  /** Device token from the path, lower-case hex (empty when there was none). */
  readonly token: string;
  /** The `apns-id` answered. */
  readonly id: string;
  /** 1-based number of the connection. */
  readonly connection: number;
  /** The HTTP/2 stream. */
  readonly streamId: number;
}

/**
 * Decides about a valid notification: return a rejection to answer with
 * it, or nothing to accept the notification.
 */
export type H2RequestHook = (
  notification: CheckedNotification & { readonly connection: number },
) =>
  | ApnsRejection
  | undefined
  | void
  | Promise<ApnsRejection | undefined | void>;

/** Options of {@linkcode MockHttp2Gateway}. */
export interface MockHttp2GatewayOptions extends MockTlsOptions {
  /** How clients authenticate (see the module doc). */
  readonly auth: "certificate" | "none" | H2TokenAuth;
  /** Injected behaviour. */
  readonly faults?: H2Faults;
  /**
   * Writes one JSON line `{"token","id","expiry","priority","payload",
   * "topic","pushType","collapseId"}` per accepted notification: to this
   * file (appended; flushed by `close()`), or to this callback (the line
   * without its newline).
   */
  readonly record?: string | ((line: string) => void);
  /** Keep accepted and rejected requests in `accepted`/`rejected` (default true; off for load tests). */
  readonly retain?: boolean;
  /** Payload limit in bytes (default 4096; VoIP gets at least 5120). */
  readonly maxPayloadBytes?: number;
  /** Called for every valid notification; may reject it. */
  readonly onRequest?: H2RequestHook;
  /** Called for every accepted notification. */
  readonly onAccepted?: (request: AcceptedRequest) => void;
  /** Clock in milliseconds, for token ages (default `Date.now`). */
  readonly now?: () => number;
}

const encoder = new TextEncoder();
const JSON_TYPE: HeaderField = ["content-type", "application/json"];

function isRejection(v: unknown): v is ApnsRejection {
  return typeof v === "object" && v !== null && "status" in v &&
    "reason" in v;
}

/** Per-connection state. */
interface Served {
  readonly number: number;
  readonly conn: H2ServerConnection;
  readonly uid: string | undefined;
  readonly hasCertificate: boolean;
  /** The client certificate chains to `ca`. */
  readonly authorized: boolean;
  /** Answers held by `delayMs`, in due order, and their one timer. */
  readonly delayed: { due: number; run: () => void }[];
  delayTimer: Timer | undefined;
  idleTimer: Timer | undefined;
  lastActivity: number;
  requests: number;
  answered: number;
  acceptedHere: number;
  dropped: boolean;
}

/**
 * The mock HTTP/2 gateway.
 *
 * @example
 * ```ts ignore
 * await using gw = new MockHttp2Gateway({ cert, key, ca, auth: "certificate" });
 * const { port } = await gw.listen();
 * // POST https://127.0.0.1:port/3/device/<token> with the client certificate
 * console.log(gw.accepted);
 * ```
 */
export class MockHttp2Gateway {
  readonly #host: TlsHost;
  readonly #auth: "certificate" | "token" | "none";
  readonly #verifier: ProviderTokenVerifier | undefined;
  readonly #goawayOnExpired: boolean;
  readonly #topics: ReadonlySet<string> | undefined;
  readonly #faults: H2Faults;
  readonly #maxPayload: number;
  readonly #maxConcurrent: number;
  readonly #retain: boolean;
  readonly #onRequest: H2RequestHook | undefined;
  readonly #onAccepted: ((request: AcceptedRequest) => void) | undefined;
  readonly #record: JsonLinesRecord;
  readonly #accepted: AcceptedRequest[] = [];
  readonly #rejected: RejectedRequest[] = [];
  readonly #broadcasts = new BroadcastRegistry();
  #acceptedCount = 0;
  #rejectedCount = 0;
  #connectionCount = 0;

  /**
   * Creates the gateway (call `listen()` to start it).
   *
   * @param options TLS, address, auth, faults, limits and recording
   * @throws {TypeError} on missing certificates or bad option types
   * @throws {RangeError} on out-of-range counts or statuses
   */
  constructor(options: MockHttp2GatewayOptions) {
    const auth = options?.auth;
    if (auth === "certificate" || auth === "none") {
      this.#auth = auth;
      this.#goawayOnExpired = false;
    } else if (typeof auth === "object" && auth !== null) {
      this.#auth = "token";
      this.#verifier = new ProviderTokenVerifier(auth, options.now);
      this.#goawayOnExpired = auth.goawayOnExpired === true;
      if (auth.topics !== undefined) this.#topics = new Set(auth.topics);
    } else {
      throw new TypeError(
        'auth must be "certificate", "none" or a token-auth object',
      );
    }
    const faults = options.faults ?? {};
    for (const [token, r] of faults.reasons ?? []) {
      if (!/^([0-9a-f]{2})+$/.test(token)) {
        throw new TypeError(`reasons keys must be lower-case hex: ${token}`);
      }
      if (!Number.isInteger(r?.status) || r.status < 400 || r.status > 599) {
        throw new RangeError(`reasons status must be 400-599: ${r?.status}`);
      }
      if (typeof r.reason !== "string") {
        throw new TypeError("reasons reason must be a string");
      }
    }
    count(faults.goawayAfter, "goawayAfter");
    count(faults.delayMs, "delayMs");
    count(faults.dropAfter, "dropAfter");
    count(faults.idleTimeoutMs, "idleTimeoutMs");
    this.#maxConcurrent = count(
      faults.maxConcurrentStreams,
      "maxConcurrentStreams",
    ) ?? 1000;
    this.#faults = faults;
    this.#maxPayload = count(options.maxPayloadBytes, "maxPayloadBytes") ??
      4096;
    this.#retain = options.retain ?? true;
    this.#onRequest = options.onRequest;
    this.#onAccepted = options.onAccepted;
    this.#record = new JsonLinesRecord(options.record);
    const require = options.requestCert ?? this.#auth === "certificate";
    this.#host = new TlsHost(options, (socket) => this.#serve(socket), {
      clientCerts: require
        ? "require"
        : this.#auth === "certificate"
        ? "ask"
        : "none",
      h2: true,
    });
  }

  /**
   * Starts listening (imports the token key and opens the record file, if
   * any).
   *
   * @returns the bound address
   * @throws {TypeError} when the token-auth key is unusable
   */
  async listen(): Promise<ListenAddress> {
    await this.#verifier?.ready();
    await this.#record.open();
    return await this.#host.listen();
  }

  /** The bound address, once listening. */
  get address(): ListenAddress | undefined {
    return this.#host.address;
  }

  /** Accepted notifications, in order (empty when `retain` is false). */
  get accepted(): readonly AcceptedRequest[] {
    return this.#accepted;
  }

  /** Number of accepted notifications (counted even when not retained). */
  get acceptedCount(): number {
    return this.#acceptedCount;
  }

  /** Rejected requests, in order (empty when `retain` is false). */
  get rejected(): readonly RejectedRequest[] {
    return this.#rejected;
  }

  /** Number of rejected requests. */
  get rejectedCount(): number {
    return this.#rejectedCount;
  }

  /** TLS connections accepted (with h2) so far. */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** Handshakes that failed (e.g. a client certificate not from `ca`). */
  get tlsErrors(): number {
    return this.#host.tlsErrors;
  }

  /** Connections refused because the client did not select h2 by ALPN. */
  get refusedAlpn(): number {
    return this.#host.refusedAlpn;
  }

  /**
   * Stops listening, sends GOAWAY on and ends every connection (destroying
   * stragglers) and flushes the record file.
   *
   * @returns settles when everything is closed
   * @throws {Error} the record file's write error, if one happened
   */
  async close(): Promise<void> {
    await this.#host.close();
    await this.#record.close();
  }

  /**
   * Same as `close()`, for `await using`.
   *
   * @returns settles when everything is closed
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #serve(socket: tls.TLSSocket): HostedConnection {
    socket.setNoDelay(true);
    const number = ++this.#connectionCount;
    const faults = this.#faults;
    let uid: string | undefined;
    let hasCertificate = false;
    const authorized = socket.authorized === true;
    try {
      const raw = socket.getPeerCertificate(false)?.raw;
      if (raw !== undefined && raw.length > 0) {
        hasCertificate = true;
        uid = parseCertificate(new Uint8Array(raw)).uid;
      }
    } catch {
      // An unparsable certificate leaves the connection without a topic.
    }
    const startAtOne = faults.tokenAuthStartsAtOne === true &&
      this.#auth === "token";
    const conn = new H2ServerConnection({
      transport: {
        // Backpressure: stop reading requests while answers queue up.
        write: (bytes) => {
          if (socket.destroyed) return;
          if (!socket.write(bytes) && !socket.isPaused()) {
            socket.pause();
            socket.once("drain", () => {
              if (!socket.destroyed) socket.resume();
            });
          }
        },
        end: () => this.#host.endAndDrain(socket),
        // Let what was written leave first, then drop without a goodbye.
        destroy: () => {
          if (!socket.destroyed) {
            socket.write(new Uint8Array(0), () => socket.destroy());
          }
        },
      },
      maxConcurrentStreams: startAtOne ? 1 : this.#maxConcurrent,
      maxBodyBytes: Math.max(this.#maxPayload, 5120) + 1,
      onRequest: (request) => this.#request(served, request),
      onClose: () => {
        if (served.delayTimer !== undefined) clearTimeout(served.delayTimer);
        if (served.idleTimer !== undefined) clearTimeout(served.idleTimer);
        served.delayTimer = served.idleTimer = undefined;
        served.delayed.length = 0;
      },
    });
    const served: Served = {
      number,
      conn,
      uid,
      hasCertificate,
      authorized,
      delayed: [],
      delayTimer: undefined,
      idleTimer: undefined,
      lastActivity: performance.now(),
      requests: 0,
      answered: 0,
      acceptedHere: 0,
      dropped: false,
    };
    socket.on("close", () => conn.transportClosed());
    if (faults.dropAfter === 0) {
      served.dropped = true;
      socket.destroy();
    } else {
      socket.on("data", (chunk: Uint8Array) => {
        served.lastActivity = performance.now();
        conn.push(chunk);
      });
      this.#armIdle(served);
    }
    return {
      shutdown: () => {
        if (conn.finished) socket.end();
        else conn.goaway(ErrorCode.NO_ERROR, '{"reason":"Shutdown"}');
        conn.flush();
        this.#host.endAndDrain(socket);
      },
    };
  }

  #request(served: Served, request: H2ServerRequest): void {
    if (served.dropped) return;
    served.requests++;
    const faults = this.#faults;
    if (
      faults.goawayAfter !== undefined && served.requests >= faults.goawayAfter
    ) {
      // Answer this request (and the ones already open), ignore later ones.
      served.conn.goaway(
        ErrorCode.NO_ERROR,
        JSON.stringify({ reason: faults.goawayReason ?? "Shutdown" }),
      );
    }
    let path = "";
    for (const [name, value] of request.headers) {
      if (name === ":path") path = value;
    }
    if (isBroadcastPath(path)) {
      this.#broadcastRequest(served, request, path);
      return;
    }
    const target = checkRequestTarget(request.headers);
    if (isRejection(target)) {
      this.#answer(served, request, "", undefined, target);
      return;
    }
    const idHeader = target.fields.get("apns-id");
    const verdict = this.#verdict(served, target.fields.get("authorization"));
    const afterAuth = (
      v: TokenVerdict | { ok: false; reason: "BadCertificate" },
    ) => {
      if (!v.ok) {
        this.#answer(served, request, target.token, idHeader, {
          status: v.reason === "TooManyProviderTokenUpdates" ? 429 : 403,
          reason: v.reason,
        });
        if (v.reason === "ExpiredProviderToken" && this.#goawayOnExpired) {
          served.conn.goaway(
            ErrorCode.NO_ERROR,
            '{"reason":"ExpiredProviderToken"}',
          );
        }
        return;
      }
      const rules: NotificationRules = {
        auth: this.#auth,
        certificateTopic: served.uid,
        topics: this.#topics,
        maxPayloadBytes: this.#maxPayload,
      };
      const n = checkNotification(
        target,
        request.body,
        request.bodyLength,
        rules,
      );
      if (isRejection(n)) {
        this.#answer(served, request, target.token, idHeader, n);
        return;
      }
      const fault = faults.reasons?.get(n.token);
      if (fault !== undefined) {
        this.#answer(served, request, n.token, idHeader, fault);
        return;
      }
      const hook = this.#onRequest?.({ ...n, connection: served.number });
      if (hook instanceof Promise) {
        hook.then(
          (r) =>
            this.#answer(
              served,
              request,
              n.token,
              idHeader,
              isRejection(r) ? r : n,
            ),
          () =>
            this.#answer(served, request, n.token, idHeader, {
              status: 500,
              reason: "InternalServerError",
            }),
        );
      } else {
        this.#answer(
          served,
          request,
          n.token,
          idHeader,
          isRejection(hook) ? hook : n,
        );
      }
    };
    if (verdict instanceof Promise) {
      verdict.then(
        afterAuth,
        () =>
          this.#answer(served, request, target.token, idHeader, {
            status: 500,
            reason: "InternalServerError",
          }),
      );
    } else {
      afterAuth(verdict);
    }
  }

  /** Authentication of one request: the provider token or the certificate. */
  #verdict(
    served: Served,
    authorization: string | undefined,
  ):
    | TokenVerdict
    | { ok: false; reason: "BadCertificate" }
    | Promise<TokenVerdict> {
    if (this.#auth === "token") return this.#verifier!.check(authorization);
    if (this.#auth === "certificate") {
      if (!served.hasCertificate) {
        return { ok: false, reason: "MissingProviderToken" };
      }
      if (!served.authorized) return { ok: false, reason: "BadCertificate" };
    }
    return { ok: true };
  }

  /** Channel management and broadcast sends (iOS 18). */
  #broadcastRequest(
    served: Served,
    request: H2ServerRequest,
    path: string,
  ): void {
    let method = "";
    const fields = new Map<string, string>();
    for (const [name, value] of request.headers) {
      if (name === ":method") method = value;
      else if (!name.startsWith(":")) fields.set(name, value);
    }
    const finish = (
      v: TokenVerdict | { ok: false; reason: "BadCertificate" },
    ) => {
      if (served.dropped || served.conn.finished) return;
      const response = v.ok
        ? this.#broadcasts.handle(
          method,
          path,
          fields,
          request.body,
          this.#maxPayload,
        )
        : {
          status: v.reason === "TooManyProviderTokenUpdates" ? 429 : 403,
          headers: [JSON_TYPE],
          body: encoder.encode(JSON.stringify({ reason: v.reason })),
        };
      if (served.conn.respond(request.streamId, response)) served.answered++;
    };
    const verdict = this.#verdict(served, fields.get("authorization"));
    if (verdict instanceof Promise) {
      verdict.then(
        finish,
        () => finish({ ok: false, reason: "BadCertificate" }),
      );
    } else finish(verdict);
  }

  /** Broadcast push state: channels and accepted broadcasts. */
  get broadcasts(): BroadcastState {
    return this.#broadcasts;
  }

  /**
   * Answers now or after `delayMs`. Held answers share one timer per
   * connection, so those due together leave in one write.
   */
  #answer(
    served: Served,
    request: H2ServerRequest,
    token: string,
    idHeader: string | undefined,
    outcome: ApnsRejection | CheckedNotification,
  ): void {
    const delay = this.#faults.delayMs ?? 0;
    if (delay === 0) {
      this.#send(served, request, token, idHeader, outcome);
      return;
    }
    served.delayed.push({
      due: performance.now() + delay,
      run: () => this.#send(served, request, token, idHeader, outcome),
    });
    if (served.delayTimer === undefined) this.#armDelay(served, delay);
  }

  #armDelay(served: Served, ms: number): void {
    served.delayTimer = setTimeout(() => {
      served.delayTimer = undefined;
      const now = performance.now() + 1;
      const queue = served.delayed;
      let i = 0;
      while (i < queue.length && queue[i].due <= now) queue[i++].run();
      queue.splice(0, i);
      if (queue.length > 0 && !served.conn.finished) {
        this.#armDelay(served, Math.max(0, queue[0].due - now + 1));
      }
    }, ms);
  }

  /**
   * With `faults.idleTimeoutMs`: GOAWAY(NO_ERROR, {"reason":"IdleTimeout"})
   * once the client has sent nothing for that long and no stream is open.
   */
  #armIdle(served: Served, ms = this.#faults.idleTimeoutMs): void {
    if (ms === undefined || ms === 0) return;
    served.idleTimer = setTimeout(() => {
      served.idleTimer = undefined;
      if (served.conn.finished) return;
      const idle = performance.now() - served.lastActivity;
      const limit = this.#faults.idleTimeoutMs!;
      if (idle + 1 >= limit && served.conn.openStreams === 0) {
        served.conn.goaway(ErrorCode.NO_ERROR, '{"reason":"IdleTimeout"}');
      } else {
        this.#armIdle(served, Math.max(1, limit - idle));
      }
    }, ms);
  }

  #send(
    served: Served,
    request: H2ServerRequest,
    token: string,
    idHeader: string | undefined,
    outcome: ApnsRejection | CheckedNotification,
  ): void {
    if (served.dropped || served.conn.finished) return;
    const streamId = request.streamId;
    const uuid = /^[0-9a-fA-F-]{36}$/;
    const id = idHeader !== undefined && uuid.test(idHeader)
      ? idHeader
      : crypto.randomUUID().toUpperCase();
    let sent: boolean;
    if (isRejection(outcome)) {
      const body: { reason: string; timestamp?: number } = {
        reason: outcome.reason,
      };
      if (outcome.status === 410 && outcome.timestamp !== undefined) {
        body.timestamp = outcome.timestamp;
      }
      sent = served.conn.respond(streamId, {
        status: outcome.status,
        headers: [["apns-id", id], JSON_TYPE],
        body: encoder.encode(JSON.stringify(body)),
      });
      if (sent) {
        this.#rejectedCount++;
        if (this.#retain) {
          const r: RejectedRequest = {
            status: outcome.status,
            reason: outcome.reason,
            token,
            id,
            connection: served.number,
            streamId,
          };
          this.#rejected.push(
            body.timestamp === undefined
              ? r
              : { ...r, timestamp: body.timestamp },
          );
        }
      }
    } else {
      const uniqueId = crypto.randomUUID();
      sent = served.conn.respond(streamId, {
        status: 200,
        headers: [["apns-id", id], ["apns-unique-id", uniqueId]],
      });
      if (sent) {
        served.acceptedHere++;
        this.#accept({
          token: outcome.token,
          id,
          uniqueId,
          expiry: outcome.expiry,
          priority: outcome.priority,
          payload: outcome.payload,
          topic: outcome.topic,
          pushType: outcome.pushType,
          collapseId: outcome.collapseId,
          connection: served.number,
          streamId,
        });
        if (
          served.acceptedHere === 1 && this.#faults.tokenAuthStartsAtOne &&
          this.#auth === "token"
        ) {
          served.conn.setMaxConcurrentStreams(this.#maxConcurrent);
        }
      }
    }
    if (!sent) return;
    served.answered++;
    if (served.answered === this.#faults.dropAfter) {
      served.dropped = true;
      served.conn.destroy();
    }
  }

  #accept(n: AcceptedRequest): void {
    this.#acceptedCount++;
    if (this.#retain) this.#accepted.push(n);
    if (this.#record.active) {
      this.#record.write({
        token: n.token,
        id: n.id,
        expiry: n.expiry,
        priority: n.priority,
        payload: n.payload,
        topic: n.topic,
        pushType: n.pushType,
        collapseId: n.collapseId,
      });
    }
    this.#onAccepted?.(n);
  }
}
