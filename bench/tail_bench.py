#!/usr/bin/env python3
"""Tail latency when 1 request in 20 is slow (200 ms) on 4 gunicorn sync workers: Baton, nginx, HAProxy.

    mvn -q package -DskipTests && python3 bench/tail_bench.py [--rate 200] [--seconds 20] [--slow-every 20]
        [--repeat 3] [--no-wait]

Baton starts 4 single-threaded gunicorn sync workers (bench/wsgi_app.py: GET / answers at once, GET /slow
after 200 ms) with max_inflight = 1: each request goes to a free worker or waits in Baton's queue. nginx (round
robin) and HAProxy (leastconn, maxconn 1 per server: it queues too) are pointed at the very same worker ports.
The load is open-loop: requests are sent at a fixed rate whatever the answers, each on an idle keep-alive
connection or a new one, 1 in 20 (chosen at random, the same sequence for every proxy in a round) to /slow; a
request's latency counts from when it was due, so a proxy that holds requests back is not flattered (no coordinated
omission). 3 rounds, each proxy once a round in an order rotated from round to round; each figure is the
median of the rounds (min-max). Installs nginx, haproxy, gunicorn and wrk with apt-get when missing. Prints a
Markdown table.
"""
import argparse
import asyncio
import os
import random
import re
import sys

import common
import quiet
import wsgi_app


async def _request(port, path, idle, timeout):
    """True when GET path answers 200. Reuses an idle keep-alive connection, once more on a new one if a reused
    connection was closed before any answer (as HTTP clients do for idempotent requests)."""
    for attempt in (0, 1):
        reused = bool(idle) and attempt == 0
        conn = idle.pop() if reused else None
        got_bytes = False
        try:
            if conn is None:
                conn = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
            reader, writer = conn
            writer.write(b"GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path.encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
            got_bytes = True
            status = int(head.split(b" ", 2)[1])
            lower = head.lower()
            length = re.search(rb"\r\ncontent-length: *(\d+)", lower)
            if length:
                await asyncio.wait_for(reader.readexactly(int(length.group(1))), timeout)
            elif b"\r\ntransfer-encoding: chunked" in lower:
                await asyncio.wait_for(_read_chunked(reader), timeout)
            else:
                await asyncio.wait_for(reader.read(), timeout)
                lower += b"\r\nconnection: close"
            if b"\r\nconnection: close" in lower:
                writer.close()
            else:
                idle.append(conn)
            return status == 200
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                IndexError) as e:
            if conn is not None:
                conn[1].close()
            if not (reused and not got_bytes and isinstance(e, (OSError, asyncio.IncompleteReadError))):
                return False
    return False


async def _read_chunked(reader):
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        if size == 0:
            return


async def _open_loop(port, rate, seconds, slow_every, seed, timeout):
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    idle, tasks = [], []

    async def timed(due, slow):
        ok = await _request(port, "/slow" if slow else "/", idle, timeout)
        return slow, loop.time() - due, ok

    start = loop.time() + 0.05
    for i in range(int(rate * seconds)):
        due = start + i / float(rate)
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        tasks.append(loop.create_task(timed(due, rng.random() < 1.0 / slow_every)))
    results = await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return results


def open_loop(port, rate, seconds, slow_every=20, seed=5, timeout=30.0):
    """[(slow, latency_s, ok)] of rate × seconds GETs sent at a fixed rate, latency counted from when each was due."""
    return asyncio.run(_open_loop(port, rate, seconds, slow_every, seed, timeout))


def measure(workers=4, rate=200, seconds=20, warmup=5, slow_every=20, repeat=3):
    """{system: [open_loop()'s results of each round]} for Baton, nginx round robin and HAProxy leastconn +
    maxconn 1, on the same workers: `repeat` rounds, every proxy once a round, in an order rotated from round to
    round; every proxy gets the same random choice of slow requests within a round, another one the next round."""
    with common.scratch_dir("baton-tail-bench-") as tmp:
        baton_port, nginx_port, haproxy_port = common.free_ports(3)
        baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", common.gunicorn_command("wsgi_app:app", common.BENCH), workers,
            listen="127.0.0.1:%d" % baton_port, health_check="/healthz", max_inflight=1))
        peers = []
        try:
            ports = baton.wait_healthy("web", workers)
            peers.append(common.start_nginx(os.path.join(tmp, "nginx"), ports, nginx_port))
            peers.append(common.start_haproxy(os.path.join(tmp, "haproxy"), ports, haproxy_port,
                                              balance="leastconn", maxconn=1))
            systems = (("Baton", baton_port), ("nginx", nginx_port), ("HAProxy", haproxy_port))
            results = {name: [] for name, _ in systems}
            for n in range(repeat):
                for name, port in common.rotated(systems, n, repeat):
                    if warmup:  # fast requests as fast as they go: Baton's JIT; the same for every proxy
                        common.warm_up("http://127.0.0.1:%d/" % port, 16, warmup if n == 0 else min(warmup, 2),
                                       threads=2)
                    results[name].append(open_loop(port, rate, seconds, slow_every, seed=5 + n))
                    fast = [lat * 1000 for slow, lat, _ in results[name][-1] if not slow]
                    print("  round %d/%d, %s: fast p99 %.1f ms" % (n + 1, repeat, name, common.percentile(fast, 99)),
                          file=sys.stderr, flush=True)
            return results
        finally:
            for proc in reversed(peers):
                common.stop(proc)
            baton.stop()


def figures(results):
    """One round's figures: requests, failed, p50/p99/p99.9 of all, of the fast requests, max (ms)."""
    every = [lat * 1000 for _, lat, ok in results]
    fast = [lat * 1000 for slow, lat, _ in results if not slow]
    return {"requests": len(results), "failed": sum(1 for _, _, ok in results if not ok),
            "p50": common.percentile(every, 50), "p99": common.percentile(every, 99),
            "p99.9": common.percentile(every, 99.9), "fast p50": common.percentile(fast, 50),
            "fast p99": common.percentile(fast, 99), "fast p99.9": common.percentile(fast, 99.9),
            "max": max(every)}


def run(workers=4, rate=200, seconds=20, warmup=5, slow_every=20, repeat=3):
    report = common.Report(
        "Tail latency with slow requests on sync workers",
        "Baton starts %d single-threaded gunicorn sync workers (`bench/wsgi_app.py`); 1 request in %d goes to "
        "`/slow`, which takes %d ms, the others to `/`, which answers at once. Baton sends each request to a "
        "free worker (`max_inflight = 1`) or queues it; nginx sends round robin, so a request can wait in the "
        "kernel backlog of a worker busy with a slow one; HAProxy runs `balance leastconn` with `maxconn 1` per "
        "server, so it queues like Baton. The load is open-loop (`bench/tail_bench.py`): %d requests/s for %d s "
        "at a fixed rate whatever the answers, on keep-alive connections (a new one when none is idle), the "
        "same random choice of slow requests for every proxy; a latency counts from when the request was due, "
        "so waiting anywhere, in the load generator too, is counted. Before each run, `wrk` on `/` until "
        "requests/s settle (Baton's JIT; at least %d s%s). %s "
        "\"Fast\" columns are the %d-in-%d requests to `/`."
        % (workers, slow_every, wsgi_app.SLOW_SECONDS * 1000, rate, seconds, warmup,
           " in the first round, 2 s in the others" if repeat > 1 else "",
           "%d rounds on the same processes, each proxy once a round, the order rotated from round to round, "
           "another choice of slow requests each round; each figure is the median of the rounds (min-max), "
           "ratios are of medians, requests and failures summed." % repeat if repeat > 1 else "One round.",
           slow_every - 1, slow_every))
    rounds = {name: [figures(r) for r in runs] for name, runs in
              measure(workers, rate, seconds, warmup, slow_every, repeat).items()}

    def values(name, key):
        return [f[key] for f in rounds[name]]

    rows = [[name, sum(values(name, "requests")), sum(values(name, "failed"))]
            + [common.spread(values(name, key), "%.1f") for key in
               ("p50", "p99", "p99.9", "fast p50", "fast p99", "fast p99.9", "max")] for name in rounds]
    report.add(common.table(["proxy", "requests", "failed", "p50 (ms)", "p99 (ms)", "p99.9 (ms)", "fast p50 (ms)",
                             "fast p99 (ms)", "fast p99.9 (ms)", "max (ms)"], rows))
    for key, what, peers in (("fast p99", "p99 latency of fast requests", ("nginx", "HAProxy")),
                             ("p99.9", "p99.9 latency of all requests", ("nginx",))):
        for peer in peers:
            ours, theirs = values("Baton", key), values(peer, key)
            report.summary.append(("%s, 1 in %d slow: Baton / %s" % (what, slow_every, peer),
                                   common.ratio(common.median(ours), common.median(theirs)),
                                   common.spread(ours, "%.1f") + " ms", common.spread(theirs, "%.1f") + " ms"))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=int, default=200, help="requests per second, in total")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per proxy and round")
    parser.add_argument("--warmup", type=int, default=5,
                        help="least seconds of wrk on / before each proxy's first run (until requests/s settle)")
    parser.add_argument("--slow-every", type=int, default=20, help="1 request in N is slow")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each measuring every proxy once")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("nginx", "haproxy", "gunicorn", "wrk")
    common.run_and_print(lambda: run(args.workers, args.rate, args.seconds, args.warmup, args.slow_every,
                                     args.repeat), args)


if __name__ == "__main__":
    sys.exit(main())
