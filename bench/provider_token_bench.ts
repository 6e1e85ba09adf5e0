// deno bench -A bench/provider_token_bench.ts
// ES256 provider tokens: signing a fresh JWT with WebCrypto versus the
// cached path every request takes, and building the request headers.
import { ProviderToken } from "../src/auth/provider_token.ts";
import { Message } from "../src/message.ts";
import { buildMessageRequest } from "../src/provider/notification_request.ts";

const signingKey = Deno.readTextFileSync(
  new URL("../tests/fixtures/token.p8", import.meta.url),
);
let clock = 0;
const fresh = new ProviderToken({
  keyId: "KEY1234567",
  teamId: "TEAM123456",
  signingKey,
  now: () => clock,
});
const cached = new ProviderToken({
  keyId: "KEY1234567",
  teamId: "TEAM123456",
  signingKey,
});
await cached.get();

Deno.bench("provider token: cached (every request)", {
  group: "jwt",
  baseline: true,
}, async () => {
  await cached.get();
});

Deno.bench(
  "provider token: sign a new ES256 JWT",
  { group: "jwt" },
  async () => {
    clock += 60 * 60_000; // always stale: signs every time
    await fresh.get();
  },
);

const token = "ab".repeat(32);
Deno.bench(
  "payload JSON: alert message",
  { group: "payload", baseline: true },
  () => {
    new Message([token], { alert: "Hello", badge: 1, sound: "default" })
      .payloadBytes;
  },
);

Deno.bench("request headers: alert message with topic and collapse id", {
  group: "payload",
}, () => {
  buildMessageRequest(
    new Message([token], {
      alert: "Hello",
      collapseId: "c",
      topic: "com.example.app",
    }),
    undefined,
  );
});
