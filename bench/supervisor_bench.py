#!/usr/bin/env python3
"""Baton vs supervisord on the same 8 demo workers: CLI status latency, daemon memory, crash recovery.

    mvn -q package -DskipTests && python3 bench/supervisor_bench.py [--workers 8] [--kills 5]

Needs supervisor and hyperfine (installed with apt-get when missing and run as root). Prints a Markdown table;
ratios are Baton / supervisord measured in the same run. Everything runs on 127.0.0.1 and unix sockets.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATON = os.path.join(ROOT, "packaging", "target", "baton", "bin", "baton")
DEMO = os.path.join(ROOT, "conf", "examples", "demo")


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        return UnixHTTPConnection(self.path)


def ensure_tools():
    missing = [pkg for tool, pkg in (("supervisord", "supervisor"), ("hyperfine", "hyperfine"))
               if shutil.which(tool) is None]
    if missing:
        if os.geteuid() != 0:
            sys.exit("missing: %s (apt-get install %s)" % (", ".join(missing), " ".join(missing)))
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True)
    if not os.access(BATON, os.X_OK):
        sys.exit("build Baton first: mvn -q package -DskipTests")


def wait_for(what, check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    sys.exit("timed out waiting for " + what)


class Baton:
    name = "Baton"

    def __init__(self, tmp, workers):
        self.dir = os.path.join(tmp, "baton")
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "baton.toml")
        with open(self.config, "w") as f:
            f.write('[baton]\nsocket = "baton.sock"\n\n[program.web]\n'
                    'command = "python3 %s/app.py --port {port}"\nnumprocs = %d\nstartsecs = 1\n' % (DEMO, workers))
        self.socket = os.path.join(self.dir, "baton.sock")
        self.proc = subprocess.Popen([BATON, "run", "-c", self.config], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "baton.log"), "w"))

    def workers(self):
        try:
            conn = UnixHTTPConnection(self.socket)
            conn.request("GET", "/v1/status")
            body = json.loads(conn.getresponse().read())
            return {w["name"]: (w["state"], w["pid"]) for w in body["workers"]}
        except OSError:
            return {}

    def status_command(self):
        return "%s status -c %s" % (BATON, self.config)

    def daemon_pid(self):
        return self.proc.pid  # bin/baton execs java: the launcher's pid is the JVM's

    def stop(self):
        subprocess.run([BATON, "shutdown", "-c", self.config], stdout=subprocess.DEVNULL)
        self.proc.wait(timeout=60)


class Supervisord:
    name = "supervisord"

    def __init__(self, tmp, workers):
        self.dir = os.path.join(tmp, "supervisord")
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "supervisord.conf")
        self.socket = os.path.join(self.dir, "supervisor.sock")
        base = free_port_block(workers)
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
command=python3 %(demo)s/app.py --port %%(process_num)d
process_name=%%(program_name)s_%%(process_num)d
numprocs=%(n)d
numprocs_start=%(base)d
startsecs=1
environment=PYTHONUNBUFFERED="1"
""" % {"sock": self.socket, "dir": self.dir, "demo": DEMO, "n": workers, "base": base})
        self.proc = subprocess.Popen(["supervisord", "-c", self.config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def workers(self):
        try:
            rpc = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(self.socket))
            return {p["group"] + ":" + p["name"]: (p["statename"], p["pid"])
                    for p in rpc.supervisor.getAllProcessInfo()}
        except (OSError, xmlrpc.client.Error):
            return {}

    def status_command(self):
        return "supervisorctl -c %s status" % self.config

    def daemon_pid(self):
        return self.proc.pid

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def free_port_block(n):
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
    sys.exit("no free port block")


def all_running(daemon, n):
    states = daemon.workers()
    return len(states) == n and all(state == "RUNNING" for state, _ in states.values())


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def recovery_ms(daemon, kills):
    """kill -9 a worker (a different one each time: a first crash, before any backoff), time until the daemon
    reports a new pid RUNNING (startsecs = 1 for both)."""
    times = []
    for i in range(kills):
        workers = sorted(daemon.workers().items())
        name, (_, pid) = workers[i % len(workers)]
        start = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        wait_for(name + " back", lambda: restarted(daemon.workers().get(name), pid))
        times.append((time.monotonic() - start) * 1000)
        time.sleep(0.5)
    return statistics.median(times)


def restarted(worker, old_pid):
    """True when one snapshot of a worker shows it RUNNING as a new process."""
    return worker is not None and worker[0] == "RUNNING" and worker[1] != old_pid


def hyperfine(commands, out):
    subprocess.run(["hyperfine", "--warmup", "3", "--runs", "30", "-N", "--ignore-failure", "--export-json", out]
                   + commands, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return [r["median"] * 1000 for r in json.load(f)["results"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    ensure_tools()
    tmp = tempfile.mkdtemp(prefix="baton-bench-")
    daemons = [Baton(tmp, args.workers), Supervisord(tmp, args.workers)]
    try:
        for d in daemons:
            wait_for(d.name + " workers RUNNING", lambda d=d: all_running(d, args.workers))
        time.sleep(2)
        rss = [rss_mib(d.daemon_pid()) for d in daemons]
        cli = hyperfine([d.status_command() for d in daemons], os.path.join(tmp, "hyperfine.json"))
        recovery = [recovery_ms(d, args.kills) for d in daemons]
    finally:
        for d in daemons:
            try:
                d.stop()
            except Exception as e:  # keep stopping the others
                print("stopping %s: %s" % (d.name, e), file=sys.stderr)
    print("%d demo workers (conf/examples/demo/app.py), %s, %d cores, %s" % (
        args.workers, time.strftime("%Y-%m-%d"), os.cpu_count(), os.uname().release))
    print()
    print("| metric | Baton | supervisord | Baton / supervisord |")
    print("|---|---|---|---|")
    rows = [("`status` wall time, median of 30 (ms)", cli), ("daemon RSS (MiB)", rss),
            ("kill -9 to RUNNING again, median of %d (ms)" % args.kills, recovery)]
    for label, (b, s) in rows:
        print("| %s | %.1f | %.1f | %.2f |" % (label, b, s, b / s))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
