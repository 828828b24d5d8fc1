"""Load generators for bench/edges.py, and a watcher of the daemon's status; standard library only.

Every request ends as one Result. Its outcome is one of:
  "ok"          200 and the whole body
  "http NNN"    any other status, whole body
  "refused"     the connection was refused (nothing accepted it)
  "reset"       the connection was reset before a whole answer head arrived (or while the request was sent)
  "eof"         the connection was closed before any answer
  "truncated"   an answer head, then fewer body bytes than it announced
  "timeout"     no answer within the client's timeout
"""
import collections
import http.client
import socket
import threading
import time

import common

# start and latency in seconds (time.monotonic()); reused: sent on a connection that had served a request before
Result = collections.namedtuple("Result", "start latency outcome reused body headers")
BODY = b"x" * 64


def send(conn, method="GET", path="/", body=None):
    """One request on conn (an http.client.HTTPConnection, connected or not); a failed connection is closed, so
    the next request on conn opens a new one (as it does after an answer with Connection: close)."""
    reused = conn.sock is not None
    start = time.monotonic()
    payload, headers = b"", {}
    try:
        conn.request(method, path, body=body,
                     headers={"Content-Type": "application/octet-stream"} if body is not None else {})
        response = conn.getresponse()
        headers = response.headers  # an email.message.Message: get() ignores the case of names
        payload = response.read()
        outcome = "ok" if response.status == 200 else "http %d" % response.status
    except ConnectionRefusedError:
        outcome = "refused"
    except http.client.IncompleteRead:
        outcome = "truncated"
    except http.client.RemoteDisconnected:  # a subclass of ConnectionResetError: no status line at all
        outcome = "eof"
    except (ConnectionResetError, BrokenPipeError):
        outcome = "reset"
    except socket.timeout:
        outcome = "timeout"
    except (OSError, http.client.HTTPException) as e:
        outcome = type(e).__name__
    if outcome != "ok" and not outcome.startswith("http"):
        conn.close()
    return Result(start, time.monotonic() - start, outcome, reused, payload, headers)


def get(port, path="/", timeout=40.0):
    """One GET on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        return send(conn, "GET", path)
    finally:
        conn.close()


class OpenLoop:
    """GETs at a fixed rate, each on a new connection, sent whether or not the earlier ones were answered
    (an open loop: a stall shows as latency and as requests in flight, not as a lower rate)."""

    def __init__(self, port, rate, path="/", timeout=40.0, limit=None):
        self.port, self.rate, self.path, self.timeout, self.limit = port, rate, path, timeout, limit
        self.results, self.lock, self.running = [], threading.Lock(), True
        self.threads = []
        self.scheduler = threading.Thread(target=self.schedule, daemon=True)
        self.began = self.ended = None

    def start(self):
        self.began = time.monotonic()
        self.scheduler.start()
        return self

    def schedule(self):
        next_at, sent = time.monotonic(), 0
        while self.running and (self.limit is None or sent < self.limit):
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += 1.0 / self.rate
            thread = threading.Thread(target=self.one, daemon=True)
            thread.start()
            self.threads.append(thread)
            sent += 1
        self.ended = time.monotonic()

    def one(self):
        result = get(self.port, self.path, self.timeout)
        with self.lock:
            self.results.append(result)

    def wait_sent(self, timeout):
        self.scheduler.join(timeout)

    def stop(self, wait=45.0):
        """Stops sending; waits up to `wait` seconds for the answers; answers the results."""
        self.running = False
        if self.began is not None:
            self.scheduler.join(wait)
        deadline = time.monotonic() + wait
        for thread in list(self.threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            return sorted(self.results, key=lambda r: r.start)


class KeepAlive:
    """`clients` threads, each on one persistent connection, `rate` requests/s in total, GET / and
    POST /digest (64-byte body) in turn; a client reconnects only after Connection: close or a failure."""

    def __init__(self, port, clients, rate, timeout=40.0):
        self.port, self.interval, self.timeout = port, clients / float(rate), timeout
        self.results, self.lock, self.running = [], threading.Lock(), True
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]
        self.began = self.ended = None

    def start(self):
        self.began = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def client(self, i):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        next_at, n = time.monotonic() + self.interval * i / len(self.threads), i
        try:
            while self.running:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at = max(next_at + self.interval, time.monotonic() - self.interval)  # no burst after a stall
                result = send(conn, "POST", "/digest", BODY) if n % 2 else send(conn, "GET", "/")
                n += 1
                with self.lock:
                    self.results.append(result)
        finally:
            conn.close()

    def stop(self, wait=45.0):
        self.running = False
        self.ended = time.monotonic()
        deadline = time.monotonic() + wait
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            return sorted(self.results, key=lambda r: r.start)


def outcomes(results):
    """"N ok, M refused, ..." in a fixed order, zeros left out."""
    counts = collections.Counter(r.outcome for r in results)
    return ", ".join("%d %s" % (counts[k], k) for k in sorted(counts, key=lambda k: (k != "ok", k))) or "none"


def failed(results, allowed=("ok",)):
    return [r for r in results if r.outcome not in allowed]


def longest(results):
    return max((r.latency for r in results), default=float("nan"))


class Watcher:
    """Polls the daemon's /v1/status every 50 ms and records each change of a worker's (pid, backend)."""

    def __init__(self, baton):
        self.baton, self.changes, self.running = baton, [], True  # changes: (time, name, pid, backend)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        last = {}
        while self.running:
            try:
                workers = self.baton.status()["workers"]
            except Exception:  # a daemon busy or gone: ask again
                workers = []
            now = time.monotonic()
            for w in workers:
                if last.get(w["name"]) != (w["pid"], w.get("backend")):
                    last[w["name"]] = (w["pid"], w.get("backend"))
                    self.changes.append((now, w["name"], w["pid"], w.get("backend")))
            time.sleep(0.05)

    def times(self, name, backend, after=0.0):
        """When worker name's backend became `backend` (after a time), in order."""
        return [t for t, n, _, b in self.changes if n == name and b == backend and t >= after]

    def wait(self, name, backend, after):
        """Waits until worker name's backend is `backend` after a time; answers that time."""
        def seen():
            if self.baton.proc.poll() is not None:
                raise RuntimeError("baton exited with status %d" % self.baton.proc.returncode)
            return self.times(name, backend, after)
        return common.wait_for("%s %s" % (name, backend), seen, timeout=60)[0]

    def stop(self):
        self.running = False
        self.thread.join(5)
