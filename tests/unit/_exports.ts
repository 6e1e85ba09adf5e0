// Internal pieces the unit tests reach past the public API for.
export { resolveAddress as resolveAddressForTest } from "../../src/address.ts";
export { AddressError, ApnsError } from "../../mod.ts";
