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
  readonly #jobs: (SendJob | undefined)[] = [];
  readonly #indices: number[] = [];

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
    this.#jobs.push(job);
    this.#indices.push(index);
    return this.nextId++;
  }

  /** Undoes the last {@linkcode BinaryLink.register} (an encoding failed). */
  unregister(): void {
    this.#jobs.pop();
    this.#indices.pop();
    this.nextId--;
  }

  /**
   * The job behind an identifier that is not yet resolved, or `undefined`.
   *
   * @param id the identifier
   * @returns the job, or `undefined`
   */
  jobAt(id: number): SendJob | undefined {
    if (id <= this.resolvedUpTo) return undefined;
    return this.#jobs[id - this.base];
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
   * @param each called with the job and token index
   */
  resolveUpTo(
    upTo: number,
    each: (job: SendJob, index: number, id: number) => void,
  ): void {
    const last = Math.min(upTo, this.nextId - 1);
    for (let id = this.resolvedUpTo + 1; id <= last; id++) {
      const slot = id - this.base;
      const job = this.#jobs[slot];
      if (job) {
        this.#jobs[slot] = undefined;
        each(job, this.#indices[slot], id);
      }
    }
    if (last > this.resolvedUpTo) this.resolvedUpTo = last;
    if (this.resolvedUpTo === this.nextId - 1) {
      // Everything written is resolved: drop the ledger's memory.
      this.#jobs.length = 0;
      this.#indices.length = 0;
      this.base = this.nextId;
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
