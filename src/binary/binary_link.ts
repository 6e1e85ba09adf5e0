/**
 * One live connection of the binary protocol and its identifier ledger:
 * which job and token each identifier written on it stands for.
 *
 * @module
 */

import type { Connection } from "../transport/types.ts";
import type { SendJob } from "./send_job.ts";

/** Lifecycle of a link. */
export type LinkState = "open" | "probing" | "dead";

/** Largest identifier used before a link is retired (u32, with margin). */
export const MAX_LINK_ID = 0xffff_ff00;

/** A run of consecutive identifiers carrying one job's notifications. */
interface Segment {
  /** The job, or `undefined` for the probe. */
  readonly job: SendJob | undefined;
  /** First identifier of the run. */
  readonly first: number;
  /** One past the last identifier of the run. */
  end: number;
}

/** A connection plus the notifications written on it. */
export class BinaryLink {
  /** The transport connection. */
  readonly conn: Connection;
  /** Its writer (held for the link's life). */
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Serial number, for logs. */
  readonly serial: number;
  /** `open`: takes writes; `probing`: burst ended, awaiting the answer; `dead`. */
  state: LinkState = "open";
  /** Identifier of the first ledger entry. */
  base = 1;
  /** Next identifier to hand out. */
  nextId = 1;
  /** Every identifier up to this one is resolved. */
  resolvedUpTo = 0;
  /** Every identifier up to this one was handed to the socket. */
  flushedUpTo = 0;
  /** Identifier of the end-of-burst probe, or 0. */
  probeId = 0;
  /** Whether the server resolved (accepted or failed) anything on this link. */
  progressed = false;
  /** Status of the error response received, if any. */
  lastStatus: number | null = null;
  /** Why the connection ended, when it failed. */
  failure: unknown;
  /** Bytes received from the server. */
  received = 0;
  /** When the link was opened (ms since epoch). */
  readonly openedAt: number = Date.now();
  /** Pending tail timer. */
  tailTimer: ReturnType<typeof setTimeout> | undefined;
  /** Settles when the reader loop has ended. */
  readerDone: Promise<void> = Promise.resolve();
  /**
   * Token index per identifier (slot = id - base). Jobs are kept per run of
   * consecutive identifiers ({@linkcode Segment}), so that registering a
   * notification is one typed-array write and accepting a burst costs one
   * step per run, not per notification.
   */
  #indices = new Int32Array(1024);
  readonly #segments: Segment[] = [];
  /** First segment that may hold unresolved identifiers. */
  #segmentAt = 0;

  /**
   * @param conn the transport connection
   * @param serial serial number for logs
   */
  constructor(conn: Connection, serial: number) {
    this.conn = conn;
    this.writer = conn.writable.getWriter();
    this.serial = serial;
  }

  /**
   * Records that identifier `nextId` carries token `index` of `job`.
   *
   * @param job the job (or `undefined` for the probe)
   * @param index the token's index
   * @returns the identifier
   */
  register(job: SendJob | undefined, index: number): number {
    const id = this.nextId++;
    const slot = id - this.base;
    if (slot >= this.#indices.length) {
      const grown = new Int32Array(this.#indices.length * 2);
      grown.set(this.#indices);
      this.#indices = grown;
    }
    this.#indices[slot] = index;
    const last = this.#segments[this.#segments.length - 1];
    if (last === undefined || last.job !== job || last.end !== id) {
      this.#segments.push({ job, first: id, end: id + 1 });
    } else {
      last.end = id + 1;
    }
    return id;
  }

  /** Undoes the last {@linkcode BinaryLink.register} (an encoding failed). */
  unregister(): void {
    this.nextId--;
    const last = this.#segments[this.#segments.length - 1];
    if (--last.end === last.first) this.#segments.pop();
  }

  #segmentOf(id: number): Segment | undefined {
    const segments = this.#segments;
    let lo = this.#segmentAt;
    let hi = segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = segments[mid];
      if (id < s.first) hi = mid - 1;
      else if (id >= s.end) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /**
   * The job behind an identifier that is not yet resolved, or `undefined`.
   *
   * @param id the identifier
   * @returns the job, or `undefined`
   */
  jobAt(id: number): SendJob | undefined {
    if (id <= this.resolvedUpTo || id >= this.nextId) return undefined;
    return this.#segmentOf(id)?.job;
  }

  /**
   * The token index behind an identifier.
   *
   * @param id the identifier
   * @returns the token index
   */
  indexAt(id: number): number {
    return this.#indices[id - this.base];
  }

  /**
   * Resolves the identifiers up to `upTo` in order, calling `each` for every
   * one that carries a job, and forgets them.
   *
   * @param upTo last identifier to resolve (inclusive)
   * @param each called with the job, token index and identifier
   */
  resolveUpTo(
    upTo: number,
    each: (job: SendJob, index: number, id: number) => void,
  ): void {
    this.#walk(upTo, (job, from, to) => {
      for (let id = from; id < to; id++) {
        each(job, this.#indices[id - this.base], id);
      }
    });
  }

  /**
   * Resolves the identifiers up to `upTo` as accepted: `accept(job, n)` once
   * per run of `n` consecutive identifiers of one job.
   *
   * @param upTo last identifier to resolve (inclusive)
   * @param accept called with the job and how many of its notifications
   */
  acceptUpTo(
    upTo: number,
    accept: (job: SendJob, count: number) => void,
  ): void {
    this.#walk(upTo, (job, from, to) => accept(job, to - from));
  }

  /** Visits the unresolved runs up to `upTo` as `[from, to)` ranges. */
  #walk(
    upTo: number,
    visit: (job: SendJob, from: number, to: number) => void,
  ): void {
    const last = Math.min(upTo, this.nextId - 1);
    if (last <= this.resolvedUpTo) return;
    const segments = this.#segments;
    let at = this.#segmentAt;
    while (at < segments.length) {
      const s = segments[at];
      const from = Math.max(s.first, this.resolvedUpTo + 1);
      const to = Math.min(s.end, last + 1);
      if (from >= to) {
        if (s.end <= last + 1) {
          at++;
          continue;
        }
        break;
      }
      // Mark progress first: `visit` may re-enter (a job settling).
      this.resolvedUpTo = to - 1;
      if (s.job) visit(s.job, from, to);
      if (to < s.end) break;
      at++;
    }
    this.#segmentAt = at;
    if (last > this.resolvedUpTo) this.resolvedUpTo = last;
    if (this.resolvedUpTo === this.nextId - 1) {
      // Everything written is resolved: drop the ledger's memory.
      segments.length = 0;
      this.#segmentAt = 0;
      this.base = this.nextId;
      if (this.#indices.length > 65536) this.#indices = new Int32Array(1024);
    }
  }

  /** Whether identifiers are running out (the link should be retired). */
  get exhausted(): boolean {
    return this.nextId >= MAX_LINK_ID;
  }

  /** Closes the connection (idempotent) and stops the tail timer. */
  close(): void {
    clearTimeout(this.tailTimer);
    this.tailTimer = undefined;
    this.state = "dead";
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}
