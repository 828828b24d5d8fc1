#!/usr/bin/env python3
"""A small load generator for the demo: keeps CLIENTS keep-alive connections busy with GET and POST requests
and prints, every second, how many succeeded, how many failed and which app versions answered. Run it in one
terminal, `baton reload` in another, and watch the failed column stay at 0.

    python3 conf/examples/demo/load.py [--url http://127.0.0.1:8000/] [--clients 8] [--seconds 0 = until Ctrl-C]
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.versions = set()
        self.errors = {}

    def record(self, ok, version=None, error=None):
        with self.lock:
            if ok:
                self.ok += 1
                self.versions.add(version)
            else:
                self.failed += 1
                self.errors[error] = self.errors.get(error, 0) + 1

    def take(self):
        with self.lock:
            snapshot = (self.ok, self.failed, sorted(self.versions), dict(self.errors))
            self.ok, self.failed, self.versions, self.errors = 0, 0, set(), {}
            return snapshot


def client(url, counters, stop):
    conn = None
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
            body = None if n % 2 else json.dumps({"n": n}).encode()
            conn.request("POST" if body else "GET", url.path or "/", body=body,
                         headers={"Content-Type": "application/json"} if body else {})
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                counters.record(False, error="HTTP %d" % response.status)
                continue
            counters.record(True, version=json.loads(payload).get("version", "?"))
        except (OSError, http.client.HTTPException, ValueError) as e:
            counters.record(False, error=type(e).__name__)
            if conn is not None:
                conn.close()
            conn = None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (default: until Ctrl-C)")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    counters, stop = Counters(), threading.Event()
    threads = [threading.Thread(target=client, args=(url, counters, stop), daemon=True)
               for _ in range(args.clients)]
    for t in threads:
        t.start()
    started, total_ok, total_failed = time.monotonic(), 0, 0
    try:
        while not args.seconds or time.monotonic() - started < args.seconds:
            time.sleep(1)
            ok, failed, versions, errors = counters.take()
            total_ok, total_failed = total_ok + ok, total_failed + failed
            print("%5.0fs  ok %6d  failed %4d  versions %s%s" % (
                time.monotonic() - started, ok, failed, ",".join(versions) or "-",
                "  " + ", ".join("%s x%d" % e for e in errors.items()) if errors else ""), flush=True)
    except KeyboardInterrupt:
        pass
    stop.set()
    ok, failed, _, _ = counters.take()
    print("total: %d requests, %d failed" % (total_ok + ok + total_failed + failed, total_failed + failed))


if __name__ == "__main__":
    main()
