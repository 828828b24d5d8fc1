#!/usr/bin/env python3
"""Every Baton benchmark in one run: prints a Markdown report and writes it to docs/benchmarks.md.

    mvn -q package -DskipTests && python3 bench/run.py [--quick] [--only SECTION] [--no-write] [--requests N]
        [--no-wait] [--quiet-load LOAD] [--max-wait SECONDS]

Sections (each also runs on its own, see its script):
  proxy   proxy throughput and latency: direct, Baton, nginx, HAProxy      bench/proxy_bench.py
  tail    tail latency when 1 request in 20 is slow, open-loop load        bench/tail_bench.py
  reload  failed requests and duration of deploys                          bench/reload_bench.py
  cli     `baton status` vs `supervisorctl status`, daemon RSS             bench/supervisor_bench.py
  upgrade failed requests, duration of `baton upgrade` vs shutdown + run    bench/upgrade_bench.py
Each section waits for a quiet machine first (1-minute load average below half the cores, at most 10 minutes; a
section that could not have one says so). The full run takes about 30 minutes on 2 cores, --quick a few (short
durations, one round: a smoke run, not numbers to publish; add --no-wait not to wait for a quiet machine). Run it
as root on Debian: it installs nginx, haproxy, supervisor, gunicorn, wrk and hyperfine with apt-get when missing.
Everything talks over 127.0.0.1 and unix sockets; every process it starts is stopped, on Ctrl-C or failure too,
and its scratch folders are removed.
"""
import argparse
import os
import platform
import subprocess
import sys
import time
import traceback

import common
import proxy_bench
import quiet
import reload_bench
import supervisor_bench
import tail_bench
import upgrade_bench

SECTIONS = {  # name: (module, tools, full settings, --quick settings)
    "proxy": (proxy_bench, ("nginx", "haproxy", "gunicorn", "wrk"),
              dict(workers=4, connections=32, seconds=8, warmup=8, repeat=3),
              dict(workers=4, connections=32, seconds=2, warmup=2, repeat=1)),
    "tail": (tail_bench, ("nginx", "haproxy", "gunicorn", "wrk"),
             dict(workers=4, rate=200, seconds=20, warmup=5, repeat=3),
             dict(workers=4, rate=200, seconds=5, warmup=2, repeat=1)),
    "reload": (reload_bench, ("gunicorn", "supervisord", "nginx"),
               dict(rate=200, reloads=3, broken_wait=10),
               dict(rate=100, reloads=1, broken_wait=5)),
    "cli": (supervisor_bench, ("supervisord", "supervisorctl", "hyperfine", "wrk"),
            dict(workers=8, runs=30, kills=5, requests=1_000_000, repeat=3),
            dict(workers=8, runs=5, kills=1, requests=50_000, repeat=1)),
    "upgrade": (upgrade_bench, ("gunicorn", "nginx"),
                dict(rate=100, repeat=3),
                dict(rate=100, repeat=1)),
}
DOC = os.path.join(common.ROOT, "docs", "benchmarks.md")

INTRO = """# Benchmarks

Baton side by side with what it replaces, measured by one script, `bench/run.py`, in one run on one machine.
Each comparison puts Baton against its peer **in the same run, on the very same worker processes** where
that can be done (the proxies); ratios (Baton / peer) are the headline, absolute numbers second. On a machine
with few cores the load generator, the proxy and the workers share the CPU, so absolute numbers are low and
noisy: compare the ratios, and read the load average each section starts with.

Rerun it on Debian 12 as root (it installs nginx, haproxy, supervisor, gunicorn, wrk and hyperfine with
`apt-get` when missing):

    mvn -q package -DskipTests
    python3 bench/run.py                          # every section, about 30 minutes; rewrites this file
    python3 bench/run.py --quick --no-write --no-wait   # a smoke run of a few minutes
    python3 bench/run.py --only tail              # one section, printed only (--output FILE to keep it)
    python3 bench/run.py --requests 5000000       # more proxied requests before Baton's last RSS reading

What each section measures (each is also a script of its own):

1. **Proxy throughput and latency** (`bench/proxy_bench.py`): requests/s, p50 and p99 with `wrk`, and the
   proxy's CPU time per request; direct to the workers, through Baton, nginx and HAProxy, on 4 gunicorn
   sync workers and on 4 trivially fast backends (so that the proxy's own cost shows).
2. **Tail latency with slow requests** (`bench/tail_bench.py`): open-loop load at a fixed rate where 1
   request in 20 takes 200 ms on single-threaded sync workers; Baton's per-worker limit and queue against
   nginx round robin and HAProxy's leastconn with `maxconn 1`.
3. **Deploys** (`bench/reload_bench.py`): failed requests and duration of good and broken deploys under
   steady load: `baton reload`, supervisord + nginx rolling restart, gunicorn HUP.
4. **CLI latency and daemon memory** (`bench/supervisor_bench.py`): `baton status` against `supervisorctl
   status` with hyperfine; daemon RSS with 8 workers, idle, and Baton's after a million proxied requests.
5. **Replacing Baton itself** (`bench/upgrade_bench.py`): failed requests and duration of `baton upgrade` (the
   new daemon takes over the listening sockets, the old one drains) under steady load, next to `baton
   shutdown` + `baton run`, direct and behind nginx.

Method: everything talks over 127.0.0.1 and unix sockets; Baton runs with its launcher's default flags;
every peer runs with a stock Debian package and a configuration written by the script (shown in
`bench/common.py`); each section says how it loads and what it counts.

- **A quiet machine.** Before each section the script waits until the 1-minute load average is below half the
  cores (1.0 on 2 cores), at most 10 minutes (`--quiet-load`, `--max-wait`, `--no-wait`); the load average
  falls to about a third of itself in a minute, so after a section that kept 2 cores busy this takes a minute
  or two. Each section then states the load average at its start and at its end (the end includes the
  section's own load, so it is high after any section that loads the machine), and the cores other processes
  used while it ran: the machine's busy CPU time (`/proc/stat`) less that of the script and of every process
  it started (`bench/quiet.py`). A section that started with the load average above the threshold, or during
  which other processes used a quarter of a core or more on average, says at its top that it was measured on
  a busy machine, and its lines in the summary are marked: its figures are not comparable with a quiet run's.
- **Alternation and repetition.** Comparisons run in 3 rounds: the proxies (sections 1 and 2) measure every
  path once a round on the very same processes, the order rotated from round to round so that no path always
  goes first; section 4 starts Baton and supervisord afresh each round, the one read and timed first alternating;
  section 5 runs each case 3 times, cases interleaved. Each path warms up until requests/s settle before each
  of its runs. A figure is the median of the 3 rounds with the smallest and largest in brackets,
  `15499 (15210-15720)`; ratios are of the medians. Section 3 (deploys) runs 3 good deploys in a row per
  system, each system in turn, and gives the median (min-max) of the deploys; then a single broken one."""


def machine(started):
    """Rows describing the machine and the software versions."""
    mem_kib = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal:")))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor() or "unknown")
    os_name = next((line.split("=", 1)[1].strip().strip('"') for line in open("/etc/os-release")
                    if line.startswith("PRETTY_NAME=")), "Linux")
    commit = subprocess.run(["git", "-C", common.ROOT, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    return [
        ["date", time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(started))],
        ["machine", "%s, %d cores (%s), %.1f GiB RAM, kernel %s" % (os_name, os.cpu_count(), cpu,
                                                                   mem_kib / 1048576.0, platform.release())],
        ["load average at start", "%.2f, %.2f, %.2f (1, 5, 15 min)" % os.getloadavg()],
        ["Baton", "%s, commit %s" % (common.version_line([common.BATON, "version"]), commit)],
        ["nginx", proxy_bench.version("nginx")],
        ["HAProxy", proxy_bench.version("haproxy")],
        ["gunicorn", reload_bench.version("gunicorn") + " (sync workers), on " +
         common.version_line([common.PYTHON, "--version"])],
        ["supervisord", common.version_line(["supervisord", "--version"])],
        ["load tools", "%s; %s" % (common.version_line(["wrk", "-v"]).split(" Copyright")[0],
                                    common.version_line(["hyperfine", "--version"]))],
    ]


def number(name):
    return list(SECTIONS).index(name) + 1


def report(reports, machine_rows, quick, elapsed):
    """The whole document; reports: [(section name, Report)]."""
    summary = [row for name, r in reports for row in r.summary_rows("section %d" % number(name))]
    busy = [name for name, r in reports if r.busy()]
    rows = machine_rows + [["run time", "%.1f min" % (elapsed / 60)]]
    parts = [INTRO, "## Results"]
    if quick:
        parts.append("**A quick smoke run (`--quick`): short durations, one round, not numbers to publish.**")
    if busy:
        parts.append("**Sections measured on a busy machine: %s (see the top of each); their figures are not "
                     "comparable.**" % ", ".join(str(number(name)) for name in busy))
    parts.append("\n".join("- **%s**: %s" % (key, value) for key, value in rows))
    parts.append("### Summary\n\nOne line per comparison, Baton / peer measured in the same run: below 1× Baton's "
                 "number is the smaller one (better for latency, memory, failures and duration; worse for "
                 "throughput). Figures are medians of the rounds (min-max), ratios are of medians.\n\n"
                 + common.table(["comparison", "Baton / peer", "Baton", "peer"], summary))
    body = "\n\n".join(parts) + "\n"
    for name, r in reports:
        body += "\n" + r.markdown(number=number(name))
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short durations: a smoke run of a few minutes")
    parser.add_argument("--only", action="append", choices=list(SECTIONS), metavar="SECTION",
                        help="run this section only (repeatable): %s; prints without writing the doc "
                             "unless --output is given" % ", ".join(SECTIONS))
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument("--output", help="write the report here (default: docs/benchmarks.md, unless --only)")
    parser.add_argument("--requests", type=int, help="requests proxied through Baton before its last RSS reading "
                                                     "(default 1,000,000; --quick 50,000)")
    quiet.add_options(parser)
    args = parser.parse_args()
    chosen = [name for name in SECTIONS if not args.only or name in args.only]
    common.ensure_tools(*sorted({t for name in chosen for t in SECTIONS[name][1]}))
    common.install_signal_handlers()
    started = time.time()
    machine_rows = machine(started)
    reports, failed = [], []
    try:
        for name in chosen:
            module, _, full, quick = SECTIONS[name]
            settings = dict(quick if args.quick else full)
            if name == "cli" and args.requests:
                settings["requests"] = args.requests
            began = time.monotonic()
            print("== %s (%s) ..." % (name, ", ".join("%s=%s" % kv for kv in settings.items())), file=sys.stderr)
            try:
                r = common.measured(lambda: module.run(**settings), *quiet.settings(args))
                reports.append((name, r))
                c = r.conditions
                print("== %s: load average %.2f at start, %.2f at the end; other processes %.2f cores%s"
                      % (name, c.load_before[0], c.load_after[0], c.other_cores,
                         "; BUSY: " + c.busy() if c.busy() else ""), file=sys.stderr)
            except Exception:
                traceback.print_exc()
                failed.append(name)
            finally:
                common.stop_all()
            print("== %s: %.0f s" % (name, time.monotonic() - began), file=sys.stderr)
    finally:
        common.stop_all()
    text = report(reports, machine_rows, args.quick, time.time() - started)
    print(text)
    if failed:
        print("failed: %s (report not written)" % ", ".join(failed), file=sys.stderr)
        return 1
    output = args.output or (None if args.only else DOC)
    if output and not args.no_write:
        with open(output, "w") as f:
            f.write(text)
        print("written to %s" % os.path.relpath(output), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
