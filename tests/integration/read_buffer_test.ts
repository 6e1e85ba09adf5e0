// `readBufferSize` bounds the bytes taken per socket read, on both
// transports; the feedback decoder copes with the small reads.
import assert from "node:assert/strict";
import {
  APNs,
  type Connection,
  type ConnectOptions,
  DenoTlsTransport,
  NodeTlsTransport,
  Session,
  type Transport,
} from "../../mod.ts";
import { MockFeedbackService } from "../../src/server/mod.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** Wraps a transport and records the largest chunk read. */
function measuring(
  inner: Transport,
  seen: { max: number; reads: number },
): Transport {
  return {
    name: `measuring-${inner.name}`,
    async connect(options: ConnectOptions): Promise<Connection> {
      const conn = await inner.connect(options);
      const readable = conn.readable.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            seen.max = Math.max(seen.max, chunk.length);
            seen.reads++;
            controller.enqueue(chunk);
          },
        }),
      );
      return {
        readable,
        writable: conn.writable,
        alpnProtocol: conn.alpnProtocol,
        closed: conn.closed,
        closeWrite: () => conn.closeWrite(),
        close: () => conn.close(),
      };
    },
  };
}

for (const inner of [new DenoTlsTransport(), new NodeTlsTransport()]) {
  Deno.test(`readBufferSize bounds each read (${inner.name}); feedback decodes across them`, async () => {
    const tuples = Array.from({ length: 100 }, (_, i) => ({
      token: (i + 1).toString(16).padStart(64, "0"),
      time: 1_700_000_000 + i,
    }));
    await using service = new MockFeedbackService({
      cert: fixture("server.crt"),
      key: fixture("server.key"),
      ca: fixture("ca.crt"),
      tuples,
    });
    const { port } = await service.listen();
    const seen = { max: 0, reads: 0 };
    await using session = new Session({
      transport: measuring(inner, seen),
      readBufferSize: 16,
    });
    const apns = new APNs(
      session.newConnection(["127.0.0.1", port], {
        certString: fixture("client.crt"),
        keyString: fixture("client.key"),
        caCerts: fixture("ca.crt"),
      }),
    );
    const got: [string, number][] = [];
    for await (const [token, when] of apns.feedback()) {
      got.push([token, when.getTime() / 1000]);
    }
    assert.deepEqual(got, tuples.map((t) => [t.token, t.time]));
    assert.ok(seen.max <= 16, `largest read ${seen.max} bytes`);
    assert.ok(seen.reads >= Math.ceil((38 * 100) / 16));
  });
}
