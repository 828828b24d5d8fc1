"""WSGI app for the proxy and tail-latency benchmarks, run by gunicorn's sync workers: GET / answers a fixed
"ok" at once, GET /slow after 200 ms (time.sleep: the single-threaded worker can do nothing else meanwhile)."""
import time

SLOW_SECONDS = 0.2


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(SLOW_SECONDS)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"ok\n"]
