// Apple's request rules (PROTOCOL.md §2) as pure functions: every status
// and reason the validator can produce, and what a valid request yields.

import assert from "node:assert/strict";
import {
  checkNotification,
  checkRequestTarget,
  type NotificationRules,
  type RequestTarget,
} from "../../../src/server/h2_validation.ts";
import type { HeaderField } from "../../../src/http2/hpack/mod.ts";

const T = "ab".repeat(32);
const enc = new TextEncoder();

function req(path: string, extra: HeaderField[] = [], method = "POST") {
  return checkRequestTarget([
    [":method", method],
    [":scheme", "https"],
    [":path", path],
    ...extra,
  ]);
}

function target(extra: HeaderField[] = []): RequestTarget {
  const t = req(`/3/device/${T}`, extra);
  assert.ok("token" in t, JSON.stringify(t));
  return t;
}

const CERT: NotificationRules = {
  auth: "certificate",
  certificateTopic: "com.example.app",
  maxPayloadBytes: 4096,
};
const TOKEN: NotificationRules = {
  auth: "token",
  topics: new Set(["com.example.app"]),
  maxPayloadBytes: 4096,
};

function check(
  extra: HeaderField[],
  body: string | Uint8Array = '{"aps":{}}',
  rules = CERT,
) {
  const b = typeof body === "string" ? enc.encode(body) : body;
  return checkNotification(target(extra), b, b.length, rules);
}

Deno.test("validation: method, path, token and duplicates", () => {
  assert.deepEqual(req(`/3/device/${T}`, [], "GET"), {
    status: 405,
    reason: "MethodNotAllowed",
  });
  assert.deepEqual(req("/2/device/" + T), { status: 404, reason: "BadPath" });
  assert.deepEqual(req(`/3/device/${T}/x`), { status: 404, reason: "BadPath" });
  assert.deepEqual(req(`/3/devices/${T}`), { status: 404, reason: "BadPath" });
  assert.deepEqual(req(`/3/device/${T}?a=1`), {
    status: 404,
    reason: "BadPath",
  });
  assert.deepEqual(req("/4/broadcasts/apps/com.example.app"), {
    status: 404,
    reason: "BadPath",
  });
  for (const p of ["/3/device", "/3/device/"]) {
    assert.deepEqual(req(p), { status: 400, reason: "MissingDeviceToken" });
  }
  for (
    const bad of [
      "ab".repeat(31),
      "ab".repeat(101),
      "a" + "b".repeat(64),
      "zz".repeat(32),
    ]
  ) {
    assert.deepEqual(req(`/3/device/${bad}`), {
      status: 400,
      reason: "BadDeviceToken",
    });
  }
  // 64 to 200 hex digits, either case; reported lower case.
  const long = "AB".repeat(100);
  const ok = req(`/3/device/${long}`);
  assert.ok("token" in ok);
  assert.equal(ok.token, "ab".repeat(100));
  assert.deepEqual(
    req(`/3/device/${T}`, [["apns-topic", "a"], ["apns-topic", "a"]]),
    { status: 400, reason: "DuplicateHeaders" },
  );
  assert.deepEqual(
    req(`/3/device/${T}`, [["authorization", "a"], ["authorization", "b"]]),
    { status: 400, reason: "DuplicateHeaders" },
  );
  // Repeated non-APNs fields are HTTP's business, not a duplicate.
  assert.ok(
    "token" in req(`/3/device/${T}`, [["accept", "a"], ["accept", "b"]]),
  );
});

Deno.test("validation: apns-* fields", () => {
  const r400 = (reason: string) => ({ status: 400, reason });
  assert.deepEqual(check([["apns-id", "not-a-uuid"]]), r400("BadMessageId"));
  assert.deepEqual(
    check([["apns-push-type", "banner"]]),
    r400("InvalidPushType"),
  );
  for (const p of ["0", "3", "11", "high", ""]) {
    assert.deepEqual(check([["apns-priority", p]]), r400("BadPriority"));
  }
  for (const e of ["-1", "soon", "1.5", ""]) {
    assert.deepEqual(
      check([["apns-expiration", e]]),
      r400("BadExpirationDate"),
    );
  }
  assert.deepEqual(
    check([["apns-collapse-id", "x".repeat(65)]]),
    r400("BadCollapseId"),
  );
  const ok = check([
    ["apns-id", "123e4567-e89b-12d3-a456-426614174000"],
    ["apns-push-type", "background"],
    ["apns-priority", "5"],
    ["apns-expiration", "0"],
    ["apns-collapse-id", "x".repeat(64)],
  ]);
  assert.deepEqual(ok, {
    token: T,
    id: "123e4567-e89b-12d3-a456-426614174000",
    expiry: 0,
    priority: 5,
    topic: "com.example.app",
    pushType: "background",
    collapseId: "x".repeat(64),
    payload: { aps: {} },
  });
});

Deno.test("validation: topics with certificate and token auth", () => {
  const r400 = (reason: string) => ({ status: 400, reason });
  // Certificate: defaults to the UID; UID + suffix is fine; others are not.
  assert.equal((check([]) as { topic: string }).topic, "com.example.app");
  for (
    const t of [
      "com.example.app",
      "com.example.app.voip",
      "com.example.app.complication",
      "com.example.app.push-type.liveactivity",
    ]
  ) {
    assert.equal((check([["apns-topic", t]]) as { topic: string }).topic, t);
  }
  assert.deepEqual(
    check([["apns-topic", "com.other.app"]]),
    r400("TopicDisallowed"),
  );
  assert.deepEqual(
    check([["apns-topic", "com.example.appx"]]),
    r400("TopicDisallowed"),
  );
  assert.deepEqual(check([["apns-topic", "bad topic!"]]), r400("BadTopic"));
  const noUid = { ...CERT, certificateTopic: undefined };
  assert.deepEqual(check([], "{}", noUid), r400("MissingTopic"));
  // Token: required, and on the allow-list when one is given.
  assert.deepEqual(check([], "{}", TOKEN), r400("MissingTopic"));
  assert.deepEqual(
    check([["apns-topic", "com.other.app"]], "{}", TOKEN),
    r400("TopicDisallowed"),
  );
  assert.equal(
    (check([["apns-topic", "com.example.app.voip"]], "{}", TOKEN) as {
      topic: string;
    }).topic,
    "com.example.app.voip",
  );
  const none: NotificationRules = { auth: "none", maxPayloadBytes: 4096 };
  assert.equal(
    (check([["apns-topic", "any.app"]], "{}", none) as { topic: string }).topic,
    "any.app",
  );
});

Deno.test("validation: payload empty, too large, not JSON", () => {
  const big = (n: number) => `{"a":"${"x".repeat(n - 8)}"}`;
  assert.equal(big(4096).length, 4096);
  assert.deepEqual(check([], ""), { status: 400, reason: "PayloadEmpty" });
  assert.ok("payload" in check([], big(4096)));
  assert.deepEqual(check([], big(4097)), {
    status: 413,
    reason: "PayloadTooLarge",
  });
  // VoIP: 5120 by push type or by topic.
  assert.ok("payload" in check([["apns-push-type", "voip"]], big(5120)));
  assert.ok(
    "payload" in check([["apns-topic", "com.example.app.voip"]], big(5120)),
  );
  assert.deepEqual(check([["apns-push-type", "voip"]], big(5121)), {
    status: 413,
    reason: "PayloadTooLarge",
  });
  // Not JSON, not an object, not UTF-8: PayloadEmpty (no documented reason).
  for (
    const b of ["not json", "[1,2]", "42", new Uint8Array([0x7b, 0xff, 0x7d])]
  ) {
    assert.deepEqual(check([], b), { status: 400, reason: "PayloadEmpty" });
  }
  // The length counts even when the kept body was cut.
  const t = target();
  assert.deepEqual(checkNotification(t, enc.encode("{}"), 9000, CERT), {
    status: 413,
    reason: "PayloadTooLarge",
  });
});
