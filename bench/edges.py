#!/usr/bin/env python3
"""Baton's failure edges, measured with real requests against a real daemon and real Python workers.

    mvn -q package -DskipTests                             # from the repository root: packaging/target/baton
    python3 bench/edges.py [--only NAME] [--rate 100] [--keep]

Scenarios (--only takes one name): shutdown (`baton shutdown` and SIGTERM under load), crash (kill -9 of a
lone worker), stop (`baton stop` of a proxied program, then `baton start`), keys (proxy-key reloads under
keep-alive load), busy-port (a reload to a port in use), truncate (a worker that cuts its answers short),
hang (a SIGSTOPped worker). Each starts its own `baton run` in a scratch folder, with the test fixture
packaging/src/test/resources/fixtures/proxied.py as the workers, everything on 127.0.0.1; bench/load.py sends
the requests and classifies each answer. Prints one Markdown table: what was done, what was measured now, what
was measured before the fix ("today" in the issue), what good means and whether the figures meet it.
About 2 minutes in all; Ctrl-C stops everything it started. --keep keeps the scratch folder (each scenario's
baton.log and worker logs in logs/) and prints its path; so does a JVM crash (hs_err_pidN.log).
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import common
import load

FIXTURE = os.path.join(common.ROOT, "packaging", "src", "test", "resources", "fixtures", "proxied.py")
# Used only when the fixture has no TRUNCATE_WORKER mode: the same worker, with that mode added.
TRUNCATING = '''import os, sys, proxied
class Truncating(proxied.Handler):
    def do_GET(self):
        if self.path in ("/healthz", "/ready") or os.environ.get("TRUNCATE_WORKER") != os.environ["BATON_WORKER"]:
            return super().do_GET()
        self.send_response(200); self.send_header("Content-Length", "100"); self.end_headers()
        self.wfile.write(b"0123456789"); self.wfile.flush(); self.close_connection = True
proxied.Handler = Truncating
sys.exit(proxied.main())
'''


class Scratch:
    """The scratch folder: app/ holds the workers' code, one sub-folder per daemon."""

    def __init__(self, path):
        self.path, self.app = path, os.path.join(path, "app")
        os.makedirs(self.app)
        shutil.copy(FIXTURE, os.path.join(self.app, "proxied.py"))
        self.worker = "proxied.py"
        with open(FIXTURE) as f:
            if "TRUNCATE_WORKER" not in f.read():
                with open(os.path.join(self.app, "truncating.py"), "w") as out:
                    out.write(TRUNCATING)
                self.worker = "truncating.py"

    def program(self, port, numprocs, **keys):
        keys.setdefault("health_check", "/healthz")
        listen = keys.pop("listen", "127.0.0.1:%d" % port)
        return common.baton_program("web", "%s %s --port {port}" % (common.PYTHON, self.worker), numprocs,
                                    directory=self.app, listen=listen, **keys)

    def daemon(self, name, port, numprocs, **keys):
        """A `baton run` in folder NAME serving program web on port; waits until its workers are healthy."""
        baton = common.Baton(os.path.join(self.path, name), self.program(port, numprocs, **keys))
        baton.wait_running(numprocs, timeout=60)
        baton.wait_healthy("web", numprocs, timeout=60)
        common.wait_for("web answering on port %d" % port, lambda: load.get(port, timeout=5).outcome == "ok", 30)
        return baton


def rewrite(baton, program):
    with open(baton.config, "w") as f:
        f.write('[baton]\nsocket = "baton.sock"\n\n' + program)


def worker(baton, name, not_pid=None):
    """Worker name in the daemon's status; KeyError while its pid is still not_pid."""
    found = next(w for w in baton.workers("web") if w["name"] == name)
    if not_pid is not None and found["pid"] in (None, not_pid):
        raise KeyError(name)
    return found


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def row(name, done, measured, today, good, meets):
    return {"scenario": name, "done": done, "measured": measured, "today": today, "good": good,
            "meets": "yes" if meets else "**no**"}


# -- the scenarios ---------------------------------------------------------------------------------------------

def shutdown(scratch, rate, how):
    """4 workers, GET / at `rate` on new connections and 3 slow GETs in flight, then `baton shutdown` or SIGTERM."""
    port = common.free_port()
    baton = scratch.daemon("shutdown-" + how.split()[0].lower(), port, 4)
    pids = [w["pid"] for w in baton.workers("web")]
    probe = load.OpenLoop(port, rate, timeout=30).start()
    slow = load.OpenLoop(port, 10, "/slow?ms=1500", timeout=30, limit=3)
    try:
        time.sleep(2)
        slow.start()
        time.sleep(0.5)  # the slow GETs are in their worker, about 1 s to go
        began = time.monotonic()
        returned = ""
        if how == "baton shutdown":
            cli = baton.cli("shutdown", timeout=120)
            returned = "`baton shutdown` exit %d after %.1f s (daemon %s), " % (
                cli.returncode, time.monotonic() - began, "gone" if baton.proc.poll() is not None else "still there")
        else:
            os.kill(baton.pid, signal.SIGTERM)
        baton.proc.wait(timeout=120)
        exited = time.monotonic() - began
        time.sleep(1)  # the load goes on against the closed port
    finally:
        results, slow_results = probe.stop(), slow.stop()
    left = [p for p in pids if alive(p)]
    dropped = load.failed(results, ("ok", "refused"))
    slow_ok = sum(1 for r in slow_results if r.outcome == "ok")
    measured = ("%d GETs: %s; dropped %d; slow GETs: %d of 3 answered 200 (%s); %sdaemon gone after %.1f s; "
                "workers left %d" % (len(results), load.outcomes(results), len(dropped), slow_ok,
                                     load.outcomes(slow_results), returned, exited, len(left)))
    return row("shutdown under load (%s)" % how,
               "4 workers; GET / at %d/s, each on a new connection, + 3 × GET /slow?ms=1500 in flight; `%s`"
               % (rate, "baton shutdown" if how == "baton shutdown" else "kill -TERM <baton pid>"),
               measured, "50 dropped per shutdown",
               "0 dropped (refused after the listener closed is fine), the 3 slow GETs answered 200, no worker "
               "left, done in about the slow GETs' remaining 1 s + worker stop",
               not dropped and slow_ok == 3 and not left)


def crash(scratch, rate, kills=5):
    """numprocs 1, GET / at `rate`, kill -9 the worker `kills` times, each time once it is back and healthy."""
    port = common.free_port()
    baton = scratch.daemon("crash", port, 1)
    probe = load.OpenLoop(port, rate, timeout=40).start()
    downtimes = []
    try:
        time.sleep(1)
        for _ in range(kills):
            pid = worker(baton, "web:0")["pid"]
            killed = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            common.wait_for("web:0 back with a new pid, healthy", lambda: worker(baton, "web:0", pid)
                            .get("backend") == "HEALTHY", timeout=60, interval=0.02)
            downtimes.append(time.monotonic() - killed)
            time.sleep(1)
    finally:
        results = probe.stop()
        baton.stop()
    bad = load.failed(results)
    return row("lone worker kill -9",
               "numprocs = 1; GET / at %d/s on new connections; `kill -9 <worker pid>` %d times, each time "
               "once its new pid is HEALTHY in `/v1/status` (= `baton status --json`), 1 s apart" % (rate, kills),
               "%d GETs: %s; non-200 %d; longest GET %.2f s; kill → healthy again: %s s"
               % (len(results), load.outcomes(results), len(bad), load.longest(results),
                  ", ".join("%.1f" % d for d in downtimes)),
               "1-3 502s per crash", "0 non-200: GETs wait for the restart (longest ≈ the restart backoff)",
               not bad and len(downtimes) == kills)


def stop_start(scratch, rate):
    port = common.free_port()
    baton = scratch.daemon("stop", port, 2)
    try:
        stop = baton.cli("stop", "web")
        during = load.get(port, timeout=40)
        start = baton.cli("start", "web")
        after = load.get(port, timeout=40)
    finally:
        baton.stop()
    text = during.body.decode(errors="replace").strip()[:80]
    retry = during.headers.get("Retry-After")
    return row("`baton stop` of a proxied program",
               "2 workers; `baton stop web`; GET /; `baton start web`; GET /",
               "stop exit %d; GET while stopped: %s after %.2f s, Retry-After %s, body \"%s\"; start exit %d; "
               "first GET after: %s after %.2f s" % (stop.returncode, during.outcome, during.latency, retry, text,
                                                      start.returncode, after.outcome, after.latency),
               "waited queue_timeout (30 s), then 503",
               "503 at once (< 1 s) with Retry-After and the reason; 200 right after `baton start`",
               during.outcome == "http 503" and during.latency < 1 and retry is not None and after.outcome == "ok"
               and stop.returncode == 0 and start.returncode == 0)


def key_reloads(scratch, rate, clients=8, total=200, probe_rate=20):
    """Keep-alive clients and a new-connection probe while three reloads change proxy keys."""
    port = common.free_port()
    keys = {"max_inflight": 1}
    baton = scratch.daemon("keys", port, 4, **keys)
    steps = [("max_inflight", 2), ("response_timeout", "30s"), ("max_queue", 500)]
    reloads = []
    keepalive = load.KeepAlive(port, clients, total).start()
    probe = load.OpenLoop(port, probe_rate).start()
    try:
        time.sleep(2)
        for key, value in steps:
            keys[key] = value
            rewrite(baton, scratch.program(port, 4, **keys))
            began = time.monotonic()
            cli = baton.cli("reload", timeout=120)
            reloads.append("%s = %s: exit %d in %.1f s" % (key, value, cli.returncode, time.monotonic() - began))
            time.sleep(1)
        time.sleep(1)
    finally:
        kept, probed = keepalive.stop(), probe.stop()
        baton.stop()
    seconds = keepalive.ended - keepalive.began
    bad = load.failed(kept) + load.failed(probed, ("ok", "refused"))
    refused = [r for r in kept + probed if r.outcome == "refused"]
    reconnects = sum(1 for r in kept if not r.reused) - clients
    return row("proxy-key reloads under keep-alive load",
               "4 workers, max_inflight = 1; %d keep-alive clients at %d req/s in all (GET / and POST /digest, "
               "64 B), + GET / on new connections at %d/s; three `baton reload`s: max_inflight 1 → 2, "
               "response_timeout = \"30s\", max_queue = 500" % (clients, total, probe_rate),
               "keep-alive: %d requests (%.0f/s): %s, %d reconnects (Connection: close or failure); probe: %d: "
               "%s; failed %d, refused %d; longest %.2f s; reloads: %s"
               % (len(kept), len(kept) / seconds, load.outcomes(kept), reconnects, len(probed),
                  load.outcomes(probed), len(bad), len(refused), load.longest(kept + probed), "; ".join(reloads)),
               "264 failed over 3 reloads (245 keep-alive connections closed before an answer, 19 waited 30 s); "
               "listener rebound (connections refused)",
               "0 failed, 0 refused, every reload exit 0", not bad and not refused
               and all(": exit 0 " in r for r in reloads))


def busy_port(scratch, rate):
    port, busy = common.free_ports(2)
    holder = socket.socket()
    holder.bind(("127.0.0.1", busy))
    holder.listen(1)
    baton = scratch.daemon("busy-port", port, 2)
    try:
        rewrite(baton, scratch.program(port, 2, listen="127.0.0.1:%d" % busy))
        cli = baton.cli("reload", timeout=120)
        line = (cli.stderr.strip() or cli.stdout.strip()).splitlines()[-1:] or [""]
        old = load.get(port, timeout=10)
        generation = json.loads(old.body)["generation"] if old.outcome == "ok" else "-"
        holder.close()
        again = baton.cli("reload", timeout=120)
        moved = load.get(busy, timeout=10)
        moved_generation = json.loads(moved.body)["generation"] if moved.outcome == "ok" else "-"
        old_after = load.get(port, timeout=10).outcome
    finally:
        holder.close()
        baton.stop()
    return row("reload to a busy port",
               "2 workers on port A; a plain socket listens on port B; `listen` = B; `baton reload`; GET on A; "
               "then the socket closed and `baton reload` again; GET on B and A",
               "exit %d, \"%s\"; port A: %s, generation %s; after the port was freed: reload exit %d, port B: "
               "%s, generation %s, port A: %s" % (cli.returncode, line[0], old.outcome, generation,
                                                 again.returncode, moved.outcome, moved_generation, old_after),
               "exit 0 \"reloaded to generation 2\", served nowhere",
               "exit 1 with \"cannot listen on 127.0.0.1:B: address already in use; rolled back\", port A still "
               "answers generation 1; once freed, B serves generation 2",
               cli.returncode == 1 and "already in use" in line[0] and old.outcome == "ok" and generation == "1"
               and again.returncode == 0 and moved.outcome == "ok")


def truncate(scratch, rate, count=2000):
    port = common.free_port()
    baton = scratch.daemon("truncate", port, 4, environment={"TRUNCATE_WORKER": "1"})
    watcher = load.Watcher(baton)
    probe = load.OpenLoop(port, rate, limit=count, timeout=40).start()
    try:
        probe.wait_sent(count / rate + 60)
    finally:
        results = probe.stop()
        watcher.stop()
        baton.stop()
    bad = load.failed(results)
    ejections = watcher.times("web:1", "UNHEALTHY")
    first_bad = min((r.start for r in bad), default=None)
    when = ("%.1f s after its first failed request (%d failed requests before it)"
            % (ejections[0] - first_bad, sum(1 for r in bad if r.start < ejections[0]))
            if ejections and first_bad else "never")
    fall = 3  # health_fall, by default
    return row("a worker that closes connections mid-response",
               "4 workers, web:1 answers every GET with a 200 head, Content-Length 100, 10 bytes, then closes "
               "(%s); %d GET / at %d/s on new connections" % (
                   "fixture's TRUNCATE_WORKER=1" if scratch.worker == "proxied.py" else "own truncating.py",
                   count, rate),
               "%d GETs: %s; failed %d (%.1f%%); web:1 ejected %d times, the first %s"
               % (len(results), load.outcomes(results), len(bad), 100.0 * len(bad) / max(1, len(results)),
                  len(ejections), when),
               "never ejected; about a quarter of the requests failed",
               "ejected after health_fall (3) failed requests in a row, again after each re-admission by its "
               "health checks: failed ≤ 3 per ejection",
               bool(ejections) and len(bad) <= fall * len(ejections))


def hang(scratch, rate):
    port = common.free_port()
    baton = scratch.daemon("hang", port, 2, max_inflight=1)
    watcher = load.Watcher(baton)
    probe = load.OpenLoop(port, rate, timeout=40).start()
    pid = None
    try:
        time.sleep(2)
        pid = worker(baton, "web:1")["pid"]
        stopped = time.monotonic()
        os.kill(pid, signal.SIGSTOP)
        ejected = watcher.wait("web:1", "UNHEALTHY", stopped) - stopped
        time.sleep(2)
        os.kill(pid, signal.SIGCONT)
        resumed = time.monotonic()
        back = watcher.wait("web:1", "HEALTHY", resumed) - resumed
        time.sleep(1)
    finally:
        if pid:
            os.kill(pid, signal.SIGCONT)
        results = probe.stop()
        watcher.stop()
        baton.stop()
    bad = load.failed(results)
    slowest = max(results, key=lambda r: r.latency)
    by = json.loads(slowest.body)["worker"] if slowest.outcome == "ok" else "nobody"
    return row("a hung worker (SIGSTOP)",
               "2 workers, max_inflight = 1; GET / at %d/s on new connections; `kill -STOP` web:1; `kill -CONT` "
               "2 s after it is UNHEALTHY" % rate,
               "%d GETs: %s; failed %d; UNHEALTHY %.1f s after SIGSTOP; longest GET %.2f s (sent %.1f s after "
               "SIGSTOP, answered by web:%s); HEALTHY again %.1f s after SIGCONT"
               % (len(results), load.outcomes(results), len(bad), ejected, slowest.latency,
                  slowest.start - stopped, by, back),
               "0 failed, ejected after 5.8 s, GETs waited up to 12.9 s",
               "0 failed; out within health_fall × health_timeout after its first failed check (3-5 s); no GET "
               "waits much longer than that (the stuck one goes to the other worker)",
               not bad and ejected <= 5.5 and slowest.latency <= ejected + 1.5)


SCENARIOS = {"shutdown": [lambda s, r: shutdown(s, r, "baton shutdown"), lambda s, r: shutdown(s, r, "SIGTERM")],
             "crash": [crash], "stop": [stop_start], "keys": [key_reloads], "busy-port": [busy_port],
             "truncate": [truncate], "hang": [hang]}


# -- main ------------------------------------------------------------------------------------------------------

def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def describe():
    git = lambda *a: subprocess.run(["git", "-C", common.ROOT] + list(a), capture_output=True, text=True).stdout
    lib = os.path.join(os.path.dirname(os.path.dirname(common.BATON)), "lib")
    jars = [os.path.join(lib, j) for j in os.listdir(lib) if j.startswith("baton-") and j.endswith(".jar")]
    built = datetime.datetime.fromtimestamp(max(map(os.path.getmtime, jars))).strftime("%Y-%m-%d %H:%M:%S")
    return "commit %s%s, distribution built %s" % (git("rev-parse", "--short", "HEAD").strip(),
                                                  " + uncommitted changes" if git("status", "--porcelain", "-uno")
                                                  else "", built)


def crash_reports(folder, seen):
    """What the JVM crash reports (hs_err_pidN.log) new in folder say, in a few words."""
    notes = []
    for name in sorted(set(os.listdir(folder)) - seen):
        if name.startswith("hs_err_pid"):
            seen.add(name)
            with open(os.path.join(folder, name), errors="replace") as f:
                lines = f.read().splitlines()
            what = next((l.strip("# ").split(", pid")[0] for l in lines if l.startswith("#  SIG")), "a fatal error")
            frame = next((l.split("  ", 1)[-1].split("(")[0] for l in lines if l.startswith(("J ", "j "))), "?")
            command = next((l.split("Main ", 1)[-1] for l in lines if l.startswith("java_command")), "?")
            notes.append("**a Baton JVM crashed (`%s`): %s in %s; %s kept**" % (command, what, frame, name))
    return notes


def run(names, rate, keep):
    rows = []
    tmp = tempfile.mkdtemp(prefix="baton-edges-")
    os.chdir(tmp)  # a JVM that crashes writes its hs_err_pidN.log here
    seen = set(os.listdir(tmp))
    try:
        scratch = Scratch(tmp)
        for name in names:
            for scenario in SCENARIOS[name]:
                print("running %s..." % name, file=sys.stderr, flush=True)
                began = time.monotonic()
                try:
                    rows.append(scenario(scratch, rate))
                except Exception as e:  # the other scenarios still run; the row says what broke
                    rows.append(row(name, "-", "did not finish: %s: %s" % (type(e).__name__, e), "-", "-", False))
                finally:
                    common.stop_all()
                notes = crash_reports(tmp, seen)
                if notes:
                    rows[-1]["measured"] += "; " + "; ".join(notes)
                    rows[-1]["meets"] = "**no**"
                    keep = True
                print("  %s: %.0f s" % (name, time.monotonic() - began), file=sys.stderr, flush=True)
    finally:
        common.stop_all()
        os.chdir(common.ROOT)
        if keep:
            print("scratch folder kept: %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(SCENARIOS), help="run one scenario only")
    parser.add_argument("--rate", type=int, default=100, help="GETs per second of the new-connection load")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (daemon and worker logs)")
    args = parser.parse_args()
    if not os.access(common.BATON, os.X_OK):
        sys.exit("build Baton first: cd %s && mvn -q -B -o package -DskipTests" % common.ROOT)
    common.install_signal_handlers()
    before, began = loadavg(), time.monotonic()
    header = "Baton failure edges, %s, %s; load average at the start %s" % (
        datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), describe(), " ".join(before))
    try:
        rows = run([args.only] if args.only else list(SCENARIOS), args.rate, args.keep)
    except KeyboardInterrupt:
        sys.exit("interrupted: everything it started is stopped")
    print(header)
    if float(before[0]) > 1:
        print("\n**The 1-minute load average was %s (> 1) at the start: the timings below come from a busy "
              "machine.**" % before[0])
    print()
    print(common.table(["scenario", "what was done", "measured now", "today (before the fix)", "good means",
                        "meets it"],
                       [[r["scenario"], r["done"], r["measured"], r["today"], r["good"], r["meets"]] for r in rows]))
    print("\nLoad average at the end %s; %.0f s in all." % (" ".join(loadavg()), time.monotonic() - began))


if __name__ == "__main__":
    sys.exit(main())
