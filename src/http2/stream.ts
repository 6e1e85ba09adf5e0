/**
 * {@linkcode StreamRecord}: the state of one request, from `request()` to
 * its settlement, kept small and monomorphic (a plain class with fields;
 * no closures). Records also link into the connection's deadline list.
 *
 * @module
 */

import type { ReceiveWindow } from "./flow_control.ts";
import type {
  Http2Request,
  Http2Response,
  ResponseListener,
} from "./client_options.ts";

/** Where a request stands. */
export const StreamState = {
  /** Waiting for a stream slot; no stream id yet. */
  QUEUED: 0,
  /** Has a stream id; HEADERS encoded. */
  OPEN: 1,
  /** Settled (resolved or rejected). */
  DONE: 2,
} as const;

/** A {@linkcode StreamState} value. */
export type StreamState = typeof StreamState[keyof typeof StreamState];

const EMPTY = new Uint8Array(0);

/** What a record waiting for reuse points at. */
const IDLE_REQUEST: Http2Request = Object.freeze({ path: "/" });
const IDLE_LISTENER: ResponseListener = Object.freeze({
  onResponse() {},
  onError() {},
});

/** Reports a listener's exception where the runtime shows uncaught errors. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** The mutable state of one request. Fields are the connection's to use. */
export class StreamRecord {
  /** The request as given. */
  request: Http2Request;
  /** Who hears the outcome. */
  listener: ResponseListener;
  /** The request's path, read once, kept while the record waits queued. */
  path = "";
  /** Lifecycle state. */
  state: StreamState = StreamState.QUEUED;
  /** Stream id, 0 while queued. */
  id = 0;
  /** When it times out (`performance.now()` ms), or `Infinity`. */
  deadline: number;
  /** Previous record in the deadline list. */
  prev: StreamRecord | null = null;
  /** Next record in the deadline list. */
  next: StreamRecord | null = null;
  /** The connection's write count when its HEADERS were encoded. */
  writeGeneration = 0;
  /** Bytes we may still send on the stream (may be negative). */
  sendWindow = 0;
  /** Body bytes already sent. */
  bodyOffset = 0;
  /** Whether the record is in the connection's flow-control wait list. */
  blocked = false;
  /** Whether we sent END_STREAM. */
  localDone = false;
  /** The stream's receive window, made on its first DATA frame. */
  recv: ReceiveWindow | null = null;
  /** The response status, 0 until the final HEADERS. */
  status = 0;
  /** Response header fields. */
  headers: readonly (readonly [string, string])[] = [];
  /** First body chunk (a view into a read buffer). */
  body: Uint8Array = EMPTY;
  /** Further body chunks, when there is more than one. */
  more: Uint8Array[] | null = null;
  /** Total body bytes received. */
  bodyLength = 0;

  /**
   * Makes a queued record.
   *
   * @param request the request
   * @param listener hears the response or the error
   * @param deadline when it times out, or `Infinity`
   */
  constructor(
    request: Http2Request,
    listener: ResponseListener,
    deadline: number,
  ) {
    this.request = request;
    this.listener = listener;
    this.deadline = deadline;
  }

  /**
   * Makes a settled record a fresh queued one (records are reused: one
   * allocated per request would live as long as its stream, long enough to
   * survive V8's young-generation collections).
   *
   * @param request the request
   * @param listener hears the response or the error
   * @param deadline when it times out, or `Infinity`
   */
  reuse(
    request: Http2Request,
    listener: ResponseListener,
    deadline: number,
  ): void {
    this.request = request;
    this.listener = listener;
    this.deadline = deadline;
    this.state = StreamState.QUEUED;
    this.id = 0;
    this.writeGeneration = 0;
    this.sendWindow = 0;
    this.bodyOffset = 0;
    this.localDone = false;
    this.status = 0;
  }

  /** Drops what a settled record refers to, before it waits for reuse. */
  release(): void {
    this.request = IDLE_REQUEST;
    this.listener = IDLE_LISTENER;
    this.path = "";
    this.prev = this.next = null;
    this.recv = null;
    this.headers = [];
    this.body = EMPTY;
    this.more = null;
    this.bodyLength = 0;
  }

  /**
   * Hands the response to the listener. A listener that throws does not
   * break the connection's frame processing: the error is rethrown on a
   * microtask, where the runtime reports it.
   *
   * @param response the complete response
   */
  resolve(response: Http2Response): void {
    try {
      this.listener.onResponse(response);
    } catch (error) {
      rethrowLater(error);
    }
  }

  /**
   * Hands an error to the listener (rethrown on a microtask if it throws).
   *
   * @param error why the request failed
   */
  reject(error: Error): void {
    try {
      this.listener.onError(error);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }

  /**
   * Appends a DATA payload to the body (a view; copied on completion).
   *
   * @param data the payload
   */
  addData(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.bodyLength === 0) this.body = data;
    else (this.more ??= []).push(data);
    this.bodyLength += data.length;
  }

  /**
   * Returns the whole body as a fresh copy (so read buffers are not kept).
   *
   * @returns the body bytes
   */
  takeBody(): Uint8Array {
    if (this.bodyLength === 0) return EMPTY;
    if (this.more === null) return this.body.slice();
    const out = new Uint8Array(this.bodyLength);
    out.set(this.body, 0);
    let at = this.body.length;
    for (const chunk of this.more) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.more = null;
    this.body = EMPTY;
    return out;
  }
}

/**
 * Records in order of their deadlines (which, with one timeout per
 * connection, is the order they were made): append, unlink and peek in
 * O(1), so one timer serves every request.
 */
export class DeadlineList {
  #head: StreamRecord | null = null;
  #tail: StreamRecord | null = null;

  /** The record that times out first, or `null`. */
  get head(): StreamRecord | null {
    return this.#head;
  }

  /**
   * Appends a record (its deadline must not precede the tail's).
   *
   * @param rec the record, not in any list
   */
  push(rec: StreamRecord): void {
    rec.prev = this.#tail;
    rec.next = null;
    if (this.#tail === null) this.#head = rec;
    else this.#tail.next = rec;
    this.#tail = rec;
  }

  /**
   * Unlinks a record (a no-op when it is not linked).
   *
   * @param rec the record
   */
  remove(rec: StreamRecord): void {
    const { prev, next } = rec;
    if (prev === null) {
      if (this.#head !== rec) return;
      this.#head = next;
    } else prev.next = next;
    if (next === null) this.#tail = prev;
    else next.prev = prev;
    rec.prev = null;
    rec.next = null;
  }
}
