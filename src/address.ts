/**
 * Named APNs addresses and their resolution.
 *
 * @module
 */

import { AddressError } from "./errors.ts";

/** Which wire protocol an address speaks. */
export type WireProtocol = "binary" | "feedback" | "h2";

/** A resolved address. */
export interface ResolvedAddress {
  /** Host name or IP. */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** The protocol spoken there. */
  readonly protocol: WireProtocol;
}

/** The well-known address names. */
export const ADDRESSES: Readonly<Record<string, ResolvedAddress>> = Object
  .freeze({
    push_sandbox: {
      hostname: "gateway.sandbox.push.apple.com",
      port: 2195,
      protocol: "binary",
    },
    push_production: {
      hostname: "gateway.push.apple.com",
      port: 2195,
      protocol: "binary",
    },
    feedback_sandbox: {
      hostname: "feedback.sandbox.push.apple.com",
      port: 2196,
      protocol: "feedback",
    },
    feedback_production: {
      hostname: "feedback.push.apple.com",
      port: 2196,
      protocol: "feedback",
    },
    api_sandbox: {
      hostname: "api.sandbox.push.apple.com",
      port: 443,
      protocol: "h2",
    },
    api_production: {
      hostname: "api.push.apple.com",
      port: 443,
      protocol: "h2",
    },
    manage_broadcast_sandbox: {
      hostname: "api-manage-broadcast.sandbox.push.apple.com",
      port: 2195,
      protocol: "h2",
    },
    manage_broadcast_production: {
      hostname: "api-manage-broadcast.push.apple.com",
      port: 2196,
      protocol: "h2",
    },
  });

/**
 * Where to connect: a name from {@linkcode ADDRESSES}, a `[hostname, port]`
 * tuple (binary protocol or feedback, as the seed took it), or an object.
 */
export type Address =
  | keyof typeof ADDRESSES
  | string
  | readonly [hostname: string, port: number]
  | {
    readonly hostname: string;
    readonly port: number;
    readonly protocol?: WireProtocol;
  };

function checkPort(port: unknown): number {
  if (
    typeof port !== "number" || !Number.isInteger(port) || port < 1 ||
    port > 65535
  ) {
    throw new AddressError(
      `port must be a whole number in 1..65535, got ${String(port)}`,
    );
  }
  return port;
}

/**
 * Resolves an address. A tuple speaks the binary protocol (the same
 * connection object also serves feedback).
 *
 * @param address a name, a tuple or an object
 * @returns host, port and protocol
 * @throws {AddressError} for an unknown name or a malformed address
 */
export function resolveAddress(address: Address): ResolvedAddress {
  if (typeof address === "string") {
    const known = Object.hasOwn(ADDRESSES, address)
      ? ADDRESSES[address]
      : undefined;
    if (!known) {
      throw new AddressError(
        `unknown address name "${address}"; use one of ${
          Object.keys(ADDRESSES).join(", ")
        } or [hostname, port]`,
      );
    }
    return known;
  }
  if (Array.isArray(address)) {
    const [hostname, port] = address;
    if (
      typeof hostname !== "string" || hostname === "" || address.length !== 2
    ) {
      throw new AddressError("an address tuple is [hostname, port]");
    }
    return { hostname, port: checkPort(port), protocol: "binary" };
  }
  if (typeof address === "object" && address !== null) {
    const { hostname, port, protocol = "binary" } = address as {
      hostname: unknown;
      port: unknown;
      protocol?: unknown;
    };
    if (typeof hostname !== "string" || hostname === "") {
      throw new AddressError("address.hostname must be a non-empty string");
    }
    if (protocol !== "binary" && protocol !== "feedback" && protocol !== "h2") {
      throw new AddressError(
        `unknown protocol ${
          String(protocol)
        }; use "binary", "feedback" or "h2"`,
      );
    }
    return { hostname, port: checkPort(port), protocol };
  }
  throw new AddressError(`not an address: ${String(address)}`);
}
