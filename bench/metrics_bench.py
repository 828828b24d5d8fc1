#!/usr/bin/env python3
"""What Prometheus metrics cost the proxy: Baton on 4 fast backends, not scraped and scraped every second.

    mvn -q package -DskipTests && python3 bench/metrics_bench.py [--interval 1] [--connections 32] [--seconds 8]
        [--warmup 8] [--repeat 3] [--unscraped-only] [--no-wait]

Baton starts 4 trivially fast keep-alive backends (bench/fast_app.py, as `proxy_bench.py --backend fast`) with
`[baton] metrics_listen` on a free loopback port. One daemon for the whole run; in each of 3 rounds `wrk -t4 -c32`
loads it twice, not scraped and scraped (the one first alternating from round to round), each time warming up until
requests/s settle, then measuring. The scraper is a thread of this script that GETs /metrics every second (at a
fixed pace, on one keep-alive connection as Prometheus does) during the warm-up and the measured run, and records
each scrape's duration and size during the measured one. Each figure is the median of the rounds (min-max); proxy
CPU per request is the whole Baton JVM's over the measured run, so it includes rendering the scrapes. Baton's
resident memory is read from /proc after the rounds. What this does not measure: the cost of counting (the
metrics are always on), only that of being scraped. --unscraped-only measures the first half alone, for a Baton
without the endpoint. Installs wrk with apt-get when missing. Prints a Markdown table; everything stays on 127.0.0.1.
"""
import argparse
import http.client
import os
import sys
import threading
import time

import common
import proxy_bench
import quiet

UNSCRAPED, SCRAPED = "not scraped", "scraped every %g s"


class Scraper(threading.Thread):
    """GETs /metrics on port every `interval` seconds at a fixed pace (a slow scrape delays the next one only if it
    runs past its time) until stopped; keeps (seconds, bytes, series) of each scrape since the last take(), and the
    failures."""

    def __init__(self, port, interval):
        super().__init__(daemon=True, name="scraper")
        self.port, self.interval = port, interval
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.scrapes, self.failures = [], []

    def run(self):
        conn, due = None, time.monotonic()
        while not self.stopping.is_set():
            conn = self.scrape_once(conn)
            due = max(due + self.interval, time.monotonic())
            self.stopping.wait(due - time.monotonic())
        if conn is not None:
            conn.close()

    def scrape_once(self, conn):
        """One scrape on conn (a new connection when None); answers the connection to reuse."""
        reused, started = conn is not None, time.perf_counter()
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", "/metrics")
            response = conn.getresponse()
            body = response.read()
            seconds = time.perf_counter() - started
            if response.status != 200:
                raise http.client.HTTPException("GET /metrics answered %d" % response.status)
            series = sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#"))
            with self.lock:
                self.scrapes.append((seconds, len(body), series))
            return conn
        except (OSError, http.client.HTTPException) as e:
            if conn is not None:
                conn.close()
            if reused and isinstance(e, (ConnectionResetError, BrokenPipeError)):
                return self.scrape_once(None)  # closed while idle: once more on a new connection, as Go's client does
            with self.lock:
                self.failures.append(str(e) or type(e).__name__)
            return None

    def take(self):
        """(scrapes, failures) since the last take()."""
        with self.lock:
            taken = self.scrapes, self.failures
            self.scrapes, self.failures = [], []
        return taken

    def stop(self):
        self.stopping.set()
        self.join()


def serves_metrics(port):
    """None when GET /metrics on port answers 200 with Baton's metrics, else what it did instead."""
    try:
        status, body = common.http_get(port, "/metrics", timeout=5)
    except (OSError, http.client.HTTPException) as e:
        return str(e) or type(e).__name__
    if status != 200 or b"baton_build_info" not in body:
        return "GET /metrics answered %d without baton_build_info" % status
    return None


def measure(workers=4, connections=32, seconds=8, warmup=8, repeat=3, interval=1.0, scraped=True):
    """({case: [WrkResult of each round]}, {case: [[(seconds, bytes, series) of each scrape] of each round]},
    [scrape failures], (Baton's RSS in MiB once ready, after the rounds))."""
    cases = [UNSCRAPED] + ([SCRAPED % interval] if scraped else [])
    with common.scratch_dir("baton-metrics-bench-") as tmp:
        port, metrics_port = common.free_ports(2)
        baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", proxy_bench.command("fast", False), workers, listen="127.0.0.1:%d" % port,
            health_check="/healthz", max_inflight=proxy_bench.BACKENDS["fast"]["max_inflight"]),
            settings={"metrics_listen": "127.0.0.1:%d" % metrics_port})
        try:
            baton.wait_healthy("web", workers)
            if scraped:
                try:
                    common.wait_for("Baton's metrics on 127.0.0.1:%d" % metrics_port,
                                    lambda: serves_metrics(metrics_port) is None, timeout=30)
                except TimeoutError:
                    sys.exit("Baton (%s) does not serve its metrics on metrics_listen: %s; --unscraped-only measures "
                             "without" % (common.BATON, serves_metrics(metrics_port)))
            rss_ready = common.memory_mib(baton.pid)
            url = "http://127.0.0.1:%d/" % port
            results = {case: [] for case in cases}
            scrapes = {case: [] for case in cases}
            failures = []
            for n in range(repeat):
                for case in common.rotated(cases, n % len(cases), len(cases)):
                    scraper = Scraper(metrics_port, interval) if case != UNSCRAPED else None
                    if scraper:
                        scraper.start()
                    try:
                        load = os.getloadavg()[0]
                        warmed = common.warm_up(url, connections, warmup if n == 0 else min(warmup, 2),
                                                threads=workers)
                        if scraper:
                            failures += scraper.take()[1]
                        r = common.wrk(url, connections, seconds, threads=workers, proxy_pids=(baton.pid,))
                        if scraper:
                            taken, failed = scraper.take()
                            scrapes[case].append(taken)
                            failures += failed
                    finally:
                        if scraper:
                            scraper.stop()
                    results[case].append(r)
                    print("  round %d/%d, %s: %.0f requests/s, %.1f µs CPU per request%s (warm-up %d s, load "
                          "average %.2f before)" % (n + 1, repeat, case, r.rps, r.cpu_us, ", %d scrapes" % len(
                              scrapes[case][-1]) if scraper else "", warmed, load), file=sys.stderr, flush=True)
            return results, scrapes, failures, (rss_ready, common.memory_mib(baton.pid))
        finally:
            baton.stop()


def run(workers=4, connections=32, seconds=8, warmup=8, repeat=3, interval=1.0, scraped=True):
    report = common.Report(
        "What metrics cost",
        "Baton proxies to %d trivially fast backends (`bench/fast_app.py`, keep-alive, `max_inflight = 0`) with "
        "`metrics_listen` set; `wrk -t%d -c%d` loads it %s, in %d round%s on the same daemon%s. Each measurement: "
        "load until requests/s settle (at least %d s in the first round, 2 s in the others), then %d s measured.%s "
        "Proxy CPU per request is the whole Baton JVM's%s. Each figure is the median of the rounds (min-max); errors "
        "are summed. The cost of counting is not measured (metrics are always on), only that of being scraped."
        % (workers, workers, connections, "not scraped and scraped" if scraped else "not scraped only "
           "(--unscraped-only)", repeat, "" if repeat == 1 else "s",
           ", the case measured first alternating from round to round" if scraped else "", warmup, seconds,
           " The scraper GETs /metrics every %g s on one keep-alive connection, during the warm-up and the measured "
           "run; its figures are of the measured run." % interval if scraped else "",
           ", scrapes included" if scraped else ""))
    results, scrapes, failures, (rss_ready, rss_after) = measure(workers, connections, seconds, warmup, repeat,
                                                                 interval, scraped)
    rows = []
    for case, runs in results.items():
        per_round = scrapes[case]
        durations = [s[0] * 1000 for r in per_round for s in r]
        sizes = [s[1] / 1024 for r in per_round for s in r]
        series = [s[2] for r in per_round for s in r]
        rows.append([case, common.spread([r.rps for r in runs]), common.spread([r.p99 for r in runs], "%.2f"),
                     sum(r.errors for r in runs), common.spread([r.cpu_us for r in runs], "%.1f"),
                     common.spread([len(r) for r in per_round]) if per_round else "-",
                     "%.1f / %.1f / %.1f" % (common.median(durations), common.percentile(durations, 99),
                                             max(durations)) if durations else "-",
                     "%.1f (%d series)" % (common.median(sizes), common.median(series)) if sizes else "-"])
    report.add(common.table(["case", "requests/s", "p99 (ms)", "errors", "proxy CPU per request (µs)",
                             "scrapes per run", "scrape p50 / p99 / max (ms)", "scrape size (KiB)"], rows))
    notes = ["Baton's resident memory (VmRSS): %.0f MiB once its workers were ready, %.0f MiB after the rounds."
             % (rss_ready, rss_after)]
    if failures:
        notes.append("**%d scrapes failed**, the first: %s." % (len(failures), failures[0]))
    report.add(" ".join(notes))
    if scraped:
        ours, theirs = results[SCRAPED % interval], results[UNSCRAPED]
        for what, field, fmt, unit in (("Throughput", "rps", "%.0f", " req/s"),
                                       ("Proxy CPU per request", "cpu_us", "%.1f", " µs")):
            a, b = [getattr(r, field) for r in ours], [getattr(r, field) for r in theirs]
            report.summary.append(("%s, scraped every %g s / not scraped" % (what, interval),
                                   common.ratio(common.median(a), common.median(b)),
                                   common.spread(a, fmt) + unit, common.spread(b, fmt) + unit))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=8, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=8,
                        help="least seconds of load before each case's first measured run (until requests/s settle)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each measuring both cases")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between scrapes (default 1)")
    parser.add_argument("--unscraped-only", action="store_true",
                        help="measure without the scraper only (a Baton that does not serve /metrics yet)")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("wrk")
    common.run_and_print(lambda: run(args.workers, args.connections, args.seconds, args.warmup, args.repeat,
                                     args.interval, not args.unscraped_only), args)


if __name__ == "__main__":
    sys.exit(main())
