#!/usr/bin/env python3
"""Failed requests and duration while Baton's daemon itself is replaced, at a steady request rate.

    mvn -q package -DskipTests && python3 bench/upgrade_bench.py [--rate 100] [--repeat 3]
        [--only upgrade|restart] [--setup direct|nginx|both] [--baton packaging/target/baton/bin/baton]
        [--logs DIR]

Two ways to replace the daemon (after a package upgrade, say), each with 4 single-worker gunicorn processes of
bench/reload_app.py (about 1 s to import) behind Baton's proxy:
  upgrade   `baton upgrade`: the running daemon hands its listening sockets to a new daemon, which starts its
            own workers and takes over; the old one drains and exits. Lasts until the command returns.
  restart   `baton shutdown`, then `baton run` again, what users do today. Lasts from the shutdown command until
            the control socket reports every worker RUNNING with its backend HEALTHY again.
and two setups: clients on Baton's proxy directly (direct), or on nginx proxying to Baton's listen address over an
upstream keep-alive pool with nginx's default retries, `proxy_next_upstream error timeout` (nginx).

The load: 16 threads sending GETs on a fixed schedule, RATE per second in all. Half of them keep their connection
until the server closes it (a request that fails on a reused connection counts as failed, no silent retry), the
other half open one connection per request. The operation starts 3 s after the load and the load goes on for 3 s
after it ended; every request of the run counts. Each (setup, method) cell runs --repeat times, each on a fresh
daemon (and nginx) in a scratch folder. Baton runs from a private copy of the distribution (class-data sharing
archives dumped again for the copy), so a rebuild of the tree does not disturb a run. Prints Markdown; everything
stays on 127.0.0.1. bench/run.py runs it as its section "upgrade" through run(), whose report holds the main table.
"""
import argparse
import collections
import contextlib
import datetime
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import common

WORKERS = 4
SETTLE = 3.0  # seconds of load before and after the operation
METHODS = ("upgrade", "restart")
SETUPS = ("direct", "nginx")
OUTCOMES = ("refused", "reset", "5xx", "timeout", "other")


# -- load ------------------------------------------------------------------------------------------------------

Result = collections.namedtuple("Result", "start wall kind reused outcome detail latency")


class Load:
    """Threads sending GETs at a fixed total rate: half on keep-alive connections (kept until the server closes
    them), half on a new connection per request. Records every request's outcome: ok, refused (connection refused),
    reset (reset or closed before the answer), 5xx, other status, timeout, other."""

    def __init__(self, port, rate, threads=16, timeout=10.0):
        self.port, self.interval, self.timeout = port, threads / float(rate), timeout
        self.results = []
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self.run, args=("keep-alive" if i % 2 == 0 else "one-shot", i),
                                         daemon=True) for i in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(timeout=self.timeout + 5)

    def run(self, kind, index):
        conn = None
        next_at = time.monotonic() + self.interval * index / len(self.threads)  # spread the threads' schedules
        while self.running:
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += self.interval
            start, wall = time.monotonic(), time.time()
            reused = conn is not None
            outcome, detail = "ok", ""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                conn.request("GET", "/")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    outcome = "5xx" if response.status >= 500 else "other"
                    detail = "HTTP %d" % response.status
                if kind == "one-shot" or response.will_close:
                    conn.close()
                    conn = None
            except Exception as e:  # noqa: BLE001 - every failure is an outcome
                outcome, detail = classify(e), "%s: %s" % (type(e).__name__, e)
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.results.append(Result(start, wall, kind, reused, outcome, detail, time.monotonic() - start))
        if conn is not None:
            conn.close()


def classify(error):
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(error, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, http.client.BadStatusLine,
                          http.client.IncompleteRead)):  # RemoteDisconnected is both a reset and a BadStatusLine
        return "reset"
    return "other"


# -- Baton from a private copy ---------------------------------------------------------------------------------

def private_copy(launcher, folder, attempts=30):
    """Copies the distribution the launcher belongs to into folder; answers the copy's launcher. A build that
    rewrites the distribution meanwhile makes it wait 10 s and copy again. A class-data sharing archive only serves
    the class path it was dumped with: they are dumped again in the copy."""
    home = os.path.dirname(os.path.dirname(os.path.realpath(launcher)))
    target = os.path.join(folder, "baton")
    copy = os.path.join(target, "bin", "baton")
    for _ in range(attempts):
        shutil.rmtree(target, ignore_errors=True)
        before = tree_state(home)
        try:
            shutil.copytree(home, target, symlinks=True)
        except (OSError, shutil.Error) as e:
            problem = str(e)[:200]
        else:
            problem = None if before is not None and tree_state(home) == before and os.access(copy, os.X_OK) \
                else "changed while copied"
        if problem is None:
            break
        print("%s is being rebuilt (%s); copying again in 10 s" % (home, problem), file=sys.stderr)
        time.sleep(10)
    else:
        raise RuntimeError("cannot copy a stable %s" % home)
    if glob.glob(os.path.join(target, "lib", "*.jsa")):
        dump = subprocess.run([copy, "--dump-archives"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=600)
        if dump.returncode != 0:
            print("warning: cannot dump the class-data sharing archives for the copy, Baton runs without them:\n"
                  + dump.stdout + dump.stderr, file=sys.stderr)
    return copy


def tree_state(folder):
    """(path, size, mtime) of every file under folder, or None when it cannot be read whole."""
    state = []
    try:
        for base, dirs, files in os.walk(folder):
            for name in sorted(files):
                st = os.lstat(os.path.join(base, name))
                state.append((os.path.join(base, name), st.st_size, st.st_mtime_ns))
    except OSError:
        return None
    return sorted(state)


def pids_mentioning(text):
    """Processes (not this one) whose command line contains text."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def kill_leftovers(text):
    """SIGTERM, then SIGKILL after 10 s, to every process whose command line mentions text (a private folder)."""
    pids = pids_mentioning(text)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while pids and time.monotonic() < deadline:
        time.sleep(0.1)
        pids = [p for p in pids if os.path.exists("/proc/%d" % p) and not zombie(p)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return pids


def zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class Daemon:
    """Baton on its own configuration in folder: 4 gunicorn workers of reload_app behind its proxy on port."""

    def __init__(self, launcher, folder, port):
        self.launcher, self.folder, self.port = launcher, folder, port
        app_dir = os.path.join(folder, "app")
        os.makedirs(app_dir)
        shutil.copy(os.path.join(common.BENCH, "reload_app.py"), app_dir)
        with open(os.path.join(app_dir, "VERSION"), "w") as f:
            f.write("1\n")
        self.config = os.path.join(folder, "baton.toml")
        self.socket = os.path.join(folder, "baton.sock")
        self.log = os.path.join(folder, "baton.log")
        with open(self.config, "w") as f:
            f.write('[baton]\nsocket = "baton.sock"\n\n' + common.baton_program(
                "web", common.gunicorn_command("reload_app:app", app_dir, extra=("--keep-alive", "2")), WORKERS,
                listen="127.0.0.1:%d" % port, health_check="/healthz"))
        self.procs = []

    def start(self):
        """`baton run` in the foreground, its output (and that of the daemons it upgrades to) in baton.log."""
        self.procs.append(common.spawn([self.launcher, "run", "-c", self.config], log=self.log, cwd=self.folder))
        return self.procs[-1]

    def status(self):
        conn = common.UnixHTTPConnection(self.socket, timeout=5)
        try:
            conn.request("GET", "/v1/status")
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def ready(self):
        """The daemon's pid once every worker is RUNNING and its backend HEALTHY, else None."""
        status = self.status()
        workers = status["workers"]
        if len(workers) == WORKERS and all(w["state"] == "RUNNING" and w.get("backend") == "HEALTHY"
                                           for w in workers):
            return status["daemon"]["pid"]
        return None

    def wait_ready(self, timeout=120):
        def check():
            if self.procs and all(p.poll() is not None for p in self.procs) and not os.path.exists(self.socket):
                raise RuntimeError("baton exited, see %s" % self.log)
            return self.ready()
        return common.wait_for("Baton's %d workers RUNNING and HEALTHY" % WORKERS, check, timeout, interval=0.02)

    def cli(self, *args, timeout=300):
        return subprocess.run([self.launcher] + list(args) + ["-c", self.config], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, cwd=self.folder)

    def upgrade(self, timeout=300):
        """`baton upgrade`, reaping the old daemon (our child) meanwhile: the command waits until the old pid is
        gone, and a zombie counts as alive for it (ProcessHandle.isAlive), so it would wait for us forever."""
        output = os.path.join(self.folder, "upgrade.out")
        with open(output, "wb") as out:
            cli = subprocess.Popen([self.launcher, "upgrade", "-c", self.config], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + timeout
        try:
            while cli.poll() is None:
                for proc in self.procs:
                    proc.poll()
                if time.monotonic() > deadline:
                    raise TimeoutError("`baton upgrade` did not return within %d s" % timeout)
                time.sleep(0.01)
        finally:
            if cli.poll() is None:
                cli.kill()
                cli.wait()
        with open(output, errors="replace") as f:
            return cli.returncode, f.read().strip()

    def restart(self):
        """`baton shutdown`, then `baton run` once the old process is gone, then until every worker serves."""
        old = self.procs[-1]
        done = self.cli("shutdown", timeout=120)
        if done.returncode != 0:
            raise RuntimeError("baton shutdown exited %d: %s" % (done.returncode, done.stdout + done.stderr))
        old.wait(timeout=60)
        self.start()
        self.wait_ready()
        return 0, ""

    def stop(self):
        """`baton shutdown` (the daemon may have another pid after an upgrade), then whatever is left."""
        with contextlib.suppress(Exception):
            self.status()
            self.cli("shutdown", timeout=60)
        for proc in self.procs:
            with contextlib.suppress(Exception):
                common.stop(proc, timeout=10)
        left = kill_leftovers(self.folder)
        if left:
            print("killed leftover processes %s" % left, file=sys.stderr)


# -- one run ---------------------------------------------------------------------------------------------------

def one_run(launcher, setup, method, rate, keep_logs=None):
    """Starts Baton (and nginx), loads it, replaces the daemon; answers a dict of what happened."""
    with common.scratch_dir("baton-upgrade-bench-") as tmp:
        baton_port, nginx_port = common.free_ports(2)
        daemon = Daemon(launcher, os.path.join(tmp, "baton"), baton_port)
        nginx, load, row = None, None, {"setup": setup, "method": method, "rc": 0, "output": ""}
        try:
            daemon.start()
            first_pid = daemon.wait_ready()
            port = baton_port
            if setup == "nginx":
                nginx = common.start_nginx(os.path.join(tmp, "nginx"), [baton_port], nginx_port)
                port = nginx_port
            common.wait_for("a 200 on port %d" % port, lambda: common.http_get(port)[0] == 200)
            load = Load(port, rate)
            load.start()
            time.sleep(SETTLE)
            began, began_wall = time.monotonic(), time.time()
            row["rc"], row["output"] = daemon.upgrade() if method == "upgrade" else daemon.restart()
            ended = time.monotonic()
            time.sleep(SETTLE)
            load.stop()
            if method == "upgrade":
                try:
                    pid = daemon.wait_ready(timeout=30)
                    row["note"] = "" if pid != first_pid else "same daemon pid after the upgrade"
                except (TimeoutError, RuntimeError) as e:
                    row["note"] = "after the upgrade: %s" % e
        finally:
            if load:
                load.stop()
            if nginx:
                common.stop(nginx)
            daemon.stop()
            if keep_logs:
                keep(tmp, keep_logs, "%s-%s-%s" % (setup, method, time.strftime("%H%M%S")))
            logs = read_logs(tmp)
        results = load.results
    failures = [r for r in results if r.outcome != "ok"]
    row.update(requests=len(results), failed=len(failures), duration=ended - began, began_wall=began_wall,
               failures=failures, logs=logs, rate=len(results) / max(1e-9, results[-1].start - results[0].start)
               if len(results) > 1 else 0.0)
    for outcome in OUTCOMES:
        row[outcome] = sum(1 for r in failures if r.outcome == outcome)
    return row


def keep(tmp, dest, name):
    target = os.path.join(dest, name)
    os.makedirs(target, exist_ok=True)
    for path in ("baton/baton.log", "nginx/nginx-error.log"):
        if os.path.exists(os.path.join(tmp, path)):
            shutil.copy(os.path.join(tmp, path), target)


def read_logs(tmp):
    logs = {}
    for name, path in (("baton", "baton/baton.log"), ("nginx", "nginx/nginx-error.log")):
        with contextlib.suppress(OSError):
            with open(os.path.join(tmp, path), errors="replace") as f:
                logs[name] = f.read().splitlines()
    return logs


# -- report ----------------------------------------------------------------------------------------------------

def spread(values, fmt):
    if not values:
        return "-"
    return ("%s (%s-%s)" % (fmt, fmt, fmt)) % (statistics.median(values), min(values), max(values))


def log_time(line):
    """Seconds since the epoch of a Baton log line (UTC ISO) or an nginx error log line (local time), or None."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z ", line)
    if match:
        return datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    match = re.match(r"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) ", line)
    if match:
        return time.mktime(time.strptime(match.group(1), "%Y/%m/%d %H:%M:%S")) + 0.5
    return None


def failure_details(row, log_lines=True):
    """Markdown lines: the failures of a run grouped, and for an upgrade the log lines around them."""
    groups = collections.OrderedDict()
    for r in sorted(row["failures"], key=lambda r: r.wall):
        key = (r.kind, "reused connection" if r.reused else "new connection", r.outcome, r.detail)
        offset = r.wall - row["began_wall"]
        first, last, n = groups.get(key, (offset, offset, 0))
        groups[key] = (first, offset, n + 1)
    lines = ["- %d × %s client, %s: %s (%s), at %+.2f..%+.2f s from the operation's start"
             % (n, kind, reuse, outcome, detail, first, last)
             for (kind, reuse, outcome, detail), (first, last, n) in groups.items()]
    if log_lines and row["failures"]:
        lo = min(r.wall for r in row["failures"]) - 0.5
        hi = max(r.wall for r in row["failures"]) + 0.5
        for name, entries in sorted(row["logs"].items()):
            near = [l for l in entries if (log_time(l) or 0) and lo - 0.5 <= log_time(l) <= hi + 0.5]
            if near:
                lines.append("\n  %s log from 1 s before the first failure to 1 s after the last:\n\n```\n%s\n```"
                             % (name, "\n".join(near[:80] + (["... %d more" % (len(near) - 80)] if len(near) > 80
                                                              else []))))
    return lines


def cells(rows):
    """{(setup, method): [its runs' rows]}, in the order the runs came."""
    grouped = collections.OrderedDict()
    for row in rows:
        grouped.setdefault((row["setup"], row["method"]), []).append(row)
    return grouped


def main_table(rows):
    """The Markdown table of failed requests and durations, one line per (setup, method)."""
    table_rows = []
    for (setup, method), runs in cells(rows).items():
        failed = [r["failed"] for r in runs]
        durations = [r["duration"] for r in runs]
        kinds = " / ".join(str(sum(r[o] for r in runs)) for o in ("refused", "reset", "5xx", "timeout"))
        others = sum(r["other"] for r in runs)
        notes = ["`baton %s` exit %d" % (method, r["rc"]) for r in runs if r["rc"]]
        notes += [r["note"] for r in runs if r.get("note")]
        table_rows.append([setup, "`baton upgrade`" if method == "upgrade" else "`baton shutdown` + `baton run`",
                           spread(failed, "%g"), kinds + (" (+%d other)" % others if others else ""),
                           spread(durations, "%.1f"), spread([r["requests"] for r in runs], "%g"),
                           "; ".join(notes) or "-"])
    return common.table(["setup", "method", "failed requests (median, min-max)",
                         "of which refused / reset / 5xx / timeout (all runs)", "duration s (median, min-max)",
                         "requests per run", "notes"], table_rows)


def report(rows, rate, repeat, before, started):
    """The standalone script's whole output: the main table, failures by client kind, run by run."""
    split_rows = []
    for (setup, method), runs in cells(rows).items():
        by_kind = []
        for kind in ("keep-alive", "one-shot"):
            for reused in ((False, True) if kind == "keep-alive" else (False,)):
                by_kind.append(str(sum(1 for r in runs for f in r["failures"]
                                       if f.kind == kind and f.reused == reused)))
        split_rows.append([setup, method] + by_kind)
    out = ["## Replacing Baton's daemon under load: `baton upgrade` versus shutdown + run", "",
           "%d GETs/s from 16 threads (8 keep-alive, 8 one connection per request) on a fixed schedule; 4 gunicorn "
           "%s sync workers of `bench/reload_app.py` (about 1 s to import) behind Baton; `direct`: clients on Baton's "
           "proxy, `nginx`: clients on nginx (%s) proxying to Baton over a keep-alive pool, default retries. The "
           "operation starts after %g s of load, the load goes on %g s after it ended; every request of the run "
           "counts. Duration: until `baton upgrade` returned (the old daemon gone), or from `baton shutdown` until "
           "every worker is RUNNING and HEALTHY again. %d run%s per cell, median (min-max)."
           % (rate, gunicorn_version(), common.version_line([common.tool_path("nginx"), "-v"]).split("/")[-1],
              SETTLE, SETTLE, repeat, "s" if repeat > 1 else ""), "",
           "Load average at the start: %.2f, %.2f, %.2f (1, 5, 15 min)" % before, "",
           main_table(rows), "",
           "Failed requests by client kind (all runs):", "",
           common.table(["setup", "method", "keep-alive, new connection", "keep-alive, reused connection",
                         "one connection per request"], split_rows)]
    detailed = [(i, r) for i, r in enumerate(rows) if r["failures"]]
    if detailed:
        out += ["", "Failures, run by run:"]
        for i, r in detailed:
            out += ["", "%s / %s, run %d: %d failed of %d" % (r["setup"], r["method"], sum(
                1 for x in rows[:i] if (x["setup"], x["method"]) == (r["setup"], r["method"])) + 1, r["failed"],
                r["requests"])]
            out += failure_details(r, log_lines=r["method"] == "upgrade")
    out += ["", "Load average at the end: %.2f, %.2f, %.2f (1, 5, 15 min); %.0f s in all."
            % (os.getloadavg() + (time.monotonic() - started,))]
    return "\n".join(out)


def gunicorn_version():
    return common.version_line([common.GUNICORN, "--version"]).split()[-1].rstrip(")")


# -- measure, run (bench/run.py's section), main ---------------------------------------------------------------

def measure(baton, rate, repeat, setups=SETUPS, methods=METHODS, logs=None):
    """Copies the distribution of the launcher baton, then runs every (setup, method) cell repeat times (each cell
    once per round); answers one_run()'s rows, prints a line per run on stderr. Stops everything it started and
    removes the copy on any exit."""
    unknown = [s for s in setups if s not in SETUPS] + [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError("unknown setups or methods: %s" % ", ".join(unknown))
    if not os.access(baton, os.X_OK):
        raise RuntimeError("no Baton launcher at %s: build Baton first (mvn -q package -DskipTests)" % baton)
    dist, rows = None, []
    try:
        dist = tempfile.mkdtemp(prefix="upgrade-bench-dist-")
        launcher = private_copy(baton, dist)
        print("Baton copied to %s" % os.path.dirname(os.path.dirname(launcher)), file=sys.stderr)
        for n in range(repeat):
            for setup in setups:
                for method in methods:
                    row = one_run(launcher, setup, method, rate, logs)
                    rows.append(row)
                    print("%s / %s run %d: %d failed of %d (%.0f/s), %.1f s%s" % (
                        setup, method, n + 1, row["failed"], row["requests"], row["rate"], row["duration"],
                        ", exit %d: %s" % (row["rc"], row["output"]) if row["rc"] else ""),
                        file=sys.stderr, flush=True)
    finally:
        common.stop_all()
        if dist:
            left = kill_leftovers(dist)
            if left:
                print("killed leftover processes %s" % left, file=sys.stderr)
            shutil.rmtree(dist, ignore_errors=True)
    return rows


def run(rate=100, repeat=3, setups=SETUPS, methods=METHODS):
    """bench/run.py's section: the main table, and per setup a summary line of the median failed requests,
    `baton upgrade` / `baton shutdown` + `baton run`."""
    rows = measure(common.BATON, rate, repeat, setups, methods)
    report = common.Report(
        "Replacing Baton itself: `baton upgrade` versus shutdown + run",
        "4 gunicorn %s sync workers of `bench/reload_app.py` (about 1 s to import) behind Baton's proxy, %d GETs/s "
        "on a fixed schedule from 16 clients (8 keep-alive, 8 one connection per request), on Baton's proxy "
        "(`direct`) or on nginx proxying to it over a keep-alive pool (`nginx`); the daemon is replaced by `baton "
        "upgrade` (the new daemon takes over the listening sockets and starts its own workers, the old one drains "
        "and exits) or by `baton shutdown` then `baton run`. Every request from %g s before the operation to %g s "
        "after it counts; the duration runs until `baton upgrade` returns (the old daemon gone), or from `baton "
        "shutdown` until every worker is RUNNING and HEALTHY again; %d run%s per cell, each on a fresh daemon, "
        "median (min-max)."
        % (gunicorn_version(), rate, SETTLE, SETTLE, repeat, "s" if repeat > 1 else ""))
    report.add(main_table(rows))
    grouped = cells(rows)
    for setup in setups:
        if (setup, "upgrade") in grouped and (setup, "restart") in grouped:
            upgrade, restart = (statistics.median(r["failed"] for r in grouped[(setup, m)])
                                for m in ("upgrade", "restart"))
            report.summary.append(("Baton replaced, %s: failed requests, `baton upgrade` / `shutdown` + `run`"
                                   % ("clients direct" if setup == "direct" else "behind nginx"),
                                   common.ratio(upgrade, restart), "%g" % upgrade, "%g" % restart))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=100, help="GETs per second, in total")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (setup, method) cell")
    parser.add_argument("--only", choices=METHODS, help="one method only")
    parser.add_argument("--setup", choices=SETUPS + ("both",), default="both")
    parser.add_argument("--baton", default=common.BATON, help="the launcher of the distribution to copy and run")
    parser.add_argument("--logs", help="copy each run's Baton and nginx logs into this folder")
    args = parser.parse_args()
    if not os.access(args.baton, os.X_OK):
        sys.exit("no Baton launcher at %s: build Baton first (mvn -q package -DskipTests)" % args.baton)
    for tool in ("gunicorn", "nginx"):
        if not common.have(tool):
            sys.exit("missing: %s" % tool)
    common.install_signal_handlers()
    started, before = time.monotonic(), os.getloadavg()
    setups = SETUPS if args.setup == "both" else (args.setup,)
    methods = (args.only,) if args.only else METHODS
    try:
        rows = measure(args.baton, args.rate, args.repeat, setups, methods, args.logs)
    except KeyboardInterrupt:
        sys.exit("interrupted: everything it started is stopped")
    print(report(rows, args.rate, args.repeat, before, started))


if __name__ == "__main__":
    sys.exit(main())
