#!/usr/bin/env python3
"""Proxy throughput and latency on the same 4 demo workers: direct to one worker, through Baton, through nginx.

    mvn -q package -DskipTests && python3 bench/proxy_bench.py [--workers 4] [--connections 32] [--seconds 10]

Baton starts the workers (conf/examples/demo/app.py); nginx (round robin, upstream keep-alive) is then pointed at
the very same worker ports, so both proxies serve the same processes in the same run. Needs nginx and wrk
(installed with apt-get when missing and run as root). Prints a Markdown table; everything stays on 127.0.0.1.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATON = os.path.join(ROOT, "packaging", "target", "baton", "bin", "baton")
DEMO = os.path.join(ROOT, "conf", "examples", "demo")


def ensure_tools():
    missing = [tool for tool in ("nginx", "wrk") if shutil.which(tool) is None]
    if missing:
        if os.geteuid() != 0:
            sys.exit("missing: %s (apt-get install %s)" % (", ".join(missing), " ".join(missing)))
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True)
    if not os.access(BATON, os.X_OK):
        sys.exit("build Baton first: mvn -q package -DskipTests")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("timed out waiting for " + what)


def answers(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return s.recv(64).startswith(b"HTTP/1.1 200")


def start_baton(tmp, workers, port, worker_logs):
    config = os.path.join(tmp, "baton.toml")
    with open(config, "w") as f:
        f.write('[baton]\nsocket = "baton.sock"\n\n[program.web]\n'
                'command = "python3 %s/app.py --port {port}"\nnumprocs = %d\n'
                'listen = "127.0.0.1:%d"\nhealth_check = "/healthz"\nmax_inflight = 0\n'
                'environment = { DEMO_ACCESS_LOG = "%s" }\n' % (DEMO, workers, port, "1" if worker_logs else "0"))
    proc = subprocess.Popen([BATON, "run", "-c", config], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(tmp, "baton.log"), "w"))

    def worker_ports():
        out = subprocess.run([BATON, "status", "--json", "-c", config], capture_output=True, text=True)
        if out.returncode != 0:
            return None
        workers_json = json.loads(out.stdout)["workers"]
        if all(w.get("backend") == "HEALTHY" for w in workers_json):
            return [w["port"] for w in workers_json]
        return None

    wait_for("Baton's workers healthy", worker_ports)
    return proc, config, worker_ports()


def start_nginx(tmp, backends, port):
    conf = os.path.join(tmp, "nginx.conf")
    servers = "\n".join("        server 127.0.0.1:%d;" % p for p in backends)
    with open(conf, "w") as f:
        f.write("""worker_processes auto;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    upstream workers {
%(servers)s
        keepalive 64;
    }
    server {
        listen 127.0.0.1:%(port)d;
        location / {
            proxy_pass http://workers;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }
    }
}
""" % {"tmp": tmp, "servers": servers, "port": port})
    proc = subprocess.Popen(["nginx", "-p", tmp, "-c", conf, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_for("nginx", lambda: answers(port))
    return proc


def cpu_ticks(pids):
    """User + system CPU of these processes (and their threads), in clock ticks."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wrk(url, connections, seconds, proxy_pids=()):
    before = cpu_ticks(proxy_pids)
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    ticks = cpu_ticks(proxy_pids) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = latency(re.search(r"^\s+50%\s+(\S+)$", out, re.M).group(1))
    p99 = latency(re.search(r"^\s+99%\s+(\S+)$", out, re.M).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    cpu_us = ticks * 1_000_000.0 / os.sysconf("SC_CLK_TCK") / max(1, requests) if proxy_pids else 0.0
    return rps, p50, p99, errors + (int(non2xx.group(1)) if non2xx else 0), cpu_us


def latency(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load before each measured run")
    parser.add_argument("--worker-logs", action="store_true",
                        help="let the demo workers log every request (Baton then also handles those lines)")
    args = parser.parse_args()
    ensure_tools()
    tmp = tempfile.mkdtemp(prefix="baton-proxy-bench-")
    baton_port, nginx_port = free_port(), free_port()
    baton, config, backends = start_baton(tmp, args.workers, baton_port, args.worker_logs)
    nginx = None
    try:
        nginx = start_nginx(tmp, backends, nginx_port)
        targets = [("direct to one worker", backends[0], ()),
                   ("Baton (%d workers)" % args.workers, baton_port, (baton.pid,)),
                   ("nginx round robin (%d workers)" % args.workers, nginx_port, [nginx.pid] + children(nginx.pid))]
        results = []
        for name, port, pids in targets:
            wrk("http://127.0.0.1:%d/" % port, args.connections, args.warmup)  # JIT warm-up, the same for all
            results.append((name, wrk("http://127.0.0.1:%d/" % port, args.connections, args.seconds, pids)))
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(timeout=30)
        subprocess.run([BATON, "shutdown", "-c", config], stdout=subprocess.DEVNULL)
        baton.wait(timeout=60)
    print("wrk -t2 -c%d -d%ds after %ds of warm-up, GET / of conf/examples/demo/app.py, %s, %d cores" % (
        args.connections, args.seconds, args.warmup, time.strftime("%Y-%m-%d"), os.cpu_count()))
    print("proxy CPU: the whole Baton process (event loops, JIT%s) or nginx master and workers"
          % (", the workers' per-request log lines" if args.worker_logs else "; workers log no line per request"))
    print()
    print("| path | requests/s | p50 (ms) | p99 (ms) | errors | proxy CPU per request (us) | requests/s vs nginx |")
    print("|---|---|---|---|---|---|---|")
    nginx_rps = results[2][1][0]
    for name, (rps, p50, p99, errors, cpu_us) in results:
        print("| %s | %.0f | %.2f | %.2f | %d | %s | %.2f |" % (name, rps, p50, p99, errors,
              "%.1f" % cpu_us if cpu_us else "-", rps / nginx_rps))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
