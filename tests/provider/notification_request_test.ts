import assert from "node:assert/strict";
import { Message } from "../../mod.ts";
import {
  buildMessageRequest,
  effectivePushType,
  isHexToken,
} from "../../src/provider/notification_request.ts";
import { classifyReason } from "../../src/provider/reasons.ts";

const T = "ab".repeat(32);

Deno.test({
  name:
    "request headers: topic, push type, priority, expiration, collapse id, apns-id",
  permissions: "none",
  fn() {
    const m = new Message([T], {
      alert: "x",
      expiry: 1234,
      priority: 5,
      collapseId: "c1",
      id: "123e4567-e89b-12d3-a456-426614174000",
      topic: "com.example.app.voip",
      pushType: "voip",
    });
    const r = buildMessageRequest(m, "com.example.app");
    assert.equal(r.rejection, null);
    assert.deepEqual(r.headers, [
      ["apns-topic", "com.example.app.voip"],
      ["apns-push-type", "voip"],
      ["apns-priority", "5"],
      ["apns-expiration", "1234"],
      ["apns-collapse-id", "c1"],
      ["apns-id", "123e4567-e89b-12d3-a456-426614174000"],
    ]);
    assert.equal(new TextDecoder().decode(r.body), m.payloadJson);
    // The certificate's topic fills in when the message has none.
    const d = buildMessageRequest(
      new Message([T], { alert: "x" }),
      "com.example.app",
    );
    assert.deepEqual(d.headers[0], ["apns-topic", "com.example.app"]);
  },
});

Deno.test({
  name: "push type defaults: alert, or background for content-only messages",
  permissions: "none",
  fn() {
    assert.equal(effectivePushType(new Message([], { alert: "x" })), "alert");
    assert.equal(
      effectivePushType(new Message([], { contentAvailable: true })),
      "background",
    );
    assert.equal(
      effectivePushType(new Message([], { contentAvailable: true, badge: 1 })),
      "alert",
    );
  },
});

Deno.test({
  name:
    "messages the server would refuse whatever the token are rejected before sending",
  permissions: "none",
  fn() {
    const cases: [Message, string | undefined, [number, string]][] = [
      [new Message([T], { extra: { pad: "x".repeat(4100) } }), "t", [
        413,
        "PayloadTooLarge",
      ]],
      [new Message([T], { alert: "x", pushType: "bogus" as never }), "t", [
        400,
        "InvalidPushType",
      ]],
      [new Message([T], { alert: "x", priority: 7 }), "t", [
        400,
        "BadPriority",
      ]],
      [new Message([T], { alert: "x", collapseId: "c".repeat(65) }), "t", [
        400,
        "BadCollapseId",
      ]],
      [new Message([T], { alert: "x", id: "not-a-uuid" }), "t", [
        400,
        "BadMessageId",
      ]],
      [new Message([T], { alert: "x" }), undefined, [400, "MissingTopic"]],
      [new Message([T], { payload: "" }), "t", [400, "PayloadEmpty"]],
    ];
    for (const [message, topic, expected] of cases) {
      assert.deepEqual(buildMessageRequest(message, topic).rejection, expected);
    }
    // VoIP may carry 5120 bytes.
    const voip = new Message([T], {
      pushType: "voip",
      extra: { pad: "x".repeat(4500) },
    });
    assert.equal(buildMessageRequest(voip, "t").rejection, null);
  },
});

Deno.test({
  name: "tokens must be even-length hex to go into a path",
  permissions: "none",
  fn() {
    assert.ok(isHexToken(T));
    assert.ok(isHexToken(T.toUpperCase()));
    for (const bad of ["", "a", "zz", "ab\u0010b", "ab/../x", "ab cd"]) {
      assert.equal(isHexToken(bad), false, bad);
    }
  },
});

Deno.test({
  name:
    "answers sort into token failures, message errors, auth errors and retries",
  permissions: "none",
  fn() {
    const kinds: [number, string, string][] = [
      [400, "BadDeviceToken", "token"],
      [400, "DeviceTokenNotForTopic", "token"],
      [410, "Unregistered", "token"],
      [410, "ExpiredToken", "token"],
      [400, "BadTopic", "message"],
      [400, "TopicDisallowed", "message"],
      [413, "PayloadTooLarge", "message"],
      [405, "MethodNotAllowed", "message"],
      [403, "InvalidProviderToken", "auth"],
      [403, "BadCertificate", "auth"],
      [403, "ExpiredProviderToken", "expired-token"],
      [429, "TooManyRequests", "retry"],
      [500, "InternalServerError", "retry"],
      [503, "ServiceUnavailable", "retry"],
      [400, "IdleTimeout", "retry"],
    ];
    for (const [status, reason, kind] of kinds) {
      assert.equal(classifyReason(status, reason).kind, kind, reason);
    }
  },
});
