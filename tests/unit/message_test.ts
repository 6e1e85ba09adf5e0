import assert from "node:assert/strict";
import { Message, Result } from "../../mod.ts";

const T = (n: number) => n.toString(16).padStart(64, "0");

Deno.test({
  name: "Message builds the seed's payload from the specific fields",
  permissions: "none",
  fn() {
    const m = new Message([T(1)], {
      alert: "Hello",
      badge: 3,
      sound: "chime",
      contentAvailable: true,
      extra: { custom: { a: 1 } },
    });
    assert.deepEqual(JSON.parse(m.payloadJson), {
      custom: { a: 1 },
      aps: { alert: "Hello", badge: 3, sound: "chime", "content-available": 1 },
    });
    assert.deepEqual(
      m.payloadBytes,
      new TextEncoder().encode(m.payloadJson),
    );
  },
});

Deno.test({
  name: "Message defaults: expiry one day ahead, priority 10, tokens as given",
  permissions: "none",
  fn() {
    const before = Math.floor(Date.now() / 1000) + 86_400;
    const m = new Message("ABCDEF", { alert: "x" });
    const after = Math.floor(Date.now() / 1000) + 86_400;
    assert.ok(m.expiry >= before && m.expiry <= after);
    assert.equal(m.priority, 10);
    assert.deepEqual(m.tokens, ["ABCDEF"]);
    assert.ok(Object.isFrozen(m.tokens));
  },
});

Deno.test({
  name: "Message expiry takes a Date or UNIX seconds, and 0",
  permissions: "none",
  fn() {
    assert.equal(
      new Message([], { expiry: new Date(1_700_000_000_900) }).expiry,
      1_700_000_000,
    );
    assert.equal(new Message([], { expiry: 0 }).expiry, 0);
    assert.throws(() => new Message([], { expiry: -1 }), RangeError);
    assert.throws(() => new Message([], { expiry: 2 ** 32 }), RangeError);
    assert.throws(() => new Message([], { expiry: 1.5 }), RangeError);
    assert.throws(() => new Message([], { priority: 256 }), RangeError);
  },
});

Deno.test({
  name: "Message payload excludes the specific fields and is sent as given",
  permissions: "none",
  fn() {
    assert.throws(
      () => new Message([], { payload: { aps: {} }, alert: "x" }),
      TypeError,
    );
    const raw = '{"aps":{"alert":"raw","badge":7}, "k": 1}';
    const m = new Message([T(1)], { payload: raw });
    assert.equal(m.payloadJson, raw);
    // As in the seed, the standard fields are read back from the payload.
    assert.equal(m.alert, "raw");
    assert.equal(m.badge, 7);
    // A payload that does not parse leaves them unavailable (APNs decides).
    const bad = new Message([T(1)], { payload: "{not json" });
    assert.equal(bad.alert, undefined);
    assert.equal(bad.payloadJson, "{not json");
  },
});

Deno.test({
  name: "Message state round-trips through JSON with every field",
  permissions: "none",
  fn() {
    const m = new Message([T(1), T(2)], {
      alert: { title: "t", body: "b" },
      badge: "increment",
      sound: "s",
      contentAvailable: 1,
      expiry: 1234,
      priority: 5,
      extra: { k: [1, 2] },
      topic: "com.example.app",
      pushType: "alert",
      collapseId: "c",
      id: "123e4567-e89b-12d3-a456-426614174000",
    });
    const copy = Message.fromJSON(JSON.parse(JSON.stringify(m)));
    assert.deepEqual(copy.toJSON(), m.toJSON());
    assert.equal(copy.payloadJson, m.payloadJson);
    const p = new Message([T(3)], { payload: { aps: { alert: "p" } } });
    assert.deepEqual(Message.fromJSON(p.toJSON()).toJSON(), p.toJSON());
  },
});

Deno.test({
  name: "Message rejects non-string tokens and bad state",
  permissions: "none",
  fn() {
    assert.throws(() => new Message([1 as unknown as string]), TypeError);
    assert.throws(
      () =>
        Message.fromJSON(
          {} as unknown as Parameters<typeof Message.fromJSON>[0],
        ),
      TypeError,
    );
  },
});

Deno.test({
  name:
    "Result: retry() holds exactly the retry tokens; needsRetry follows retryable",
  permissions: "none",
  fn() {
    const m = new Message([T(1), T(2), T(3)], { alert: "x", priority: 5 });
    const r = new Result(m, {
      accepted: 1,
      failed: new Map([[T(2), [8, "Invalid token"]]]),
      retryTokens: [T(3)],
    });
    assert.equal(r.needsRetry(), true);
    const again = r.retry()!;
    assert.deepEqual(again.tokens, [T(3)]);
    assert.equal(again.payloadJson, m.payloadJson);
    assert.equal(again.priority, 5);
    assert.equal(again.expiry, m.expiry);

    const final = new Result(m, { retryTokens: [T(1)], retryable: false });
    assert.equal(final.needsRetry(), false);
    assert.deepEqual(final.retry()!.tokens, [T(1)]);

    const done = new Result(m, { accepted: 3 });
    assert.equal(done.needsRetry(), false);
    assert.equal(done.retry(), null);
  },
});
