#!/usr/bin/env python3
"""Proxy throughput and latency on the very same workers: direct, through Baton, nginx and HAProxy.

    mvn -q package -DskipTests && python3 bench/proxy_bench.py [--backend gunicorn|fast] [--connections 32]
        [--seconds 10] [--warmup 8] [--worker-logs]

Two kinds of workers, 4 of each, started by Baton: gunicorn sync workers (bench/wsgi_app.py, one
single-threaded worker per gunicorn master), and a trivially fast asyncio backend (bench/fast_app.py) that
isolates the proxy's own cost. nginx (round robin, upstream keep-alive) and HAProxy (http mode, roundrobin,
keep-alive both sides) are then pointed at the very same worker ports, in the same run. Each path gets
`wrk -t4 -c32` for a warm-up, then a measured run. Installs nginx, haproxy, gunicorn and wrk with apt-get
when missing. Prints a Markdown table; everything stays on 127.0.0.1.
"""
import argparse
import os
import sys

import common
import quiet

BACKENDS = {
    "gunicorn": {
        "title": "4 gunicorn sync workers",
        "what": "`bench/wsgi_app.py`, one single-threaded worker per gunicorn master; a sync worker closes the "
                "connection after each answer, so every proxied request opens a new one to its worker",
        "max_inflight": 1,
    },
    "fast": {
        "title": "4 trivially fast backends",
        "what": "`bench/fast_app.py`, one asyncio event loop answering a fixed 200 on keep-alive connections",
        "max_inflight": 0,
    },
}


def command(backend, worker_logs):
    if backend == "gunicorn":
        return common.gunicorn_command("wsgi_app:app", common.BENCH,
                                       extra=("--access-logfile", "-") if worker_logs else ())
    return common.command_line(common.PYTHON, os.path.join(common.BENCH, "fast_app.py"), "--port", "{port}")


def measure(backend, workers=4, connections=32, seconds=10, warmup=8, worker_logs=False):
    """[(path, warm-up seconds, WrkResult)] for direct (one worker, spread over all), Baton, nginx and HAProxy."""
    with common.scratch_dir("baton-proxy-bench-") as tmp:
        baton_port, nginx_port, haproxy_port = common.free_ports(3)
        baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", command(backend, worker_logs), workers, listen="127.0.0.1:%d" % baton_port,
            health_check="/healthz", max_inflight=BACKENDS[backend]["max_inflight"]))
        started = [baton]
        try:
            ports = baton.wait_healthy("web", workers)
            nginx = common.start_nginx(os.path.join(tmp, "nginx"), ports, nginx_port)
            started.append(nginx)
            haproxy = common.start_haproxy(os.path.join(tmp, "haproxy"), ports, haproxy_port)
            started.append(haproxy)
            spread = common.spread_script(tmp, ports)
            targets = [("direct to one worker", ports[0], None, ()),
                       ("direct, spread over the %d workers" % workers, ports[0], spread, ()),
                       ("Baton", baton_port, None, (baton.pid,)),
                       ("nginx", nginx_port, None, [nginx.pid] + common.children(nginx.pid)),
                       ("HAProxy", haproxy_port, None, (haproxy.pid,))]
            results = []
            for name, port, script, pids in targets:
                url = "http://127.0.0.1:%d/" % port
                warmed = common.warm_up(url, connections, warmup, threads=workers, script=script)
                results.append((name, warmed, common.wrk(url, connections, seconds, threads=workers,
                                                         script=script, proxy_pids=pids)))
            return results
        finally:
            for proc in reversed(started[1:]):
                common.stop(proc)
            baton.stop()


def run(workers=4, connections=32, seconds=10, warmup=8, backends=("gunicorn", "fast"), worker_logs=False):
    report = common.Report(
        "Proxy throughput and latency",
        "Baton starts %d workers; nginx %s (`worker_processes auto`, round robin, `keepalive 64` to the "
        "workers) and HAProxy %s (http mode, `balance roundrobin`, keep-alive to the workers with "
        "`http-reuse safe`) are pointed at the very same worker ports, in the same run. Baton balances to the "
        "worker with the fewest requests in flight, with `max_inflight = 1` for sync workers (its default, "
        "queueing the rest itself) and no limit for the fast backend. \"Direct, spread\" gives each wrk thread "
        "its own worker: what the workers can do without any proxy. Each path: `wrk -t%d -c%d` for at least %d s "
        "of warm-up, until two 2 s runs in a row agree within 10%% on requests/s (Baton's JIT; at most three "
        "times as long), then %d s measured. Proxy CPU per request is the whole Baton JVM, nginx's "
        "master and workers, or the HAProxy process, over the measured run. On a machine with few cores, wrk, "
        "the proxy and the workers share them: compare the ratios."
        % (workers, version("nginx"), version("haproxy"), workers, connections, warmup, seconds))
    for backend in backends:
        info = BACKENDS[backend]
        measured = measure(backend, workers, connections, seconds, warmup, worker_logs)
        results = {name: r for name, _, r in measured}
        nginx, haproxy, baton = results["nginx"], results["HAProxy"], results["Baton"]
        rows = []
        for name, warmed, r in measured:
            rows.append([name, "%.0f" % r.rps, "%.2f" % r.p50, "%.2f" % r.p99, r.errors,
                         "%.1f" % r.cpu_us if r.cpu_us is not None else "-",
                         common.ratio(r.rps, nginx.rps), common.ratio(r.rps, haproxy.rps), warmed])
        report.add("**On %s** (%s%s):\n\n%s" % (
            info["title"], info["what"],
            ", each logging every request through Baton" if worker_logs and backend == "gunicorn" else "",
            common.table(["path", "requests/s", "p50 (ms)", "p99 (ms)", "errors", "proxy CPU per request (µs)",
                          "requests/s vs nginx", "requests/s vs HAProxy", "warm-up (s)"], rows)))
        for peer_name, peer in (("nginx", nginx), ("HAProxy", haproxy)):
            report.summary.append(("Throughput, %s: Baton / %s" % (info["title"], peer_name),
                                   common.ratio(baton.rps, peer.rps), "%.0f req/s" % baton.rps,
                                   "%.0f req/s" % peer.rps))
        if backend == "fast":
            for peer_name, peer in (("nginx", nginx), ("HAProxy", haproxy)):
                report.summary.append(("Proxy CPU per request, %s: Baton / %s" % (info["title"], peer_name),
                                       common.ratio(baton.cpu_us, peer.cpu_us), "%.1f µs" % baton.cpu_us,
                                       "%.1f µs" % peer.cpu_us))
        else:
            report.summary.append(("p99 latency, %s: Baton / nginx" % info["title"],
                                   common.ratio(baton.p99, nginx.p99), "%.1f ms" % baton.p99,
                                   "%.1f ms" % nginx.p99))
    return report


def version(tool):
    if tool == "nginx":
        line = common.version_line([common.tool_path("nginx"), "-v"])  # nginx version: nginx/1.22.1
        return line.split("/")[-1]
    line = common.version_line([common.tool_path("haproxy"), "-v"])  # HAProxy version 2.6.12-1+deb12u4 ...
    return line.split()[2] if len(line.split()) > 2 else line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(BACKENDS), help="one kind of worker only (default: both)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=8,
                        help="least seconds of load before each measured run (until requests/s settle)")
    parser.add_argument("--worker-logs", action="store_true",
                        help="gunicorn logs every request (Baton, which supervises it, then handles those lines)")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("nginx", "haproxy", "gunicorn", "wrk")
    backends = [args.backend] if args.backend else ("gunicorn", "fast")
    common.run_and_print(lambda: run(args.workers, args.connections, args.seconds, args.warmup, backends,
                                     args.worker_logs), args)


if __name__ == "__main__":
    sys.exit(main())
