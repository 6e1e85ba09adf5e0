#!/usr/bin/env python3
"""An independent binary APNs gateway and feedback service (standard library).

Written from /work/shared/PROTOCOL.md section 1 only, as a second
implementation to test the client against (it shares no code with the
TypeScript mock). Python 3.8+, no third-party modules.

Gateway (client -> server), all integers big-endian:
  command 0: u8 0 | u16 tokenLen | token | u16 payloadLen | payload
  command 1: u8 1 | u32 id | u32 expiry | u16 tokenLen | token
             | u16 payloadLen | payload
  command 2: u8 2 | u32 frameLength | items, each u8 itemId | u16 len | data
             (1 token, 2 payload, 3 id u32, 4 expiry u32, 5 priority u8;
             any order)
On the first bad notification it writes the error response
u8 8 | u8 status | u32 id, drains the input briefly and closes; whatever
followed the bad notification is discarded. Success is silent.

Feedback: on connect it writes u32 time | u16 32 | token per tuple and
closes.

Usage:
  binary_gateway.py --cert server.crt --key server.key --ca ca.crt
      [--host 127.0.0.1] [--port 0] [--feedback-port 0]
      [--record FILE] [--fail HEX=STATUS ...] [--shutdown-after N]
      [--feedback HEX@SECONDS ...] [--max-payload 4096]

When ready it prints one JSON line: {"binaryPort": N, "feedbackPort": M}
(feedbackPort is null without --feedback-port). SIGTERM or SIGINT stops it
(exit status 0).
"""

import argparse
import binascii
import json
import signal
import socket
import ssl
import struct
import sys
import threading
import time

TOKEN_SIZE = 32
# Status codes (PROTOCOL.md, "Error response").
PROCESSING_ERROR = 1
MISSING_TOKEN = 2
MISSING_PAYLOAD = 4
INVALID_TOKEN_SIZE = 5
INVALID_PAYLOAD_SIZE = 7
SHUTDOWN = 10
# Largest command-2 frame buffered: five item headers, the fixed items, a
# generous token and the largest payload. Anything longer is refused
# before it is buffered (a length from the wire is never trusted).
FRAME_SLACK = 5 * 3 + 256 + 4 + 4 + 1


class Rejected(Exception):
    """A notification the gateway refuses: status and identifier."""

    def __init__(self, status, ident):
        super().__init__(status, ident)
        self.status = status
        self.ident = ident


class Incomplete(Exception):
    """The buffer does not yet hold a whole notification."""


class Gateway:
    """State shared by all connections: faults, counters, the record."""

    def __init__(self, args):
        self.fail = {}
        for spec in args.fail:
            token, _, status = spec.partition("=")
            self.fail[token.lower()] = int(status)
        self.shutdown_after = args.shutdown_after
        self.max_payload = args.max_payload
        self.lock = threading.Lock()
        self.accepted = 0
        self.shutdown_sent = False
        self.record = open(args.record, "a", encoding="utf-8") if args.record else None

    def write_record(self, lines):
        if self.record is not None and lines:
            self.record.write("".join(lines))
            self.record.flush()

    def close(self):
        with self.lock:
            if self.record is not None:
                self.record.close()
                self.record = None


def parse_one(buf, pos, max_payload):
    """Decodes the notification at buf[pos:].

    Returns (next_pos, notification dict). Raises Incomplete when more
    bytes are needed, Rejected for a malformed notification.
    """
    end = len(buf)
    if pos >= end:
        raise Incomplete()
    command = buf[pos]
    if command == 0:
        if end - pos < 3:
            raise Incomplete()
        (tlen,) = struct.unpack_from(">H", buf, pos + 1)
        p = pos + 3 + tlen
        if end - p < 2:
            raise Incomplete()
        (plen,) = struct.unpack_from(">H", buf, p)
        if end - (p + 2) < plen:
            raise Incomplete()
        n = {
            "command": 0,
            "id": 0,
            "expiry": None,
            "priority": 10,
            "token": bytes(buf[pos + 3:pos + 3 + tlen]),
            "payload": bytes(buf[p + 2:p + 2 + plen]),
        }
        return p + 2 + plen, n
    if command == 1:
        if end - pos < 11:
            raise Incomplete()
        ident, expiry, tlen = struct.unpack_from(">IIH", buf, pos + 1)
        p = pos + 11 + tlen
        if end - p < 2:
            raise Incomplete()
        (plen,) = struct.unpack_from(">H", buf, p)
        if end - (p + 2) < plen:
            raise Incomplete()
        n = {
            "command": 1,
            "id": ident,
            "expiry": expiry,
            "priority": 10,
            "token": bytes(buf[pos + 11:pos + 11 + tlen]),
            "payload": bytes(buf[p + 2:p + 2 + plen]),
        }
        return p + 2 + plen, n
    if command == 2:
        if end - pos < 5:
            raise Incomplete()
        (flen,) = struct.unpack_from(">I", buf, pos + 1)
        if flen > max_payload + FRAME_SLACK:
            # Too long to be a valid frame: refuse before buffering it.
            raise Rejected(INVALID_PAYLOAD_SIZE, 0)
        if end - (pos + 5) < flen:
            raise Incomplete()
        n = {"command": 2, "id": 0, "expiry": 0, "priority": 10,
             "token": None, "payload": None}
        p = pos + 5
        stop = p + flen
        while p < stop:
            if stop - p < 3:
                raise Rejected(PROCESSING_ERROR, n["id"])
            item, ilen = struct.unpack_from(">BH", buf, p)
            if p + 3 + ilen > stop:
                raise Rejected(PROCESSING_ERROR, n["id"])
            data = bytes(buf[p + 3:p + 3 + ilen])
            p += 3 + ilen
            if item == 1:
                n["token"] = data
            elif item == 2:
                n["payload"] = data
            elif item == 3:
                if ilen != 4:
                    raise Rejected(PROCESSING_ERROR, 0)
                (n["id"],) = struct.unpack(">I", data)
            elif item == 4:
                if ilen != 4:
                    raise Rejected(PROCESSING_ERROR, n["id"])
                (n["expiry"],) = struct.unpack(">I", data)
            elif item == 5:
                if ilen != 1:
                    raise Rejected(PROCESSING_ERROR, n["id"])
                n["priority"] = data[0]
            else:
                raise Rejected(PROCESSING_ERROR, n["id"])
        if n["token"] is None:
            n["token"] = b""
        return stop, n
    raise Rejected(PROCESSING_ERROR, 0)


def check(n, gateway):
    """Validates a decoded notification; returns a status, 0 when accepted."""
    if len(n["token"]) == 0:
        return MISSING_TOKEN
    if len(n["token"]) != TOKEN_SIZE:
        return INVALID_TOKEN_SIZE
    if not n["payload"]:
        return MISSING_PAYLOAD
    if len(n["payload"]) > gateway.max_payload:
        return INVALID_PAYLOAD_SIZE
    return gateway.fail.get(binascii.hexlify(n["token"]).decode("ascii"), 0)


def record_line(n, conn_no):
    return json.dumps({
        "token": binascii.hexlify(n["token"]).decode("ascii"),
        "id": n["id"],
        "command": n["command"],
        "expiry": n["expiry"],
        "priority": n["priority"],
        "payload": n["payload"].decode("utf-8", "replace"),
        "connection": conn_no,
    }, separators=(",", ":")) + "\n"


def error_and_close(conn, status, ident):
    """Writes the error response, drains the input briefly, closes.

    Draining keeps unread client bytes from turning the close into a TCP
    reset that could destroy the error response in flight. The close sends
    a TLS close_notify when the peer lets it.
    """
    try:
        conn.sendall(struct.pack(">BBI", 8, status, ident))
        conn.settimeout(0.1)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                if not conn.recv(65536):
                    break
            except socket.timeout:
                break
        conn.settimeout(0.2)
        conn.unwrap()
    except (OSError, ssl.SSLError, ValueError):
        pass
    finally:
        conn.close()


def serve_binary(conn, gateway, conn_no):
    buf = bytearray()
    pos = 0
    try:
        conn.settimeout(30)
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                conn.close()
                return
            buf += chunk
            lines = []
            failure = None
            while failure is None:
                try:
                    nxt, n = parse_one(buf, pos, gateway.max_payload)
                except Incomplete:
                    break
                except Rejected as rejected:
                    failure = (rejected.status, rejected.ident)
                    break
                pos = nxt
                status = check(n, gateway)
                if status:
                    failure = (status, n["id"])
                    break
                lines.append(record_line(n, conn_no))
                with gateway.lock:
                    gateway.accepted += 1
                    limit = gateway.shutdown_after
                    if (limit is not None and not gateway.shutdown_sent
                            and gateway.accepted >= limit):
                        gateway.shutdown_sent = True
                        failure = (SHUTDOWN, n["id"])
            with gateway.lock:
                gateway.write_record(lines)
            if failure is not None:
                error_and_close(conn, *failure)
                return
            if pos > 65536:
                del buf[:pos]
                pos = 0
    except (OSError, ssl.SSLError):
        conn.close()


def serve_feedback(conn, tuples):
    try:
        conn.settimeout(5)
        conn.sendall(b"".join(
            struct.pack(">IH", when, len(token)) + token for token, when in tuples))
        try:
            conn.unwrap()  # close_notify, then close
        except (OSError, ssl.SSLError, ValueError):
            pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def accept_loop(listener, context, handler, stop):
    counter = 0
    while not stop.is_set():
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        counter += 1

        def run(raw=raw, no=counter):
            try:
                raw.settimeout(10)
                conn = context.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                raw.close()  # handshake failed (e.g. no or untrusted client certificate)
                return
            handler(conn, no)

        threading.Thread(target=run, daemon=True).start()


def listen(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(128)
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(description="binary APNs gateway and feedback service")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--feedback-port", type=int, default=None)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--record", default=None)
    ap.add_argument("--fail", action="append", default=[], metavar="HEX=STATUS")
    ap.add_argument("--shutdown-after", type=int, default=None, metavar="N",
                    help="answer status 10 (once) naming the Nth accepted notification")
    ap.add_argument("--feedback", action="append", default=[], metavar="HEX@SECONDS")
    ap.add_argument("--max-payload", type=int, default=4096)
    args = ap.parse_args(argv)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.ca)
    context.verify_mode = ssl.CERT_REQUIRED

    gateway = Gateway(args)
    tuples = []
    for spec in args.feedback:
        token, _, when = spec.partition("@")
        tuples.append((binascii.unhexlify(token), int(when)))

    stop = threading.Event()
    listeners = []
    binary = listen(args.host, args.port)
    listeners.append(binary)
    threading.Thread(
        target=accept_loop,
        args=(binary, context, lambda c, no: serve_binary(c, gateway, no), stop),
        daemon=True,
    ).start()
    feedback_port = None
    if args.feedback_port is not None:
        feedback = listen(args.host, args.feedback_port)
        listeners.append(feedback)
        feedback_port = feedback.getsockname()[1]
        threading.Thread(
            target=accept_loop,
            args=(feedback, context, lambda c, no: serve_feedback(c, tuples), stop),
            daemon=True,
        ).start()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(json.dumps({"binaryPort": binary.getsockname()[1], "feedbackPort": feedback_port}),
          flush=True)
    while not stop.wait(0.2):
        pass
    for s in listeners:
        s.close()
    gateway.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
