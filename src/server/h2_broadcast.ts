/**
 * The mock's broadcast push (iOS 18 Live Activities): channel management
 * (`/1/apps/{bundleId}/channels`, `/1/apps/{bundleId}/all-channels`) and
 * sending to a channel (`/4/broadcasts/apps/{bundleId}`), answered as
 * Apple documents them.
 *
 * @module
 */

import type { HeaderField } from "../http2/hpack/mod.ts";
import type { H2ServerResponse } from "./h2_server_connection.ts";

/** A channel the mock holds. */
export interface MockChannel {
  /** Channel id (base64 of 16 random bytes). */
  readonly channelId: string;
  /** The app it belongs to. */
  readonly bundleId: string;
  /** 0: no storage; 1: the most recent message is stored. */
  readonly messageStoragePolicy: number;
  /** Always `"LiveActivity"`. */
  readonly pushType: string;
}

/** A broadcast the mock accepted. */
export interface AcceptedBroadcast {
  /** The channel. */
  readonly channelId: string;
  /** The app. */
  readonly bundleId: string;
  /** The payload, parsed. */
  readonly payload: unknown;
  /** `apns-priority`, or `null`. */
  readonly priority: number | null;
  /** `apns-expiration`, or `null`. */
  readonly expiry: number | null;
}

const CHANNELS = /^\/1\/apps\/([^/]+)\/(channels|all-channels)$/;
const BROADCAST = /^\/4\/broadcasts\/apps\/([^/]+)$/;
const utf8 = new TextDecoder();
const encoder = new TextEncoder();
const JSON_TYPE: HeaderField = ["content-type", "application/json"];

/**
 * Whether a path belongs to broadcast push.
 *
 * @param path the `:path`
 * @returns true for channel management and broadcast sends
 */
export function isBroadcastPath(path: string): boolean {
  return CHANNELS.test(path) || BROADCAST.test(path);
}

function reply(status: number, reason?: string): H2ServerResponse {
  return reason === undefined ? { status } : {
    status,
    headers: [JSON_TYPE],
    body: encoder.encode(JSON.stringify({ reason })),
  };
}

function requestId(): HeaderField {
  return ["apns-request-id", crypto.randomUUID()];
}

/** What a test can see of the mock's broadcast state. */
export interface BroadcastState {
  /** The channels now held. */
  readonly channels: readonly MockChannel[];
  /** The broadcasts accepted so far. */
  readonly accepted: readonly AcceptedBroadcast[];
}

/** Channels by id, and the broadcasts accepted. */
export class BroadcastRegistry implements BroadcastState {
  readonly #channels = new Map<string, MockChannel>();
  readonly #accepted: AcceptedBroadcast[] = [];

  /** The channels now held. */
  get channels(): readonly MockChannel[] {
    return [...this.#channels.values()];
  }

  /** The broadcasts accepted so far. */
  get accepted(): readonly AcceptedBroadcast[] {
    return this.#accepted;
  }

  /**
   * Answers one broadcast-push request (authentication already checked).
   *
   * @param method `:method`
   * @param path `:path` (see {@linkcode isBroadcastPath})
   * @param fields the other header fields by name
   * @param body the request body
   * @param maxPayloadBytes payload limit for broadcasts
   * @returns the response
   */
  handle(
    method: string,
    path: string,
    fields: ReadonlyMap<string, string>,
    body: Uint8Array,
    maxPayloadBytes: number,
  ): H2ServerResponse {
    const send = BROADCAST.exec(path);
    if (send) {
      if (method !== "POST") return reply(405, "MethodNotAllowed");
      return this.#broadcast(
        decodeURIComponent(send[1]),
        fields,
        body,
        maxPayloadBytes,
      );
    }
    const [, app, what] = CHANNELS.exec(path)!;
    const bundleId = decodeURIComponent(app);
    if (what === "all-channels") {
      if (method !== "GET") return reply(405, "MethodNotAllowed");
      const channels = [...this.#channels.values()]
        .filter((c) => c.bundleId === bundleId)
        .map((c) => c.channelId);
      return {
        status: 200,
        headers: [requestId(), JSON_TYPE],
        body: encoder.encode(JSON.stringify({ channels })),
      };
    }
    if (method === "POST") return this.#create(bundleId, body);
    const id = fields.get("apns-channel-id");
    if (method !== "GET" && method !== "DELETE") {
      return reply(405, "MethodNotAllowed");
    }
    if (id === undefined || id === "") return reply(400, "MissingChannelId");
    const channel = this.#channels.get(id);
    if (!channel || channel.bundleId !== bundleId) {
      return reply(404, "ChannelNotRegistered");
    }
    if (method === "DELETE") {
      this.#channels.delete(id);
      return { status: 204, headers: [requestId()] };
    }
    return {
      status: 200,
      headers: [requestId(), JSON_TYPE],
      body: encoder.encode(JSON.stringify({
        "message-storage-policy": channel.messageStoragePolicy,
        "push-type": channel.pushType,
      })),
    };
  }

  #create(bundleId: string, body: Uint8Array): H2ServerResponse {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(utf8.decode(body));
    } catch {
      return reply(400, "BadMessageStoragePolicy");
    }
    const policy = parsed?.["message-storage-policy"];
    if (policy !== 0 && policy !== 1) {
      return reply(400, "BadMessageStoragePolicy");
    }
    if (parsed["push-type"] !== "LiveActivity") {
      return reply(400, "InvalidPushType");
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const channelId = btoa(String.fromCharCode(...bytes));
    this.#channels.set(channelId, {
      channelId,
      bundleId,
      messageStoragePolicy: policy,
      pushType: "LiveActivity",
    });
    return {
      status: 201,
      headers: [requestId(), ["apns-channel-id", channelId]],
    };
  }

  #broadcast(
    bundleId: string,
    fields: ReadonlyMap<string, string>,
    body: Uint8Array,
    maxPayloadBytes: number,
  ): H2ServerResponse {
    const id = fields.get("apns-channel-id");
    if (id === undefined || id === "") return reply(400, "MissingChannelId");
    const channel = this.#channels.get(id);
    if (!channel || channel.bundleId !== bundleId) {
      return reply(400, "BadChannelId");
    }
    if (fields.get("apns-push-type") !== "liveactivity") {
      return reply(400, "InvalidPushType");
    }
    if (body.length === 0) return reply(400, "PayloadEmpty");
    if (body.length > maxPayloadBytes) return reply(413, "PayloadTooLarge");
    let payload: unknown;
    try {
      payload = JSON.parse(utf8.decode(body));
    } catch {
      return reply(400, "PayloadEmpty");
    }
    const number = (name: string) => {
      const value = fields.get(name);
      return value === undefined ? null : Number(value);
    };
    this.#accepted.push({
      channelId: id,
      bundleId,
      payload,
      priority: number("apns-priority"),
      expiry: number("apns-expiration"),
    });
    return {
      status: 200,
      headers: [requestId(), ["apns-unique-id", crypto.randomUUID()]],
    };
  }
}
