#!/usr/bin/env python3
"""Failed requests and latency while deploys restart 4 gunicorn workers, at a steady request rate.

    mvn -q package -DskipTests && python3 bench/reload_bench.py [--rate 200] [--reloads 3] [--good | --broken]
        [--broken-wait 10] [--only baton|supervisord|gunicorn]

The app (bench/reload_app.py) takes about 1 s to import and reads its version from a file, like a real
deploy. Each system runs 4 single-worker gunicorn processes (or one master with 4 workers) and gets the same
load; each deploy writes a new version, then:
  Baton           `baton reload`, behind Baton's own proxy
  supervisord     rolling `supervisorctl restart web:web_N`, behind nginx round robin
  gunicorn HUP    `kill -HUP` to the master of 4 workers, behind nginx
A deploy ends when every request sees the new version (or, for Baton, when `baton reload` returns, old
workers stopped). Then a single deploy writes a version that fails at import, and the table tells whether the
old version still answers 10 s later (--good or --broken runs only one of the two). Installs gunicorn,
supervisor and nginx with apt-get when missing. Prints Markdown tables; everything stays on 127.0.0.1.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import common
import quiet

WORKERS = 4


def version_at(port):
    """The version that answers GET /, or "HTTP <status>" when the answer is an error."""
    status, body = common.http_get(port, "/")
    if status != 200:
        return "HTTP %d" % status
    return json.loads(body)["version"]


class Load:
    """Threads sending GETs on keep-alive connections at a fixed total rate; records every outcome."""

    def __init__(self, port, rate, threads=8):
        self.port, self.interval, self.threads = port, threads / float(rate), threads
        self.results = []  # (start, latency_s, ok, version)
        self.lock = threading.Lock()
        self.running = True
        self.workers = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def start(self):
        for w in self.workers:
            w.start()

    def stop(self):
        self.running = False
        for w in self.workers:
            w.join(timeout=10)

    def run(self):
        conn = None
        next_at = time.monotonic()
        while self.running:
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += self.interval
            start = time.monotonic()
            ok, version = False, None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/")
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200
                version = json.loads(body)["version"] if ok else None
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException, ValueError):
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.results.append((start, time.monotonic() - start, ok, version))


class Baton:
    name, short = "Baton (`baton reload`)", "Baton"
    waits = True  # `baton reload` returns once the new generation serves and the old one has stopped

    def __init__(self, tmp, app_dir):
        self.port = common.free_port()
        self.baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", common.gunicorn_command("reload_app:app", app_dir, extra=("--keep-alive", "2")), WORKERS,
            listen="127.0.0.1:%d" % self.port, health_check="/healthz", startsecs=2))

    def deploy(self):
        return self.baton.cli("reload").returncode

    def after_broken(self, exit_code):
        return "rolled back: `baton reload` exit %d" % exit_code if exit_code else "`baton reload` exit 0"

    def stop(self):
        self.baton.stop()


class Supervisord:
    name, short = "supervisord + nginx (rolling `supervisorctl restart`)", "supervisord + nginx"
    waits = False

    def __init__(self, tmp, app_dir):
        ports = common.free_ports(WORKERS + 1)
        self.port, backends = ports[0], ports[1:]
        self.config = os.path.join(tmp, "supervisord.conf")
        programs = "".join(
            "[program:web_%d]\ncommand=%s\ndirectory=%s\nstartsecs=2\nstopasgroup=true\nkillasgroup=true\n"
            % (i, common.gunicorn_command("reload_app:app", app_dir, "127.0.0.1:%d" % p), app_dir)
            for i, p in enumerate(backends))
        with open(self.config, "w") as f:
            f.write("[unix_http_server]\nfile=%s/supervisor.sock\n[supervisord]\nlogfile=%s/supervisord.log\n"
                    "pidfile=%s/supervisord.pid\nchildlogdir=%s\nnodaemon=true\n[rpcinterface:supervisor]\n"
                    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
                    "[supervisorctl]\nserverurl=unix://%s/supervisor.sock\n[group:web]\nprograms=%s\n%s"
                    % (tmp, tmp, tmp, tmp, tmp, ",".join("web_%d" % i for i in range(WORKERS)), programs))
        self.proc = common.spawn(["supervisord", "-c", self.config])
        self.nginx = common.start_nginx(os.path.join(tmp, "nginx"), backends, self.port)

    def deploy(self):
        for i in range(WORKERS):
            self.ctl("restart", "web:web_%d" % i)

    def after_broken(self, _):
        down = sum(1 for line in self.ctl("status").splitlines() if line.strip() and "RUNNING" not in line)
        return "%d of %d programs not RUNNING" % (down, WORKERS)

    def ctl(self, *args):
        return subprocess.run(["supervisorctl", "-c", self.config] + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True).stdout

    def stop(self):
        common.stop(self.nginx)
        common.stop(self.proc, timeout=60)


class GunicornHup:
    name, short = "gunicorn HUP + nginx", "gunicorn HUP + nginx"
    waits = False

    def __init__(self, tmp, app_dir):
        self.port, backend = common.free_ports(2)
        self.proc = common.spawn([common.GUNICORN, "reload_app:app", "--bind", "127.0.0.1:%d" % backend,
                                  "--workers", str(WORKERS), "--chdir", app_dir, "--log-level", "warning"],
                                 log=os.path.join(tmp, "gunicorn.log"))
        self.nginx = common.start_nginx(os.path.join(tmp, "nginx"), [backend], self.port)

    def deploy(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGHUP)  # the master only

    def after_broken(self, _):
        return "its master exited" if self.proc.poll() is not None else "its master runs"

    def stop(self):
        common.stop(self.nginx)
        common.stop(self.proc, timeout=60)


SYSTEMS = {"baton": Baton, "supervisord": Supervisord, "gunicorn": GunicornHup}


def scenario(system_class, rate, reloads, broken, broken_wait=10, settle=3):
    """Runs `reloads` good deploys (or one broken one) under load; answers one table row as a dict."""
    with common.scratch_dir("baton-reload-bench-") as tmp:
        app_dir = os.path.join(tmp, "app")
        os.makedirs(app_dir)
        shutil.copy(os.path.join(common.BENCH, "reload_app.py"), app_dir)
        with open(os.path.join(app_dir, "VERSION"), "w") as f:
            f.write("1\n")
        system = system_class(tmp, app_dir)
        load, windows, old_version_answers, note = None, [], None, ""
        try:
            common.wait_for(system.name + " serving", lambda: version_at(system.port) == "1")
            time.sleep(settle)  # every worker up
            load = Load(system.port, rate)
            load.start()
            time.sleep(settle)
            for n in range(1 if broken else reloads):
                version = "broken" if broken else str(n + 2)
                with open(os.path.join(app_dir, "VERSION"), "w") as f:
                    f.write(version + "\n")
                began = time.monotonic()
                outcome = system.deploy()
                returned = time.monotonic()
                if broken:
                    time.sleep(max(0.0, broken_wait - (time.monotonic() - began)))
                    try:
                        old_version_answers = version_at(system.port) == "1"
                    except (OSError, http.client.HTTPException, ValueError):
                        old_version_answers = False
                    note = system.after_broken(outcome)
                elif not system.waits:
                    try:
                        common.wait_for("version %s everywhere" % version,
                                        lambda: all(version_at(system.port) == version for _ in range(8)))
                    except TimeoutError:
                        pass
                windows.append((began, time.monotonic(), returned if broken else time.monotonic()))
                time.sleep(settle)
        finally:
            if load:
                load.stop()
            system.stop()
    during = [r for r in load.results if any(b <= r[0] <= e + 1 for b, e, _ in windows)]
    steady = [r for r in load.results if r[0] < windows[0][0]]
    durations = [d - b for b, _, d in windows]  # broken: until the deploy command returned
    failed_each = [sum(1 for r in during if not r[2] and b <= r[0] <= e + 1) for b, e, _ in windows]
    return {"name": system.name, "short": system.short, "deploys": len(windows), "requests": len(during),
            "failed": sum(1 for r in during if not r[2]), "failed_each": failed_each, "durations": durations,
            "duration": common.median(durations),
            "p99_before": common.percentile([r[1] * 1000 for r in steady if r[2]], 99),
            "p99_during": common.percentile([r[1] * 1000 for r in during], 99),
            "old_answers": old_version_answers, "note": note}


def good_table(rows):
    return common.table(
        ["system", "deploys", "requests during deploys", "failed", "failed per deploy", "failed %",
         "deploy duration (s)", "p99 before (ms)", "p99 during deploys (ms)"],
        [[r["name"], r["deploys"], r["requests"], r["failed"], common.spread(r["failed_each"], "%g"),
          "%.1f" % (100.0 * r["failed"] / max(1, r["requests"])), common.spread(r["durations"], "%.1f"),
          "%.1f" % r["p99_before"], "%.1f" % r["p99_during"]] for r in rows])


def broken_table(rows, broken_wait):
    return common.table(
        ["system", "requests during deploy", "failed", "failed %", "deploy duration (s)", "p99 before (ms)",
         "p99 during deploy (ms)", "old version answers after %d s" % broken_wait, "after the deploy"],
        [[r["name"], r["requests"], r["failed"], "%.1f" % (100.0 * r["failed"] / max(1, r["requests"])),
          "%.1f" % r["duration"], "%.1f" % r["p99_before"], "%.1f" % r["p99_during"],
          "yes" if r["old_answers"] else "no", r["note"]] for r in rows])


def run(rate=200, reloads=3, broken_wait=10, systems=tuple(SYSTEMS), good=True, broken=True):
    report = common.Report(
        "Deploys: failed requests and duration",
        "4 gunicorn %s sync workers of an app that takes about 1 s to import (`bench/reload_app.py`, its version "
        "read from a file at import), %d requests/s from 8 keep-alive clients on a fixed schedule; each deploy "
        "writes a new version, then: Baton runs `baton reload` (new generation first, switch once every new "
        "worker answers `/healthz`, drain, retire; a broken deploy is rolled back); supervisord %s restarts the "
        "4 programs one by one (`supervisorctl restart`) behind nginx round robin; gunicorn gets `kill -HUP` "
        "(one master, 4 workers) behind nginx. A deploy lasts until every request sees the new version (for "
        "Baton: until `baton reload` returns, the old workers stopped; for the broken deploy: until the deploy "
        "command returned); requests count as during a deploy from its start to 1 s after its end. Failed "
        "requests per deploy and durations are the median of the deploys (min-max), ratios of medians."
        % (version("gunicorn"), rate, version("supervisord")))
    chosen = [SYSTEMS[name] for name in systems]
    if good:
        rows = [scenario(cls, rate, reloads, False) for cls in chosen]
        report.add("%d good deploy%s in a row:\n\n%s" % (reloads, "s" if reloads > 1 else "", good_table(rows)))
        baton, peers = split(rows)
        for peer in peers:
            report.summary.append(("Failed requests per good deploy: Baton / %s" % peer["short"],
                                   common.ratio(common.median(baton["failed_each"]),
                                                common.median(peer["failed_each"])),
                                   common.spread(baton["failed_each"], "%g"),
                                   common.spread(peer["failed_each"], "%g")))
        for peer in peers:
            report.summary.append(("Good deploy duration: Baton / %s" % peer["short"],
                                   common.ratio(baton["duration"], peer["duration"]),
                                   common.spread(baton["durations"], "%.1f") + " s",
                                   common.spread(peer["durations"], "%.1f") + " s"))
    if broken:
        rows = [scenario(cls, rate, 1, True, broken_wait) for cls in chosen]
        report.add("One broken deploy (the new version raises at import):\n\n%s" % broken_table(rows, broken_wait))
        baton, peers = split(rows)
        for peer in peers:
            report.summary.append(("Failed requests in a broken deploy: Baton / %s" % peer["short"],
                                   common.ratio(baton["failed"], peer["failed"]), outcome(baton), outcome(peer)))
    return report


def split(rows):
    """(Baton's row, the other rows), or (None, []) when Baton did not run."""
    baton = next((r for r in rows if r["short"] == "Baton"), None)
    return baton, [r for r in rows if baton and r is not baton]


def outcome(row):
    return "%d failed, old version %s" % (row["failed"], "still serves" if row["old_answers"] else "down")


def version(tool):
    if tool == "gunicorn":
        return common.version_line([common.GUNICORN, "--version"]).split()[-1].rstrip(")")
    return common.version_line(["supervisord", "--version"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="requests per second, in total")
    parser.add_argument("--reloads", type=int, default=3, help="good deploys in a row")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--good", action="store_true", help="only the good deploys")
    which.add_argument("--broken", action="store_true", help="only the deploy of a version that fails at import")
    parser.add_argument("--broken-wait", type=int, default=10,
                        help="seconds after the broken deploy began to ask whether the old version answers")
    parser.add_argument("--only", choices=sorted(SYSTEMS), help="run one system only")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("gunicorn", "supervisord", "nginx")
    systems = [args.only] if args.only else list(SYSTEMS)
    common.run_and_print(lambda: run(args.rate, args.reloads, args.broken_wait, systems,
                                     good=not args.broken, broken=not args.good), args)


if __name__ == "__main__":
    sys.exit(main())
