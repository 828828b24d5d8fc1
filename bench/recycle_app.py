"""WSGI app for the recycling and canary benchmark (bench/recycle_bench.py): about a second of import-time work
(APP_STARTUP seconds, like a real app's imports), then answers its version and pid, the version also in the
header X-App-Version so that a load generator can count who answered. The version is read from VERSION beside this
file at import, as a deploy would change it; a version ending in "-bad" answers 500 to every second request (its
health check still passes, as a subtly broken release's does)."""
import itertools
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "VERSION")) as f:
    VERSION = f.read().strip()
BAD = VERSION.endswith("-bad")
time.sleep(float(os.environ.get("APP_STARTUP", "1")))
_requests = itertools.count()


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"ok\n"]
    failing = BAD and next(_requests) % 2 == 1
    body = (json.dumps({"version": VERSION, "pid": os.getpid(), "error": failing}) + "\n").encode()
    start_response("500 Internal Server Error" if failing else "200 OK",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                    ("X-App-Version", VERSION)])
    return [body]
