#!/usr/bin/env python3
"""Failed requests and latency while deploys restart 4 gunicorn workers, at a steady request rate.

    mvn -q package -DskipTests && python3 bench/reload_bench.py [--rate 200] [--reloads 3] [--broken]

The app (bench/reload_app.py) takes about 1 s to import and reads its version from a file, like a real
deploy. Each system runs 4 single-worker gunicorn processes (or one master with 4 workers) and gets the same
load; each deploy writes a new version, then:
  Baton           `baton reload`, behind Baton's own proxy
  supervisord     rolling `supervisorctl restart web:web_N`, behind nginx round robin
  gunicorn HUP    `kill -HUP` to the master of 4 workers, behind nginx
A deploy ends when every request sees the new version (or, for Baton, when `baton reload` returns, old
workers stopped). With --broken a single deploy writes a version that fails at import, and the table tells
whether the old version still answers 10 s later. Installs gunicorn, supervisor and nginx with apt-get when
missing. Prints a Markdown table; everything stays on 127.0.0.1.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATON = os.path.join(ROOT, "packaging", "target", "baton", "bin", "baton")
WORKERS = 4


def ensure_tools():
    missing = [pkg for tool, pkg in (("gunicorn", "gunicorn"), ("supervisord", "supervisor"), ("nginx", "nginx"))
               if shutil.which(tool) is None]
    if missing:
        if os.geteuid() != 0:
            sys.exit("missing: %s (apt-get install %s)" % (", ".join(missing), " ".join(missing)))
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True)
    if not os.access(BATON, os.X_OK):
        sys.exit("build Baton first: mvn -q package -DskipTests")


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_for(what, check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise TimeoutError("timed out waiting for " + what)


def version_at(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    conn.request("GET", "/")
    return json.loads(conn.getresponse().read())["version"]


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


def p99(latencies):
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


class Baton:
    name = "Baton (`baton reload`)"

    def __init__(self, tmp, app_dir):
        self.port = free_ports(1)[0]
        self.config = os.path.join(tmp, "baton.toml")
        with open(self.config, "w") as f:
            f.write('[baton]\nsocket = "baton.sock"\n\n[program.web]\n'
                    'command = "gunicorn reload_app:app --bind 127.0.0.1:{port} --workers 1 --keep-alive 2"\n'
                    'directory = "%s"\nnumprocs = %d\nlisten = "127.0.0.1:%d"\nhealth_check = "/healthz"\n'
                    'startsecs = 2\n' % (app_dir, WORKERS, self.port))
        self.proc = subprocess.Popen([BATON, "run", "-c", self.config], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(tmp, "baton.log"), "w"))

    waits = True  # `baton reload` returns once the new generation serves and the old one has stopped

    def deploy(self):
        subprocess.run([BATON, "reload", "-c", self.config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        subprocess.run([BATON, "shutdown", "-c", self.config], stdout=subprocess.DEVNULL)
        self.proc.wait(timeout=60)


def nginx(tmp, backends, port):
    conf = os.path.join(tmp, "nginx.conf")
    servers = "\n".join("        server 127.0.0.1:%d;" % p for p in backends)
    with open(conf, "w") as f:
        f.write("worker_processes auto;\npid %s/nginx.pid;\nerror_log %s/nginx-error.log warn;\n"
                "events { worker_connections 4096; }\nhttp {\n    access_log off;\n"
                "    upstream workers {\n%s\n        keepalive 32;\n    }\n"
                "    server {\n        listen 127.0.0.1:%d;\n        location / {\n"
                "            proxy_pass http://workers;\n            proxy_http_version 1.1;\n"
                "            proxy_set_header Connection \"\";\n        }\n    }\n}\n"
                % (tmp, tmp, servers, port))
    return subprocess.Popen(["nginx", "-p", tmp, "-c", conf, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


class Supervisord:
    name = "supervisord + nginx (rolling `supervisorctl restart`)"
    waits = False

    def __init__(self, tmp, app_dir):
        ports = free_ports(WORKERS + 1)
        self.port, backends = ports[0], ports[1:]
        self.config = os.path.join(tmp, "supervisord.conf")
        programs = "".join(
            "[program:web_%d]\ncommand=gunicorn reload_app:app --bind 127.0.0.1:%d --workers 1\ndirectory=%s\n"
            "startsecs=2\nstopasgroup=true\nkillasgroup=true\n" % (i, p, app_dir) for i, p in enumerate(backends))
        with open(self.config, "w") as f:
            f.write("[unix_http_server]\nfile=%s/supervisor.sock\n[supervisord]\nlogfile=%s/supervisord.log\n"
                    "pidfile=%s/supervisord.pid\nchildlogdir=%s\nnodaemon=true\n[rpcinterface:supervisor]\n"
                    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
                    "[supervisorctl]\nserverurl=unix://%s/supervisor.sock\n[group:web]\nprograms=%s\n%s"
                    % (tmp, tmp, tmp, tmp, tmp, ",".join("web_%d" % i for i in range(WORKERS)), programs))
        self.proc = subprocess.Popen(["supervisord", "-c", self.config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.nginx = nginx(tmp, backends, self.port)

    def deploy(self):
        for i in range(WORKERS):
            subprocess.run(["supervisorctl", "-c", self.config, "restart", "web:web_%d" % i],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        self.nginx.terminate()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.nginx.wait(timeout=30)


class GunicornHup:
    name = "gunicorn HUP + nginx"
    waits = False

    def __init__(self, tmp, app_dir):
        self.port, backend = free_ports(2)
        self.proc = subprocess.Popen(["gunicorn", "reload_app:app", "--bind", "127.0.0.1:%d" % backend,
                                      "--workers", str(WORKERS), "--chdir", app_dir],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "gunicorn.log"), "w"))
        self.nginx = nginx(tmp, [backend], self.port)

    def deploy(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        self.nginx.terminate()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.nginx.wait(timeout=30)


def scenario(system_class, rate, reloads, broken):
    """Runs `reloads` deploys (one with --broken) under load; answers one table row."""
    tmp = tempfile.mkdtemp(prefix="baton-reload-bench-")
    app_dir = os.path.join(tmp, "app")
    os.makedirs(app_dir)
    shutil.copy(os.path.join(ROOT, "bench", "reload_app.py"), app_dir)
    with open(os.path.join(app_dir, "VERSION"), "w") as f:
        f.write("1\n")
    system = system_class(tmp, app_dir)
    windows = []
    old_version_answers = None
    try:
        wait_for(system.name + " serving", lambda: version_at(system.port) == "1")
        time.sleep(3)  # every worker up
        load = Load(system.port, rate)
        load.start()
        time.sleep(3)
        for n in range(1 if broken else reloads):
            version = "broken" if broken else str(n + 2)
            with open(os.path.join(app_dir, "VERSION"), "w") as f:
                f.write(version + "\n")
            began = time.monotonic()
            system.deploy()
            returned = time.monotonic()
            if broken:
                time.sleep(max(0.0, 10 - (time.monotonic() - began)))
                old_version_answers = version_at(system.port) == "1"
            elif not system.waits:
                try:
                    wait_for("version %s everywhere" % version,
                             lambda: all(version_at(system.port) == version for _ in range(8)))
                except TimeoutError:
                    pass
            windows.append((began, time.monotonic(), returned if broken else time.monotonic()))
            time.sleep(3)
        load.stop()
    finally:
        system.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    during = [r for r in load.results if any(b <= r[0] <= e + 1 for b, e, _ in windows)]
    steady = [r for r in load.results if r[0] < windows[0][0]]
    failed = sum(1 for r in during if not r[2])
    durations = [d - b for b, _, d in windows]  # broken: until the deploy command returned
    return (system.name, len(windows), len(during), failed, sum(durations) / len(durations),
            p99([r[1] for r in steady if r[2]]), p99([r[1] for r in during]), old_version_answers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="requests per second, in total")
    parser.add_argument("--reloads", type=int, default=3, help="deploys in a row (good deploys only)")
    parser.add_argument("--broken", action="store_true", help="deploy once a version that fails at import")
    args = parser.parse_args()
    ensure_tools()
    rows = [scenario(cls, args.rate, args.reloads, args.broken) for cls in (Baton, Supervisord, GunicornHup)]
    print("%s of 4 gunicorn workers (1 s import), %d req/s on keep-alive connections, %s, %d cores" % (
        "one broken deploy" if args.broken else "%d good deploys" % args.reloads, args.rate,
        time.strftime("%Y-%m-%d"), os.cpu_count()))
    print()
    print("| system | deploys | requests during deploys | failed | failed per deploy | failed %% | deploy duration (s)"
          " | p99 before (ms) | p99 during deploys (ms) |%s" % (" old version answers after 10 s |" if args.broken
                                                                 else ""))
    print("|---|---|---|---|---|---|---|---|---|%s" % ("---|" if args.broken else ""))
    for name, deploys, total, failed, duration, p99_steady, p99_during, old_answers in rows:
        print("| %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%s" % (
            name, deploys, total, failed, failed / deploys, 100.0 * failed / max(1, total), duration, p99_steady,
            p99_during, (" %s |" % ("yes" if old_answers else "no")) if args.broken else ""))


if __name__ == "__main__":
    main()
