/**
 * Mock APNs servers for tests and local development: the HTTP/2 provider
 * API (`MockHttp2Gateway`: certificate or token auth, Apple's validation
 * rules and reasons, fault injection) and the legacy binary gateway and
 * feedback service. All are real TLS servers on `node:tls`, this module's
 * own HTTP/2 codec, client certificates required where APNs requires them.
 *
 * @example
 * ```ts ignore
 * import { MockBinaryGateway } from "@apns/client/mock";
 * const dir = "tests/fixtures/";
 * await using gateway = new MockBinaryGateway({
 *   cert: await Deno.readTextFile(dir + "server.crt"),
 *   key: await Deno.readTextFile(dir + "server.key"),
 *   ca: await Deno.readTextFile(dir + "ca.crt"),
 *   faults: { failTokens: new Map([["00".repeat(32), 8]]) },
 * });
 * const { hostname, port } = await gateway.listen();
 * // ... point a client at hostname:port, then inspect gateway.accepted
 * ```
 *
 * @module
 */

export type { ListenAddress, MockTlsOptions } from "./_tls_host.ts";
export {
  type AcceptedNotification,
  type GatewayFaults,
  MockBinaryGateway,
  type MockBinaryGatewayOptions,
  type SentErrorResponse,
} from "./binary_gateway.ts";
export {
  MockFeedbackService,
  type MockFeedbackServiceOptions,
  type MockFeedbackTuple,
} from "./feedback_service.ts";
export {
  type AcceptedRequest,
  type H2Faults,
  type H2RequestHook,
  MockHttp2Gateway,
  type MockHttp2GatewayOptions,
  type RejectedRequest,
} from "./h2_gateway.ts";
export type { H2TokenAuth } from "./h2_provider_auth.ts";
export type {
  AcceptedBroadcast,
  BroadcastState,
  MockChannel,
} from "./h2_broadcast.ts";
export type { ApnsRejection, CheckedNotification } from "./h2_validation.ts";
export * as demoPki from "./demo_pki.ts";
