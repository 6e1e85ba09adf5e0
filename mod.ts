/**
 * An Apple Push Notification service client for Deno, Node and Bun: the
 * legacy binary protocol (with the feedback service) and a mock gateway,
 * with the concepts of the Python library apns-client 0.2 — `Session`,
 * `APNs`, `Message`, `Result` — in TypeScript idiom.
 *
 * @example
 * ```ts ignore
 * import { APNs, Message, Session } from "jsr:@apns/client";
 *
 * await using session = new Session();
 * const con = session.getConnection("push_sandbox", {
 *   certString: Deno.readTextFileSync("cert.pem"),
 *   keyString: Deno.readTextFileSync("key.pem"),
 * });
 * const result = await new APNs(con).send(
 *   new Message(["<64 hex>"], { alert: "Hello", badge: 1 }),
 * );
 * for (const [token, [code, why]] of result.failed) console.log(token, code, why);
 * if (result.needsRetry()) await new APNs(con).send(result.retry()!);
 * ```
 *
 * @module
 */

export { APNs, type FeedbackEntry, type SendOptions } from "./src/apns.ts";
export {
  type Credentials,
  Session,
  SessionConnection,
  type SessionOptions,
  type TokenCredentials,
} from "./src/session.ts";
export {
  BroadcastChannels,
  type ChannelInfo,
  type CreateChannelOptions,
} from "./src/provider/broadcast.ts";
export {
  ProviderToken,
  type ProviderTokenOptions,
} from "./src/auth/provider_token.ts";
export {
  type JsonValue,
  Message,
  type MessageOptions,
  type MessageState,
  PUSH_TYPES,
  type PushType,
} from "./src/message.ts";
export {
  type ErrorEntry,
  type Failure,
  Result,
  type ResultInit,
} from "./src/result.ts";
export {
  AddressError,
  ApnsError,
  type ApnsErrorCode,
  CertificateError,
  ConnectError,
  ConnectionClosedError,
  HttpStatusError,
  MessageError,
  ProtocolError,
  TimeoutError,
  TlsError,
} from "./src/errors.ts";
export {
  type Address,
  ADDRESSES,
  type ResolvedAddress,
  type WireProtocol,
} from "./src/address.ts";
export {
  classifyStatus,
  STATUS_TEXT,
  type StatusClass,
  statusText,
} from "./src/binary/status.ts";
export type { BinaryCommand } from "./src/binary/notification_encoder.ts";
export type {
  ClientCertificate,
  Connection,
  ConnectOptions,
  Transport,
} from "./src/transport/types.ts";
export { DenoTlsTransport } from "./src/transport/deno_tls.ts";
export { NodeTlsTransport } from "./src/transport/node_tls.ts";
export type { CertificateOptions } from "./src/auth/certificate.ts";
