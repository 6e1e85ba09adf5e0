import assert from "node:assert/strict";
import { AddressError, ApnsError, resolveAddressForTest } from "./_exports.ts";

Deno.test({
  name: "addresses: the seed's names, tuples and objects",
  permissions: "none",
  fn() {
    assert.deepEqual(resolveAddressForTest("push_sandbox"), {
      hostname: "gateway.sandbox.push.apple.com",
      port: 2195,
      protocol: "binary",
    });
    assert.equal(resolveAddressForTest("feedback_production").port, 2196);
    assert.equal(resolveAddressForTest("api_production").protocol, "h2");
    assert.deepEqual(resolveAddressForTest(["127.0.0.1", 2195]), {
      hostname: "127.0.0.1",
      port: 2195,
      protocol: "binary",
    });
    assert.deepEqual(
      resolveAddressForTest({ hostname: "h", port: 1, protocol: "h2" }),
      { hostname: "h", port: 1, protocol: "h2" },
    );
  },
});

Deno.test({
  name: "addresses: unknown names and bad ports are AddressErrors",
  permissions: "none",
  fn() {
    for (
      const bad of [
        "push_sanbox",
        "toString",
        ["h", 0],
        ["h", 70000],
        ["", 1],
        { hostname: "h", port: 1, protocol: "h3" },
      ]
    ) {
      assert.throws(
        () => resolveAddressForTest(bad as never),
        (e: unknown) => e instanceof AddressError && e instanceof ApnsError,
      );
    }
  },
});
