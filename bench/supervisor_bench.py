#!/usr/bin/env python3
"""Baton vs supervisord on 8 workers: CLI status latency, daemon memory (idle, and Baton's after N proxied
requests), crash recovery.

    mvn -q package -DskipTests && python3 bench/supervisor_bench.py [--workers 8] [--requests 1000000]
        [--runs 30] [--kills 5] [--repeat 3] [--no-wait]

Both daemons run the same program, 8 workers of bench/fast_app.py; Baton also proxies them (`listen`), idle until
wrk sends it N requests at the end. Idle RSS, status latency and crash recovery are measured in 3 rounds, each on
two fresh daemons, the one first in everything alternating; the N requests go through the last round's Baton.
Installs supervisor, hyperfine and wrk with apt-get when missing. Prints Markdown tables; ratios are Baton /
supervisord measured in the same run, of the medians of the rounds. Everything runs on 127.0.0.1 and
unix sockets.
"""
import argparse
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import xmlrpc.client

import common
import quiet

APP = os.path.join(common.BENCH, "fast_app.py")


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        return common.UnixHTTPConnection(self.path)


class Baton:
    name = "Baton"

    def __init__(self, tmp, workers):
        self.port = common.free_port()
        self.daemon = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", common.command_line(common.PYTHON, APP, "--port", "{port}"), workers, startsecs=1,
            listen="127.0.0.1:%d" % self.port, health_check="/healthz", max_inflight=0))
        self.pid = self.daemon.pid

    def workers(self):
        try:
            return {w["name"]: (w["state"], w["pid"]) for w in self.daemon.workers()}
        except OSError:
            return {}

    def status_command(self):
        return common.command_line(common.BATON, "status", "-c", self.daemon.config)

    def stop(self):
        self.daemon.stop()


class Supervisord:
    name = "supervisord"

    def __init__(self, tmp, workers):
        folder = os.path.join(tmp, "supervisord")
        os.makedirs(folder)
        self.config = os.path.join(folder, "supervisord.conf")
        self.socket = os.path.join(folder, "supervisor.sock")
        with open(self.config, "w") as f:
            f.write("""[unix_http_server]
file=%(sock)s
[supervisord]
logfile=%(dir)s/supervisord.log
pidfile=%(dir)s/supervisord.pid
childlogdir=%(dir)s
nodaemon=true
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://%(sock)s
[program:web]
command=%(command)s
process_name=%%(program_name)s_%%(process_num)d
numprocs=%(n)d
numprocs_start=%(base)d
startsecs=1
environment=PYTHONUNBUFFERED="1"
""" % {"sock": self.socket, "dir": folder, "n": workers, "base": free_port_block(workers),
                "command": common.command_line(common.PYTHON, APP, "--port", "%(process_num)d")})
        self.proc = common.spawn(["supervisord", "-c", self.config])
        self.pid = self.proc.pid

    def workers(self):
        try:
            rpc = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(self.socket))
            return {p["group"] + ":" + p["name"]: (p["statename"], p["pid"])
                    for p in rpc.supervisor.getAllProcessInfo()}
        except (OSError, xmlrpc.client.Error):
            return {}

    def status_command(self):
        return common.command_line("supervisorctl", "-c", self.config, "status")

    def stop(self):
        common.stop(self.proc, timeout=60)


def free_port_block(n):
    """A first port of n free ports in a row: supervisord numbers its processes' ports from it."""
    for base in range(20000, 60000, 100):
        ok = True
        for port in range(base, base + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no block of %d free ports" % n)


def all_running(daemon, n):
    states = daemon.workers()
    return len(states) == n and all(state == "RUNNING" for state, _ in states.values())


def recovery_ms(daemon, kills):
    """kill -9 a worker (a different one each time: a first crash, before any backoff), time until the daemon
    reports a new pid RUNNING (startsecs = 1 for both); the median."""
    times = []
    for i in range(kills):
        workers = sorted(daemon.workers().items())
        name, (_, pid) = workers[i % len(workers)]
        start = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        common.wait_for(name + " back", lambda: restarted(daemon.workers().get(name), pid), interval=0.01)
        times.append((time.monotonic() - start) * 1000)
        time.sleep(0.5)
    return statistics.median(times)


def restarted(worker, old_pid):
    """True when one snapshot of a worker shows it RUNNING as a new process."""
    return worker is not None and worker[0] == "RUNNING" and worker[1] != old_pid


def settled_rss(pid, window=5, spread=0.5, timeout=60.0):
    """The process's RSS (MiB) once it stops moving: the last of `window` 1 s readings within `spread` MiB."""
    readings = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readings.append(common.memory_mib(pid))
        last = readings[-window:]
        if len(last) == window and max(last) - min(last) <= spread:
            break
        time.sleep(1.0)
    return readings[-1]


def hyperfine(commands, out, runs):
    """[{median, mean, stddev, min, max, times} in ms] per command: hyperfine without a shell, after 3 warm-up
    runs."""
    for command in commands:  # a failing command would be timed as fast as its error
        done = subprocess.run(command, shell=True, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (command, done.returncode, (done.stdout + done.stderr).strip()))
    subprocess.run(["hyperfine", "--warmup", "3", "--runs", str(runs), "-N", "--export-json", out] + commands,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return [dict({k: r[k] * 1000 for k in ("median", "mean", "stddev", "min", "max")},
                     times=[t * 1000 for t in r["times"]]) for r in json.load(f)["results"]]


def proxy_requests(port, total, connections=32):
    """Sends at least total requests through wrk in runs of at most 5 s, each as long as the last one's rate says
    is left; answers (requests, req/s, errors)."""
    done, errors, seconds, elapsed = 0, 0, 1, 0.0
    while done < total:
        result = common.wrk("http://127.0.0.1:%d/" % port, connections, seconds)
        done, errors, elapsed = done + result.requests, errors + result.errors, elapsed + seconds
        seconds = max(1, min(5, math.ceil((total - done) / max(1.0, result.rps))))
    return done, done / elapsed, errors


def one_round(tmp, workers, runs, kills, first, after=None):
    """Starts Baton and supervisord on the same program, `first` (0: Baton, 1: supervisord) first in everything;
    answers [Baton's, supervisord's] {rss, cli, recovery} once idle, after `after(baton)` if given, with both
    stopped."""
    daemons = []
    try:
        for cls in (Baton, Supervisord)[first:] + (Baton, Supervisord)[:first]:
            daemons.append(cls(tmp, workers))
        for d in daemons:
            common.wait_for(d.name + " workers RUNNING", lambda d=d: all_running(d, workers))
        baton = next(d for d in daemons if d.name == "Baton")
        baton.daemon.wait_healthy("web", workers)
        rss = [settled_rss(d.pid) for d in daemons]
        cli = hyperfine([d.status_command() for d in daemons], os.path.join(tmp, "hyperfine.json"), runs)
        recovery = [recovery_ms(d, kills) for d in daemons]
        figures = [{"rss": r, "cli": c, "recovery": k} for r, c, k in zip(rss, cli, recovery)]
        if after:
            baton.daemon.wait_healthy("web", workers)
            after(baton)
        return figures if first == 0 else figures[::-1]
    finally:
        for d in reversed(daemons):
            d.stop()


def run(workers=8, requests=1_000_000, runs=30, kills=5, repeat=3):
    report = common.Report(
        "CLI latency and daemon memory: Baton vs supervisord",
        "The same program under Baton and under supervisord %s: %d workers of `bench/fast_app.py`, "
        "`startsecs = 1`; Baton also proxies them (`listen`, health checks every 2 s), idle until the end. "
        "`status` is timed with hyperfine (`-N`, 3 warm-up runs, %d runs) side by side; RSS is the daemon "
        "process's (`VmRSS`; peak: `VmHWM`) once idle: read every second after every worker is RUNNING until "
        "5 readings in a row are within 0.5 MiB (at most 60 s; a JVM still compiles and trims for a few "
        "seconds after it starts). Crash recovery: `kill -9` of a worker until the daemon reports a new one "
        "RUNNING, median of %d. %sThen wrk sends %s requests through Baton (`-t2 -c32`, keep-alive) and Baton's "
        "RSS is read again. The daemon runs with the launcher's default flags (`BATON_DAEMON_OPTS`, see README)."
        % (common.version_line(["supervisord", "--version"]), workers, runs, kills,
           "All of it %d times, each on two fresh daemons, the one started, read and timed first alternating; each "
           "figure is the median of the rounds (min-max), ratios are of medians; mean ± σ, min and max are of "
           "every `status` run. " % repeat if repeat > 1 else "",
           "{:,}".format(requests)))
    rounds, last = [], {}

    def proxied(baton):
        last["sent"], last["rps"], last["errors"] = proxy_requests(baton.port, requests)
        last["rss"], last["peak"] = common.memory_mib(baton.pid), common.memory_mib(baton.pid, "VmHWM")

    for n in range(repeat):
        with common.scratch_dir("baton-supervisor-bench-") as tmp:
            rounds.append(one_round(tmp, workers, runs, kills, n % 2, proxied if n == repeat - 1 else None))
        print("  round %d/%d: idle RSS %.1f / %.1f MiB, status median %.0f / %.0f ms (Baton / supervisord)"
              % ((n + 1, repeat) + tuple(r["rss"] for r in rounds[-1])
                 + tuple(r["cli"]["median"] for r in rounds[-1])), file=sys.stderr, flush=True)
    baton, supervisord = ([r[i] for r in rounds] for i in (0, 1))
    medians = [[r["cli"]["median"] for r in runs_of] for runs_of in (baton, supervisord)]
    times = [[t for r in runs_of for t in r["cli"]["times"]] for runs_of in (baton, supervisord)]
    rss = [[r["rss"] for r in runs_of] for runs_of in (baton, supervisord)]
    recovery = [[r["recovery"] for r in runs_of] for runs_of in (baton, supervisord)]
    report.add(common.table(
        ["command", "median (ms)", "mean ± σ (ms)", "min (ms)", "max (ms)"],
        [[name, common.spread(m, "%.1f"), mean_sd(t, "%.1f"), "%.1f" % min(t), "%.1f" % max(t)]
         for name, m, t in zip(("`baton status`", "`supervisorctl status`"), medians, times)]
        + [["Baton / supervisorctl", ratio_of_medians(*medians),
            common.ratio(statistics.mean(times[0]), statistics.mean(times[1])), "", ""]]))
    sent = "{:,}".format(last["sent"])
    report.add(common.table(
        ["metric", "Baton", "supervisord", "Baton / supervisord"],
        [["daemon RSS, %d workers, idle (MiB)" % workers, common.spread(rss[0], "%.1f"),
          common.spread(rss[1], "%.1f"), ratio_of_medians(*rss)],
         ["daemon RSS after %s proxied requests (MiB)" % sent, "%.1f" % last["rss"], "-", "-"],
         ["daemon peak RSS, VmHWM (MiB)", "%.1f" % last["peak"], "-", "-"],
         ["kill -9 to RUNNING again, median of %d%s (ms)" % (kills, " a round" if repeat > 1 else ""),
          common.spread(recovery[0]),
          common.spread(recovery[1]), ratio_of_medians(*recovery)]]))
    report.add("The %s requests went through Baton at %.0f requests/s, %d errors, in the last round."
               % (sent, last["rps"], last["errors"]))
    report.summary += [
        ("`status` latency, median: Baton / supervisorctl", ratio_of_medians(*medians),
         common.spread(medians[0]) + " ms", common.spread(medians[1]) + " ms"),
        ("`status` latency, mean ± σ: Baton / supervisorctl",
         common.ratio(statistics.mean(times[0]), statistics.mean(times[1])), mean_sd(times[0]) + " ms",
         mean_sd(times[1]) + " ms"),
        ("Daemon RSS, %d workers, idle: Baton / supervisord" % workers, ratio_of_medians(*rss),
         common.spread(rss[0], "%.1f") + " MiB", common.spread(rss[1], "%.1f") + " MiB"),
        ("Baton daemon RSS after %s proxied requests (no peer)" % sent, "-", "%.1f MiB" % last["rss"], "-")]
    return report


def ratio_of_medians(ours, theirs):
    return common.ratio(common.median(ours), common.median(theirs))


def mean_sd(values, fmt="%.0f"):
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return ("%s ± %s" % (fmt, fmt)) % (statistics.mean(values), sd)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests proxied before the last RSS")
    parser.add_argument("--runs", type=int, default=30, help="hyperfine runs of each status command")
    parser.add_argument("--kills", type=int, default=5, help="workers killed per daemon and round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each on two fresh daemons")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("supervisord", "supervisorctl", "hyperfine", "wrk")
    common.run_and_print(lambda: run(args.workers, args.requests, args.runs, args.kills, args.repeat), args)


if __name__ == "__main__":
    sys.exit(main())
