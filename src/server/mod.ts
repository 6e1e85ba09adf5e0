/**
 * Mock APNs servers for tests and local development: the legacy binary
 * gateway and feedback service (`node:tls`, client certificates required).
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
