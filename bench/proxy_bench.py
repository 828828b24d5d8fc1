#!/usr/bin/env python3
"""Proxy throughput and latency on the very same workers: direct, through Baton, nginx and HAProxy.

    mvn -q package -DskipTests && python3 bench/proxy_bench.py [--backend gunicorn|fast] [--connections 32]
        [--seconds 8] [--warmup 8] [--repeat 3] [--worker-logs] [--no-wait]

Two kinds of workers, 4 of each, started by Baton: gunicorn sync workers (bench/wsgi_app.py, one
single-threaded worker per gunicorn master), and a trivially fast asyncio backend (bench/fast_app.py) that
isolates the proxy's own cost. nginx (round robin, upstream keep-alive) and HAProxy (http mode, roundrobin,
keep-alive both sides) are then pointed at the very same worker ports, in the same run. In each of 3 rounds,
every path gets `wrk -t4 -c32` for a warm-up, then a measured run, in an order rotated from round to round; each
figure is the median of the rounds (min-max). Installs nginx, haproxy, gunicorn and wrk with apt-get
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


def measure(backend, workers=4, connections=32, seconds=8, warmup=8, worker_logs=False, repeat=3):
    """{path: [(warm-up seconds, WrkResult) of each round]} for direct (one worker, spread over all), Baton, nginx
    and HAProxy: `repeat` rounds on the very same processes, every path once a round, in an order rotated from round
    to round (common.rotated). Each path warms up until requests/s settle, for at least `warmup` seconds in the
    first round and 2 in the others."""
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
            results = {name: [] for name, *_ in targets}
            for n in range(repeat):
                for name, port, script, pids in common.rotated(targets, n, repeat):
                    url = "http://127.0.0.1:%d/" % port
                    warmed = common.warm_up(url, connections, warmup if n == 0 else min(warmup, 2), threads=workers,
                                            script=script)
                    r = common.wrk(url, connections, seconds, threads=workers, script=script, proxy_pids=pids)
                    results[name].append((warmed, r))
                    print("  %s, round %d/%d, %s: %.0f requests/s, p99 %.2f ms (warm-up %d s)"
                          % (backend, n + 1, repeat, name, r.rps, r.p99, warmed), file=sys.stderr, flush=True)
            return results
        finally:
            for proc in reversed(started[1:]):
                common.stop(proc)
            baton.stop()


def run(workers=4, connections=32, seconds=8, warmup=8, backends=("gunicorn", "fast"), worker_logs=False, repeat=3):
    report = common.Report(
        "Proxy throughput and latency",
        "Baton starts %d workers; nginx %s (`worker_processes auto`, round robin, `keepalive 64` to the "
        "workers) and HAProxy %s (http mode, `balance roundrobin`, keep-alive to the workers with "
        "`http-reuse safe`) are pointed at the very same worker ports, in the same run. Baton balances to the "
        "worker with the fewest requests in flight, with `max_inflight = 1` for sync workers (its default, "
        "queueing the rest itself) and no limit for the fast backend. \"Direct, spread\" gives each wrk thread "
        "its own worker: what the workers can do without any proxy. %s Each measurement: `wrk -t%d -c%d` until "
        "requests/s settle (two 2 s runs in a row within 10%%, Baton's JIT; at least %d s%s, at most three times as "
        "long), then %d s measured. Proxy CPU per request is the whole Baton "
        "JVM, nginx's master and workers, or the HAProxy process, over the measured run. Each figure is the median "
        "of the rounds (min-max); ratios are of medians; errors are summed over the rounds. On a machine with few "
        "cores, wrk, the proxy and the workers share them: compare the ratios."
        % (workers, version("nginx"), version("haproxy"), rounds_sentence(repeat), workers, connections, warmup,
           " in the first round, 2 s in the others" if repeat > 1 else "", seconds))
    for backend in backends:
        info = BACKENDS[backend]
        measured = measure(backend, workers, connections, seconds, warmup, worker_logs, repeat)
        rps, p50, p99, cpu = (figures(measured, field) for field in ("rps", "p50", "p99", "cpu_us"))
        rows = []
        for name, runs in measured.items():
            rows.append([name, common.spread(rps[name]), common.spread(p50[name], "%.2f"),
                         common.spread(p99[name], "%.2f"), sum(r.errors for _, r in runs),
                         common.spread(cpu[name], "%.1f"),
                         common.ratio(common.median(rps[name]), common.median(rps["nginx"])),
                         common.ratio(common.median(rps[name]), common.median(rps["HAProxy"])),
                         " + ".join(str(warmed) for warmed, _ in runs)])
        report.add("**On %s** (%s%s):\n\n%s" % (
            info["title"], info["what"],
            ", each logging every request through Baton" if worker_logs and backend == "gunicorn" else "",
            common.table(["path", "requests/s", "p50 (ms)", "p99 (ms)", "errors", "proxy CPU per request (µs)",
                          "requests/s vs nginx", "requests/s vs HAProxy", "warm-up (s)"], rows)))
        for peer in ("nginx", "HAProxy"):
            report.summary.append(summary_line("Throughput, %s: Baton / %s" % (info["title"], peer),
                                               rps["Baton"], rps[peer], "%.0f", " req/s"))
        for peer in ("nginx", "HAProxy") if backend == "fast" else ():
            report.summary.append(summary_line("Proxy CPU per request, %s: Baton / %s" % (info["title"], peer),
                                               cpu["Baton"], cpu[peer], "%.1f", " µs"))
        report.summary.append(summary_line("p99 latency, %s: Baton / nginx" % info["title"],
                                           p99["Baton"], p99["nginx"], "%.1f", " ms"))
    return report


def figures(measured, field):
    """{path: [its WrkResult's field in each round]}."""
    return {name: [getattr(r, field) for _, r in runs] for name, runs in measured.items()}


def rounds_sentence(repeat):
    if repeat == 1:
        return "One round: each path once, in the order of the table."
    return ("%d rounds on the same processes, each path once a round, the order rotated from round to round so "
            "that no path always comes first." % repeat)


def summary_line(comparison, ours, theirs, fmt, unit):
    """(comparison, ratio of the medians, Baton's median (min-max), the peer's)."""
    return (comparison, common.ratio(common.median(ours), common.median(theirs)),
            common.spread(ours, fmt) + unit, common.spread(theirs, fmt) + unit)


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
    parser.add_argument("--seconds", type=int, default=8, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=8,
                        help="least seconds of load before each path's first measured run (until requests/s settle)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each measuring every path once")
    parser.add_argument("--worker-logs", action="store_true",
                        help="gunicorn logs every request (Baton, which supervises it, then handles those lines)")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("nginx", "haproxy", "gunicorn", "wrk")
    backends = [args.backend] if args.backend else ("gunicorn", "fast")
    common.run_and_print(lambda: run(args.workers, args.connections, args.seconds, args.warmup, backends,
                                     args.worker_logs, args.repeat), args)


if __name__ == "__main__":
    sys.exit(main())
