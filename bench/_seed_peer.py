# The seed's side of compare_binary.ts (`--seed DIR`), run by Debian's
# python3 with python3-openssl and python3-six:
#   python3 _seed_peer.py <seed dir> <port> <count> <fixtures dir>
# <seed dir> holds the `apnsclient` package of apns-client 0.2 (not part of
# this repository: fetch it yourself). Prints {"version"} once loaded, then
# sends one message of <count> random tokens on a fresh connection (the
# seed's best case: one big message) and prints {"ms", "failed", "errors"}
# when send() returns; the parent measures at the sink.
#
# The seed hard-codes TLS 1.0 (OpenSSL's TLSv1_METHOD) in its stdio
# back-end's certificate class, which OpenSSL 3 servers refuse. Its documented
# hook for that is the back-end: `Session(pool=...)` takes a back-end class,
# and this one hands out certificates whose context negotiates TLS 1.2/1.3.
# Nothing else of the seed is changed.
import json
import os
import sys
import time

seed_dir, port, count, fixtures = sys.argv[1:5]
sys.path.insert(0, seed_dir)

from OpenSSL import SSL  # noqa: E402
import apnsclient  # noqa: E402
from apnsclient import APNs, Message, Session  # noqa: E402
from apnsclient.backends import stdio  # noqa: E402


def say(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


class ModernTlsCertificate(stdio.Certificate):
    def load_context(self, *args, **kwargs):
        kwargs["context_method"] = SSL.TLS_METHOD
        return super(ModernTlsCertificate, self).load_context(*args, **kwargs)


class ModernTlsBackend(stdio.Backend):
    def get_certificate(self, cert_params):
        return ModernTlsCertificate(**cert_params)


def read(name):
    with open(os.path.join(fixtures, name), "rb") as f:
        return f.read()


say({"version": apnsclient.__version__, "python": sys.version.split()[0]})
n = int(count)
random = os.urandom(32 * n).hex()
tokens = [random[64 * i:64 * i + 64] for i in range(n)]
session = Session(pool=ModernTlsBackend)
con = session.get_connection(
    ("127.0.0.1", int(port)),
    cert_string=read("client.crt"),
    key_string=read("client.key"),
)
start = time.perf_counter()
result = APNs(con).send(Message(tokens, alert="Hello", badge=1))
ms = (time.perf_counter() - start) * 1000
say({
    "ms": ms,
    "failed": len(result.failed),
    "errors": [list(e) for e in result.errors],
    "needsRetry": result.needs_retry(),
})
