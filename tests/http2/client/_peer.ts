// A scripted HTTP/2 server peer over memoryPair(), for the client tests:
// it records every frame the client sends (and every read), decodes the
// request header blocks, and writes frames as the test tells it to.
import assert from "node:assert/strict";
import {
  Http2ClientConnection,
  type Http2ClientOptions,
} from "../../../src/http2/client_connection.ts";
import type { Frame } from "../../../src/http2/frame/frame.ts";
import { FrameDecoder } from "../../../src/http2/frame/frame_decoder.ts";
import { FrameWriter } from "../../../src/http2/frame/frame_writer.ts";
import { FrameType, type Settings } from "../../../src/http2/frame/types.ts";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { memoryPair } from "../../../src/transport/memory.ts";
import type { Connection } from "../../../src/transport/types.ts";

/** A request as the peer saw it. */
export interface SeenRequest {
  id: number;
  headers: [string, string][];
  body: Uint8Array;
  ended: boolean;
}

type Waiter = { pred: () => boolean; resolve: () => void };

export class Peer {
  readonly conn: Connection;
  readonly frames: Frame[] = [];
  readonly chunks: Uint8Array[] = [];
  readonly requests = new Map<number, SeenRequest>();
  readonly decoder = new FrameDecoder({ expectPreface: true });
  readonly hpack = new HpackDecoder();
  readonly encoder = new HpackEncoder();
  ended = false;
  /** Called for each request once its END_STREAM arrives. */
  onRequest: ((req: SeenRequest) => void) | null = null;
  /** Called for each frame. */
  onFrame: ((f: Frame) => void) | null = null;
  readonly done: Promise<void>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #waiters: Waiter[] = [];

  constructor(conn: Connection) {
    this.conn = conn;
    this.#writer = conn.writable.getWriter();
    this.done = this.#loop();
  }

  async #loop(): Promise<void> {
    const reader = this.conn.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.chunks.push(value);
        for (const f of this.decoder.push(value)) this.#frame(f);
        this.#check();
      }
    } catch {
      // reset
    }
    this.ended = true;
    this.#check();
  }

  #frame(f: Frame): void {
    this.frames.push(f);
    if (f.type === FrameType.HEADERS) {
      const headers = this.hpack.decode(f.fragment).map((
        [n, v],
      ) => [n, v] as [string, string]);
      const req = {
        id: f.streamId,
        headers,
        body: new Uint8Array(0),
        ended: f.endStream,
      };
      this.requests.set(f.streamId, req);
      if (f.endStream) this.onRequest?.(req);
    } else if (f.type === FrameType.DATA) {
      const req = this.requests.get(f.streamId);
      if (req) {
        const body = new Uint8Array(req.body.length + f.data.length);
        body.set(req.body);
        body.set(f.data, req.body.length);
        req.body = body;
        if (f.endStream) {
          req.ended = true;
          this.onRequest?.(req);
        }
      }
    }
    this.onFrame?.(f);
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (w.pred() || this.ended) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  /** Resolves when `pred` holds (checked after every read); fails after `ms`. */
  async until(
    pred: () => boolean,
    what = "condition",
    ms = 2000,
  ): Promise<void> {
    if (pred()) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = new Promise<void>((resolve) =>
      this.#waiters.push({ pred, resolve })
    );
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}`)),
        ms,
      );
    });
    try {
      await Promise.race([wait, timeout]);
    } finally {
      clearTimeout(timer);
    }
    assert.ok(pred(), `peer ended before ${what}`);
  }

  /** Frames of one type received so far. */
  ofType<T extends Frame["type"]>(type: T): Extract<Frame, { type: T }>[] {
    return this.frames.filter((f) => f.type === type) as Extract<
      Frame,
      { type: T }
    >[];
  }

  /** Writes frames built by `build` as one chunk. */
  async send(build: (w: FrameWriter) => void): Promise<void> {
    const w = new FrameWriter();
    build(w);
    await this.#writer.write(w.take());
  }

  /** Sends a response: HEADERS (+ DATA with END_STREAM when a body is given). */
  respond(
    w: FrameWriter,
    id: number,
    status = 200,
    headers: [string, string][] = [],
    body?: Uint8Array,
  ): void {
    const block = this.encoder.encode([
      [":status", String(status)],
      ...headers,
    ]);
    w.writeHeaders(id, block, body === undefined, 16384);
    if (body !== undefined) w.writeData(id, body, true);
  }

  close(): void {
    this.conn.close();
  }
}

/** Opens a client against a fresh peer that answers with `settings`. */
export async function setup(
  options: Partial<Http2ClientOptions> = {},
  settings: Settings = {},
): Promise<{ client: Http2ClientConnection; peer: Peer }> {
  const pair = memoryPair("h2");
  const peer = new Peer(pair.server);
  const opening = Http2ClientConnection.open(pair.client, {
    authority: "example.test",
    pingInterval: 0,
    ...options,
  });
  await peer.until(
    () => peer.ofType(FrameType.SETTINGS).length > 0,
    "client SETTINGS",
  );
  if (settings.maxFrameSize) {
    peer.decoder.setMaxFrameSize(settings.maxFrameSize);
  }
  await peer.send((w) => w.writeSettings(settings));
  const client = await opening;
  await peer.until(
    () => peer.ofType(FrameType.SETTINGS).some((f) => f.ack),
    "SETTINGS ACK",
  );
  return { client, peer };
}

/** Ends both sides and waits for them. */
export async function teardown(
  client: Http2ClientConnection,
  peer: Peer,
): Promise<void> {
  client.destroy();
  peer.close();
  await client.closed;
  await peer.done;
}

/** Settles a promise into a result record (so rejections are not unhandled). */
export function settle<T>(
  p: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );
}

export const enc = new TextEncoder();
