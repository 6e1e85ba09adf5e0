/**
 * {@linkcode Message}: one notification payload addressed to many device
 * tokens, with its serialisable state (the seed's `__getstate__`).
 *
 * @module
 */

/** Push types of the HTTP/2 provider API (`apns-push-type`). */
export const PUSH_TYPES: readonly [
  "alert",
  "background",
  "location",
  "voip",
  "complication",
  "fileprovider",
  "mdm",
  "liveactivity",
  "pushtotalk",
  "widgets",
  "controls",
] = Object.freeze(
  [
    "alert",
    "background",
    "location",
    "voip",
    "complication",
    "fileprovider",
    "mdm",
    "liveactivity",
    "pushtotalk",
    "widgets",
    "controls",
  ] as const,
);

/** One of {@linkcode PUSH_TYPES}. */
export type PushType = typeof PUSH_TYPES[number];

/** JSON-compatible value. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Options of a {@linkcode Message}; all optional. */
export interface MessageOptions {
  /** The alert: a string or a dictionary (title, body, loc-key, ...). */
  alert?: string | Record<string, unknown>;
  /** Badge number (or any value APNs understands). */
  badge?: number | string;
  /** Sound name, or a critical-alert sound dictionary. */
  sound?: string | Record<string, unknown>;
  /** Marks a background update (`content-available: 1`). */
  contentAvailable?: boolean | number;
  /**
   * When the notification expires: a `Date` or UNIX seconds; 0 means "do not
   * store". Default: one day from the moment the message is made.
   */
  expiry?: Date | number;
  /** 10 (immediate), 5 (power-considerate) or 1 (HTTP/2 only). Default 10. */
  priority?: number;
  /** Extra top-level payload keys, beside `aps`. */
  extra?: Record<string, unknown>;
  /**
   * The complete payload (object or JSON string), instead of the specific
   * fields above: it excludes `alert`, `badge`, `sound`, `contentAvailable`
   * and `extra`. A string is sent as given.
   */
  payload?: Record<string, unknown> | string;
  /** HTTP/2: `apns-topic`, the bundle id (with suffix where needed). */
  topic?: string;
  /** HTTP/2: `apns-push-type`. Default `"alert"` (or `"background"` for content-only messages). */
  pushType?: PushType;
  /** HTTP/2: `apns-collapse-id` (at most 64 bytes). */
  collapseId?: string;
  /** HTTP/2: `apns-id`, a UUID; the server makes one when absent. */
  id?: string;
}

/** The serialised state of a {@linkcode Message}: JSON-safe when its values are. */
export interface MessageState {
  /** Device tokens, as given. */
  tokens: string[];
  /** See {@linkcode MessageOptions.alert}. */
  alert?: string | Record<string, unknown>;
  /** See {@linkcode MessageOptions.badge}. */
  badge?: number | string;
  /** See {@linkcode MessageOptions.sound}. */
  sound?: string | Record<string, unknown>;
  /** See {@linkcode MessageOptions.contentAvailable}. */
  contentAvailable?: boolean | number;
  /** Expiry in UNIX seconds. */
  expiry: number;
  /** Priority. */
  priority: number;
  /** See {@linkcode MessageOptions.extra}. */
  extra?: Record<string, unknown>;
  /** See {@linkcode MessageOptions.payload}. */
  payload?: Record<string, unknown> | string;
  /** See {@linkcode MessageOptions.topic}. */
  topic?: string;
  /** See {@linkcode MessageOptions.pushType}. */
  pushType?: PushType;
  /** See {@linkcode MessageOptions.collapseId}. */
  collapseId?: string;
  /** See {@linkcode MessageOptions.id}. */
  id?: string;
}

const SPECIFIC = [
  "alert",
  "badge",
  "sound",
  "contentAvailable",
  "extra",
] as const;
const encoder = new TextEncoder();
const ONE_DAY = 86_400;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toExpiry(value: Date | number | undefined): number {
  if (value === undefined) return Math.floor(Date.now() / 1000) + ONE_DAY;
  const seconds = value instanceof Date
    ? Math.floor(value.getTime() / 1000)
    : value;
  if (
    typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0 ||
    seconds > 0xffff_ffff
  ) {
    throw new RangeError(
      `expiry must be a Date or whole UNIX seconds in 0..2^32-1, got ${
        String(value)
      }`,
    );
  }
  return seconds;
}

/**
 * A push notification to one or more device tokens.
 *
 * As in the seed library, the class does not second-guess values: the
 * server's answer decides. It only rejects what cannot be encoded at all.
 *
 * @example
 * ```ts
 * import { Message } from "../mod.ts";
 * const message = new Message(["a".repeat(64)], { alert: "Hello", badge: 3 });
 * const copy = Message.fromJSON(JSON.parse(JSON.stringify(message)));
 * console.assert(copy.payloadJson === message.payloadJson);
 * ```
 */
export class Message {
  /** Device tokens (hex strings, any case), as given. */
  readonly tokens: readonly string[];
  /** The alert, or `undefined`. */
  readonly alert?: string | Record<string, unknown>;
  /** The badge, or `undefined`. */
  readonly badge?: number | string;
  /** The sound, or `undefined`. */
  readonly sound?: string | Record<string, unknown>;
  /** The content-available flag, or `undefined`. */
  readonly contentAvailable?: boolean | number;
  /** Expiry in UNIX seconds (0 = do not store). */
  readonly expiry: number;
  /** Priority (10, 5 or 1). */
  readonly priority: number;
  /** Extra top-level payload keys, or `undefined`. */
  readonly extra?: Record<string, unknown>;
  /** The complete payload as given, or `undefined`. */
  readonly payload?: Record<string, unknown> | string;
  /** HTTP/2 topic, or `undefined`. */
  readonly topic?: string;
  /** HTTP/2 push type, or `undefined`. */
  readonly pushType?: PushType;
  /** HTTP/2 collapse id, or `undefined`. */
  readonly collapseId?: string;
  /** HTTP/2 apns-id, or `undefined`. */
  readonly id?: string;

  #json?: string;
  #bytes?: Uint8Array;

  /**
   * Creates a message.
   *
   * @param tokens one device token or many (hex strings, any case)
   * @param options payload fields and delivery options
   * @throws {TypeError} for values of the wrong type, or `payload` given
   *   together with the specific fields
   * @throws {RangeError} for an expiry or priority that cannot be encoded
   */
  constructor(tokens: string | Iterable<string>, options: MessageOptions = {}) {
    const list = typeof tokens === "string" ? [tokens] : Array.from(tokens);
    for (const token of list) {
      if (typeof token !== "string") {
        throw new TypeError(
          `device tokens must be strings, got ${typeof token}`,
        );
      }
    }
    this.tokens = Object.freeze(list);
    this.expiry = toExpiry(options.expiry);
    const priority = options.priority ?? 10;
    if (!Number.isInteger(priority) || priority < 0 || priority > 255) {
      throw new RangeError(
        `priority must be a byte (10, 5 or 1), got ${priority}`,
      );
    }
    this.priority = priority;
    for (const key of ["topic", "collapseId", "id", "pushType"] as const) {
      const value = options[key];
      if (value !== undefined && typeof value !== "string") {
        throw new TypeError(`${key} must be a string`);
      }
    }
    this.topic = options.topic;
    this.pushType = options.pushType;
    this.collapseId = options.collapseId;
    this.id = options.id;
    if (options.payload !== undefined) {
      const given = SPECIFIC.filter((key) => options[key] !== undefined);
      if (given.length > 0) {
        throw new TypeError(
          `payload excludes ${given.join(", ")}: put them in the payload`,
        );
      }
      if (typeof options.payload !== "string" && !isRecord(options.payload)) {
        throw new TypeError("payload must be an object or a JSON string");
      }
      this.payload = options.payload;
      // As the seed does: read the standard fields back from the payload;
      // when a string does not parse, they stay unavailable.
      let parsed: unknown = options.payload;
      if (typeof parsed === "string") {
        try {
          parsed = JSON.parse(parsed);
        } catch {
          parsed = undefined;
        }
      }
      const aps = isRecord(parsed) && isRecord(parsed.aps)
        ? parsed.aps
        : undefined;
      if (aps) {
        this.alert = aps.alert as Message["alert"];
        this.badge = aps.badge as Message["badge"];
        this.sound = aps.sound as Message["sound"];
        this.contentAvailable = aps["content-available"] as number | undefined;
      }
    } else {
      if (options.extra !== undefined && !isRecord(options.extra)) {
        throw new TypeError("extra must be an object");
      }
      this.alert = options.alert;
      this.badge = options.badge;
      this.sound = options.sound;
      this.contentAvailable = options.contentAvailable;
      this.extra = options.extra;
    }
  }

  /**
   * The JSON payload as sent on the wire.
   *
   * @throws {TypeError} when the fields are not JSON-serialisable
   */
  get payloadJson(): string {
    if (this.#json === undefined) {
      if (typeof this.payload === "string") this.#json = this.payload;
      else if (this.payload !== undefined) {
        this.#json = JSON.stringify(this.payload);
      } else {
        const aps: Record<string, unknown> = {};
        if (this.alert !== undefined) aps.alert = this.alert;
        if (this.badge !== undefined) aps.badge = this.badge;
        if (this.sound !== undefined) aps.sound = this.sound;
        if (this.contentAvailable) aps["content-available"] = 1;
        this.#json = JSON.stringify({ ...this.extra, aps });
      }
    }
    return this.#json;
  }

  /** The payload as UTF-8 bytes (cached; do not modify). */
  get payloadBytes(): Uint8Array {
    return this.#bytes ??= encoder.encode(this.payloadJson);
  }

  /**
   * The constructor arguments, so that `Message.fromJSON(m.toJSON())` makes
   * an equal message. JSON-safe when the given values are.
   *
   * @returns the message's state
   */
  toJSON(): MessageState {
    const state: MessageState = {
      tokens: [...this.tokens],
      expiry: this.expiry,
      priority: this.priority,
    };
    if (this.payload !== undefined) state.payload = this.payload;
    else {
      if (this.alert !== undefined) state.alert = this.alert;
      if (this.badge !== undefined) state.badge = this.badge;
      if (this.sound !== undefined) state.sound = this.sound;
      if (this.contentAvailable !== undefined) {
        state.contentAvailable = this.contentAvailable;
      }
      if (this.extra !== undefined) state.extra = this.extra;
    }
    if (this.topic !== undefined) state.topic = this.topic;
    if (this.pushType !== undefined) state.pushType = this.pushType;
    if (this.collapseId !== undefined) state.collapseId = this.collapseId;
    if (this.id !== undefined) state.id = this.id;
    return state;
  }

  /**
   * Rebuilds a message from {@linkcode Message.toJSON}'s state.
   *
   * @param state the state
   * @returns a new message equal to the one that made the state
   */
  static fromJSON(state: MessageState): Message {
    if (!isRecord(state) || !Array.isArray(state.tokens)) {
      throw new TypeError("message state must be an object with tokens");
    }
    const { tokens, ...options } = state;
    return new Message(tokens, options);
  }

  /**
   * A copy of this message addressed to other tokens (used by `retry()`).
   *
   * @param tokens the new tokens
   * @returns the copy
   */
  withTokens(tokens: Iterable<string>): Message {
    const copy = Message.fromJSON({ ...this.toJSON(), tokens: [] });
    (copy as { tokens: readonly string[] }).tokens = Object.freeze(
      Array.from(tokens),
    );
    copy.#json = this.#json;
    copy.#bytes = this.#bytes;
    return copy;
  }
}
