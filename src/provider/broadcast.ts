/**
 * Broadcast push (iOS 18 Live Activities): channel management on the
 * `manage_broadcast_*` hosts, and sending one notification to a channel.
 *
 * @module
 */

import { HttpStatusError } from "../errors.ts";
import type { Http2Response } from "../http2/client_connection.ts";
import type { SessionConnection } from "../session.ts";

/** A channel as the server describes it. */
export interface ChannelInfo {
  /** The channel id (base64). */
  readonly channelId: string;
  /** 0: no storage (deliver now or never); 1: store the latest message. */
  readonly messageStoragePolicy: number;
  /** Always `"LiveActivity"` today. */
  readonly pushType: string;
}

/** Options of {@linkcode BroadcastChannels.create}. */
export interface CreateChannelOptions {
  /** 0 (default): no storage; 1: the most recent message is stored. */
  readonly messageStoragePolicy?: 0 | 1;
  /** Default `"LiveActivity"`. */
  readonly pushType?: string;
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

function reasonOf(response: Http2Response): string {
  try {
    const parsed = JSON.parse(utf8.decode(response.body));
    return typeof parsed?.reason === "string" ? parsed.reason : "";
  } catch {
    return "";
  }
}

function headerOf(response: Http2Response, name: string): string | undefined {
  for (const [n, v] of response.headers) if (n === name) return v;
  return undefined;
}

/**
 * Channel management for one app (bundle id).
 *
 * @example
 * ```ts ignore
 * const channels = new BroadcastChannels(
 *   session.getConnection("manage_broadcast_sandbox", { token }),
 *   "com.example.app",
 * );
 * const id = await channels.create({ messageStoragePolicy: 1 });
 * await apns.broadcast(id, new Message([], { payload, pushType: "liveactivity" }));
 * ```
 */
export class BroadcastChannels {
  /** The connection to a channel-management host. */
  readonly connection: SessionConnection;
  /** The app's bundle id. */
  readonly bundleId: string;

  /**
   * Creates the channel manager for one app.
   *
   * @param connection a connection to `manage_broadcast_sandbox`,
   *   `manage_broadcast_production` or a test server
   * @param bundleId the app's bundle id
   */
  constructor(connection: SessionConnection, bundleId: string) {
    if (typeof bundleId !== "string" || bundleId === "") {
      throw new TypeError("bundleId must be a non-empty string");
    }
    this.connection = connection;
    this.bundleId = bundleId;
  }

  async #request(
    method: string,
    path: string,
    headers: [string, string][],
    body: Uint8Array | undefined,
    what: string,
    expect: number,
  ): Promise<Http2Response> {
    const entry = await this.connection.entry();
    if (!entry.http2) {
      throw new TypeError("channel management needs an HTTP/2 address");
    }
    try {
      const response = await entry.http2.request(path, method, headers, body);
      if (response.status !== expect) {
        throw new HttpStatusError(response.status, reasonOf(response), what);
      }
      return response;
    } finally {
      void this.connection.release(entry);
    }
  }

  #path(suffix: string): string {
    return `/1/apps/${encodeURIComponent(this.bundleId)}/${suffix}`;
  }

  /**
   * Creates a channel.
   *
   * @param options storage policy and push type
   * @returns the new channel's id
   * @throws {HttpStatusError} when the server refuses
   */
  async create(options: CreateChannelOptions = {}): Promise<string> {
    const body = encoder.encode(JSON.stringify({
      "message-storage-policy": options.messageStoragePolicy ?? 0,
      "push-type": options.pushType ?? "LiveActivity",
    }));
    const response = await this.#request(
      "POST",
      this.#path("channels"),
      [["content-type", "application/json"]],
      body,
      "create channel",
      201,
    );
    const id = headerOf(response, "apns-channel-id");
    if (!id) {
      throw new HttpStatusError(
        response.status,
        "no apns-channel-id",
        "create channel",
      );
    }
    return id;
  }

  /**
   * Reads a channel's settings.
   *
   * @param channelId the channel
   * @returns its settings
   */
  async read(channelId: string): Promise<ChannelInfo> {
    const response = await this.#request(
      "GET",
      this.#path("channels"),
      [["apns-channel-id", channelId]],
      undefined,
      "read channel",
      200,
    );
    const parsed = JSON.parse(utf8.decode(response.body));
    return {
      channelId,
      messageStoragePolicy: Number(parsed["message-storage-policy"]),
      pushType: String(parsed["push-type"]),
    };
  }

  /**
   * Lists the app's channels.
   *
   * @returns channel ids
   */
  async list(): Promise<string[]> {
    const response = await this.#request(
      "GET",
      this.#path("all-channels"),
      [],
      undefined,
      "list channels",
      200,
    );
    const parsed = JSON.parse(utf8.decode(response.body));
    return Array.isArray(parsed?.channels) ? parsed.channels.map(String) : [];
  }

  /**
   * Deletes a channel.
   *
   * @param channelId the channel
   */
  async delete(channelId: string): Promise<void> {
    await this.#request(
      "DELETE",
      this.#path("channels"),
      [["apns-channel-id", channelId]],
      undefined,
      "delete channel",
      204,
    );
  }
}
