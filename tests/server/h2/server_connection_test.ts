// H2ServerConnection on an in-memory transport, without permissions: it
// does no I/O of its own. Frames and HPACK blocks are written by hand.

import assert from "node:assert/strict";
import { H2ServerConnection } from "../../../src/server/h2_server_connection.ts";

const hex = (s: string) => Uint8Array.fromHex(s.replace(/\s/g, ""));
const ascii = (s: string) => new TextEncoder().encode(s).toHex();
const PREFACE = ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const PATH = "/3/device/" + "ab".repeat(32); // 74 octets = 0x4a

/**
 * HEADERS (type 1, END_STREAM|END_HEADERS = 0x05) with the block
 * 0x83 (:method POST, static 3), 0x87 (:scheme https, static 7), 0x04 0x4a
 * (literal without indexing, name static 4 ":path", 74 raw octets) + path:
 * 4 + 74 = 78 = 0x4e octets.
 */
function request(stream: number): string {
  return "00004e 01 05 " + stream.toString(16).padStart(8, "0") +
    " 83 87 04 4a" + ascii(PATH);
}

const SERVER_PREFACE = "000018 04 00 00000000" +
  "0003 000003e8 0004 0000ffff 0005 00004000 0006 00001f40" +
  "000004 08 00 00000000 000f0001";

function harness(answer?: (conn: H2ServerConnection, id: number) => void) {
  const writes: string[] = [];
  let ended = 0;
  const requests: { streamId: number; path: string | undefined }[] = [];
  const conn: H2ServerConnection = new H2ServerConnection({
    transport: {
      write: (b) => writes.push(b.toHex()),
      end: () => ended++,
      destroy: () => ended++,
    },
    onRequest: (r) => {
      requests.push({
        streamId: r.streamId,
        path: r.headers.find(([n]) => n === ":path")?.[1],
      });
      answer?.(conn, r.streamId);
    },
  });
  return { conn, writes, requests, ended: () => ended };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test({
  name: "server connection: preface, SETTINGS ACK and a 200 leave in one write",
  permissions: "none",
  fn() {
    const h = harness((conn, id) => conn.respond(id, { status: 200 }));
    h.conn.push(hex(PREFACE + "000000 04 00 00000000" + request(1)));
    assert.deepEqual(h.requests, [{ streamId: 1, path: PATH }]);
    // HEADERS, END_STREAM|END_HEADERS, stream 1, block 0x88 (:status 200).
    assert.deepEqual(h.writes, [
      hex(
        SERVER_PREFACE + "000000 04 01 00000000" +
          "000001 01 05 00000001 88",
      ).toHex(),
    ]);
  },
});

Deno.test({
  name:
    "server connection: answers given later in one turn share one write; GOAWAY ends when idle",
  permissions: "none",
  async fn() {
    const h = harness();
    h.conn.push(
      hex(PREFACE + "000000 04 00 00000000" + request(1) + request(3)),
    );
    assert.equal(h.requests.length, 2);
    assert.equal(h.writes.length, 1); // preface + SETTINGS ACK
    await tick();
    h.conn.respond(3, { status: 200 });
    h.conn.respond(1, {
      status: 410,
      headers: [["apns-id", "x"]],
      body: new TextEncoder().encode("{}"),
    });
    assert.equal(h.conn.respond(1, { status: 200 }), false); // already answered
    await tick();
    // Stream 3: 0x88 (:status 200, static 8). Stream 1, 13 octets: 410 is
    // not static, so a literal with incremental indexing of static name 8
    // (0x48) with the value Huffman-coded, 0x82 6820 ('4' 011010, '1'
    // 00001, '0' 00000); apns-id as a literal without indexing with a new
    // name (0x00), the name Huffman-coded, 0x85 1d75216349 (a 00011,
    // p 101011, n 101010, s 01000, - 010110, i 00110, d 100100, EOS
    // padding 1), the value raw, 0x01 'x'. Then DATA "{}" with END_STREAM.
    assert.deepEqual(h.writes.slice(1), [
      hex(
        "000001 01 05 00000003 88" +
          "00000d 01 04 00000001 48 82 6820 00 85 1d75216349 01" +
          ascii("x") +
          "000002 00 01 00000001" + ascii("{}"),
      ).toHex(),
    ]);
    h.conn.goaway(0, "bye");
    await tick();
    // GOAWAY: 8 + 3 octets, last stream 3, NO_ERROR, debug "bye".
    assert.equal(
      h.writes.at(-1),
      hex("00000b 07 00 00000000 00000003 00000000" + ascii("bye")).toHex(),
    );
    assert.equal(h.ended(), 1);
    assert.equal(h.conn.finished, true);
  },
});

Deno.test({
  name: "server connection: a frame before SETTINGS is a PROTOCOL_ERROR",
  permissions: "none",
  fn() {
    const h = harness();
    h.conn.push(hex(PREFACE + "000008 06 00 00000000 0000000000000000"));
    // SETTINGS preface, then GOAWAY(last 0, PROTOCOL_ERROR, message).
    const out = h.writes.join("");
    assert.ok(out.startsWith(hex(SERVER_PREFACE).toHex()));
    assert.ok(out.includes("07" + "00" + "00000000" + "00000000" + "00000001"));
    assert.equal(h.ended(), 1);
  },
});
