#!/usr/bin/env python3
"""Latency with a worker that leaves Nagle's algorithm on: direct, through Baton and through nginx.

    mvn -q package -DskipTests && python3 bench/nagle_bench.py [--requests 200] [--rounds 3]

Python's http.server family writes a response's head and body in two writes with Nagle's algorithm on: the body
leaves only once the head is acknowledged, so a client (or proxy) that delays its ACK (Linux: up to 40 ms) waits
that long for every response on a keep-alive connection. Baton acknowledges at once when a read ends in the
middle of a response (TCP_QUICKACK). One worker (bench/nagle_app.py) started by Baton, nginx (keep-alive to the
worker) pointed at the same port; each path gets sequential GETs on one keep-alive connection from Python's
http.client (which delays its own ACKs, as "direct" shows). Median and p99 per round; the table gives the median
of the rounds with their min-max. Installs nginx with apt-get when missing. Everything stays on 127.0.0.1.
"""
import argparse
import http.client
import os
import statistics
import sys
import time

import common
import quiet


def latencies(port, n):
    """Milliseconds of n sequential GETs on one keep-alive connection, after 10 unmeasured ones."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for i in range(n + 10):
            start = time.perf_counter()
            conn.request("GET", "/")
            conn.getresponse().read()
            if i >= 10:
                times.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    return times


def run(requests=200, rounds=3):
    report = common.Report(
        "Latency with a Nagle-bound worker",
        "One `bench/nagle_app.py` worker (http.server, Nagle on, head and body in two writes) started by Baton "
        "with `max_inflight = 0`; nginx %s with `keepalive 64` to the same port. Each path: %d sequential GETs on "
        "one keep-alive connection (Python's http.client), %d rounds; median of the rounds' figures, min-max in "
        "brackets." % (common.version_line([common.tool_path("nginx"), "-v"]).split("/")[-1], requests, rounds))
    with common.scratch_dir("baton-nagle-bench-") as tmp:
        port, nginx_port = common.free_ports(2)
        baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", common.command_line(common.PYTHON, os.path.join(common.BENCH, "nagle_app.py"), "{port}"), 1,
            listen="127.0.0.1:%d" % port, max_inflight=0))
        try:
            worker = baton.wait_healthy("web", 1)[0]
            nginx = common.start_nginx(os.path.join(tmp, "nginx"), [worker], nginx_port)
            try:
                paths = (("direct to the worker", worker), ("Baton", port), ("nginx", nginx_port))
                figures = {name: ([], []) for name, _ in paths}
                for _ in range(rounds):
                    for name, p in paths:
                        times = sorted(latencies(p, requests))
                        figures[name][0].append(statistics.median(times))
                        figures[name][1].append(times[max(0, int(len(times) * 0.99) - 1)])
            finally:
                common.stop(nginx)
        finally:
            baton.stop()
    rows = []
    for name, _ in paths:
        medians, p99s = figures[name]
        rows.append([name, spread(medians), spread(p99s)])
    report.add(common.table(["path", "median (ms)", "p99 (ms)"], rows))
    baton_median = statistics.median(figures["Baton"][0])
    nginx_median = statistics.median(figures["nginx"][0])
    report.summary.append(("Median latency, Nagle-bound worker: Baton / nginx",
                           common.ratio(baton_median, nginx_median), "%.1f ms" % baton_median,
                           "%.1f ms" % nginx_median))
    return report


def spread(values):
    return "%.2f (%.2f-%.2f)" % (statistics.median(values), min(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("nginx")
    common.run_and_print(lambda: run(args.requests, args.rounds), args)


if __name__ == "__main__":
    sys.exit(main())
