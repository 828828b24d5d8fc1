#!/usr/bin/env python3
"""Replacing workers under load: Baton's max_requests next to gunicorn's --max-requests, and canary reloads.

    mvn -q package -DskipTests && flock /tmp/bench.lock python3 bench/recycle_bench.py [--rate 200] [--seconds 60]
        [--rounds 3] [--only recycle|canary] [--max-requests 500] [--jitter 100] [--baseline] [--nginx]
        [--canary-duration 60] [--warmup 5] [--logs DIR] [--no-wait | --max-wait SECONDS]

Run it under `flock /tmp/bench.lock` (as above) so that two benchmarks never share the machine. The app
(bench/recycle_app.py) takes about 1 s to import and answers its version, also in the header X-App-Version.
The load, the same everywhere: 16 threads sending GET / on a fixed schedule, RATE per second in all, three in
four on a keep-alive connection (a new one after Connection: close or a failure), one in four on a new
connection per request; every request's outcome and latency is recorded (failed: anything but a 200).

recycle  4 workers recycled after MAX_REQUESTS + random(0..JITTER) requests each, for --seconds of load:
           Baton    4 single-worker gunicorn processes behind Baton's proxy, `max_requests`, `max_requests_jitter`
                    (the successor starts and passes its health check before the old worker drains)
           gunicorn one master, `-w 4 --max-requests --max-requests-jitter`, clients on its port (gunicorn's way:
                    the master forks a new worker once the old one exits); --nginx adds the same behind nginx
         --baseline adds both without recycling, to tell recycling's cost from the proxy's. Recycles counted
         from Baton's metric baton_workers_recycled_total and from gunicorn's log lines "Autorestarting worker
         after current request".
canary   Baton with 4 workers, `canary_weight = 10`, `canary_duration`; under the same load, `baton reload --canary
         --json` of a version that answers 500 to every second request (expected: rolled back early, exit 1, the
         old version serving afterwards) and of a good version (expected: promoted after canary_duration, exit 0).
         Counts the requests the new version answered (from its header) and how many of them failed; times the
         reload's steps as they stream.

Each part runs --rounds times (sides in an order rotated from round to round, each on fresh processes) after a
wait for a quiet machine; figures are the median of the rounds (min-max). Prints Markdown tables, the load
average at the start and the end; everything stays on 127.0.0.1 and every process it starts is stopped on any exit.
"""
import argparse
import collections
import http.client
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time

import common
import load as loadgen
import quiet

WORKERS = 4
SETTLE = 3.0  # seconds of load before and after a canary reload; pause after a recycling run's load
READY = 180.0  # seconds Python workers may take to be ready on a loaded machine

Sample = collections.namedtuple("Sample", "start latency outcome version")


class Load:
    """16 threads sending GET / at `rate` per second in all on a fixed schedule (a thread that fell behind skips
    the turns it missed rather than bursting): three in four keep their connection, one in four opens a new one
    per request. Records (start, latency, outcome, X-App-Version) of every request."""

    def __init__(self, port, rate, threads=16, timeout=30.0):
        self.port, self.interval, self.timeout = port, threads / float(rate), timeout
        self.samples, self.lock, self.running = [], threading.Lock(), True
        self.threads = [threading.Thread(target=self.client, args=(i, threads), daemon=True)
                        for i in range(threads)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def client(self, i, n):
        keep = i % 4 != 3
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        next_at = time.monotonic() + self.interval * i / n
        try:
            while self.running:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at = max(next_at + self.interval, time.monotonic() - self.interval)
                r = loadgen.send(conn)
                if not keep:
                    conn.close()
                with self.lock:
                    self.samples.append(Sample(r.start, r.latency, r.outcome, r.headers.get("X-App-Version")))
        finally:
            conn.close()

    def stop(self):
        """Stops sending, waits for the answers in flight; answers the samples in the order they were sent."""
        self.running = False
        for t in self.threads:
            t.join(self.timeout + 5)
        with self.lock:
            return sorted(self.samples)


def run_load(port, rate, seconds):
    load = Load(port, rate).start()
    try:
        time.sleep(seconds)
    finally:
        samples = load.stop()
    return samples


def figures(samples, seconds):
    ms = [s.latency * 1000 for s in samples]
    failed = [s for s in samples if s.outcome != "ok"]
    return {"requests": len(samples), "failed": len(failed), "kinds": collections.Counter(s.outcome for s in failed),
            "p50": common.percentile(ms, 50), "p99": common.percentile(ms, 99), "max": max(ms, default=float("nan")),
            "rps": len(samples) / seconds}


def new_app(tmp, version="1"):
    app_dir = os.path.join(tmp, "app")
    os.makedirs(app_dir, exist_ok=True)
    shutil.copy(os.path.join(common.BENCH, "recycle_app.py"), app_dir)
    write_version(app_dir, version)
    return app_dir


def write_version(app_dir, version):
    with open(os.path.join(app_dir, "VERSION"), "w") as f:
        f.write(version + "\n")


def keep_logs(tmp, logs, name):
    """Copies the scratch folder (logs, configuration; not its sockets) to logs/name."""
    if logs:
        def sockets(folder, names):
            return [n for n in names if stat.S_ISSOCK(os.lstat(os.path.join(folder, n)).st_mode)]
        shutil.copytree(tmp, os.path.join(logs, name), ignore=sockets, dirs_exist_ok=True)


def baton_daemon(tmp, app_dir, port, **keys):
    """Baton with 4 single-worker gunicorn processes of recycle_app behind its proxy on port, its metrics on a free
    port (answered second)."""
    metrics_port = common.free_port()
    baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
        "web", common.gunicorn_command("recycle_app:app", app_dir), WORKERS, listen="127.0.0.1:%d" % port,
        health_check="/healthz", **keys), settings={"metrics_listen": "127.0.0.1:%d" % metrics_port})
    return baton, metrics_port


def metric(port, family):
    """{labels text: value} of a metric family on Baton's metrics endpoint."""
    status, body = common.http_get(port, "/metrics", timeout=10)
    if status != 200:
        raise OSError("GET /metrics answered %d" % status)
    found = re.findall(r"^%s(\{[^}]*\})? (\S+)$" % re.escape(family), body.decode(), re.M)
    return {labels or "": float(value) for labels, value in found}


# -- recycling: Baton's max_requests, gunicorn's --max-requests --------------------------------------------------

class BatonSide:
    label = "Baton"

    def __init__(self, tmp, app_dir, recycle):
        """recycle: (max_requests, jitter), or None not to recycle."""
        self.port = common.free_port()
        keys = dict(max_requests=recycle[0], max_requests_jitter=recycle[1]) if recycle else {}
        self.baton, self.metrics_port = baton_daemon(tmp, app_dir, self.port, **keys)
        self.log = os.path.join(tmp, "baton", "baton.log")
        self.name = "Baton `max_requests = %d`, `max_requests_jitter = %d`" % recycle if recycle else \
            "Baton, no recycling"

    def wait_ready(self):
        self.baton.wait_healthy("web", WORKERS, timeout=READY)

    def recycles(self):
        """Workers recycled so far, by reason: from baton_workers_recycled_total; else None."""
        try:
            values = metric(self.metrics_port, "baton_workers_recycled_total")
        except (OSError, http.client.HTTPException) as e:
            print("cannot read Baton's metrics: %s" % e, file=sys.stderr)
            return None
        if not values:
            return None
        reasons = collections.Counter()
        for labels, value in values.items():
            reason = re.search(r'reason="([^"]*)"', labels)
            reasons[reason.group(1) if reason else "?"] += int(value)
        return reasons

    def replaced_after(self):
        """The request counts at which workers were replaced, from the log."""
        with open(self.log, errors="replace") as f:
            return [int(n) for n in re.findall(r"replacing it: max_requests \((\d+) requests\)", f.read())]

    def settle(self):
        """Waits until no replacement is under way (one may start up to a second after the last request)."""
        time.sleep(2)

        def quiet_slots():
            ws = self.baton.workers("web")
            return len(ws) == WORKERS and all(w.get("backend") == "HEALTHY" and not w.get("held") for w in ws)
        try:
            common.wait_for("no replacement under way", quiet_slots, timeout=READY)
        except TimeoutError as e:
            print("Baton: %s" % e, file=sys.stderr)

    def stop(self):
        self.baton.stop()


class GunicornSide:
    label = "gunicorn"
    behind_nginx = False

    def __init__(self, tmp, app_dir, recycle):
        self.port, backend = common.free_ports(2)
        self.log = os.path.join(tmp, "gunicorn.log")
        bind = "127.0.0.1:%d" % (backend if self.behind_nginx else self.port)
        limits = ["--max-requests", str(recycle[0]), "--max-requests-jitter", str(recycle[1])] if recycle else []
        self.proc = common.spawn([common.GUNICORN, "recycle_app:app", "--chdir", app_dir, "--bind", bind, "--workers",
                                  str(WORKERS), "--log-level", "info"] + limits, log=self.log)
        self.nginx = common.start_nginx(os.path.join(tmp, "nginx"), [backend], self.port) if self.behind_nginx \
            else None
        self.name = "%s%s" % ("gunicorn `-w 4 %s`" % " ".join(limits) if recycle else "gunicorn, no recycling",
                              " + nginx" if self.behind_nginx else "")

    def wait_ready(self):
        """Until 4 different workers answered."""
        pids = set()

        def all_answer():
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited with status %d, see its log" % self.proc.returncode)
            status, body = common.http_get(self.port)
            if status == 200:
                pids.add(json.loads(body)["pid"])
            return len(pids) == WORKERS
        common.wait_for("4 gunicorn workers answering", all_answer, timeout=READY, interval=0.01)

    def recycles(self):
        """Workers that restarted after their max requests so far, from the log."""
        with open(self.log, errors="replace") as f:
            return collections.Counter({"max_requests": f.read().count("Autorestarting worker after current request")})

    def replaced_after(self):
        return []  # gunicorn does not log it

    def settle(self):
        time.sleep(SETTLE)

    def stop(self):
        if self.nginx:
            common.stop(self.nginx)
        common.stop(self.proc, timeout=60)


class GunicornNginxSide(GunicornSide):
    label = "gunicorn + nginx"
    behind_nginx = True


def recycle_run(side_class, recycle, args, round_index):
    """One side (recycling or not) under load for args.seconds after a warm-up; answers its row."""
    with common.scratch_dir("baton-recycle-bench-") as tmp:
        side = side_class(tmp, new_app(tmp), recycle)
        try:
            side.wait_ready()
            run_load(side.port, args.rate, args.warmup)
            before = side.recycles()
            samples = run_load(side.port, args.rate, args.seconds)
            side.settle()
            after = side.recycles()
            replaced_after = side.replaced_after()
        finally:
            side.stop()
            keep_logs(tmp, args.logs, "recycle-%s%s-round%d" % (side.label.replace(" ", ""), "" if recycle else
                                                                 "-baseline", round_index + 1))
    row = figures(samples, args.seconds)
    row.update(name=side.name, recycles=None if after is None or before is None else sum((after - before).values()),
               replaced_after=replaced_after)
    print("recycle round %d, %s: %d requests, %d failed, p99 %.1f ms, %s recycles" % (
        round_index + 1, side.name, row["requests"], row["failed"], row["p99"], row["recycles"]),
        file=sys.stderr, flush=True)
    return row


def recycle_part(args, report):
    recycle = (args.max_requests, args.jitter)
    cells = [(cls, recycle) for cls in [BatonSide, GunicornSide] + ([GunicornNginxSide] if args.nginx else [])]
    if args.baseline:
        cells += [(BatonSide, None), (GunicornSide, None)]
    runs = collections.OrderedDict((cell, []) for cell in cells)
    for r in range(args.rounds):
        for cell in common.rotated(cells, r, args.rounds):
            runs[cell].append(recycle_run(cell[0], cell[1], args, r))
    rows = []
    for (cls, recycling), rs in runs.items():
        kinds = sum((x["kinds"] for x in rs), collections.Counter())
        rows.append([rs[0]["name"], common.spread([x["requests"] for x in rs]),
                     common.spread([x["failed"] for x in rs]),
                     ", ".join("%d %s" % (n, k) for k, n in kinds.most_common()) or "-",
                     common.spread([x["p50"] for x in rs], "%.1f"), common.spread([x["p99"] for x in rs], "%.1f"),
                     common.spread([x["max"] for x in rs], "%.0f"),
                     common.spread([x["recycles"] for x in rs]) if recycling else "-",
                     common.spread([x["rps"] for x in rs])])
    counts = [n for rs in runs.values() for x in rs for n in x["replaced_after"]]
    report.add("Recycling under load, %d s at %d requests/s, after %d s of warm-up (not counted)%s:\n\n%s%s" % (
        args.seconds, args.rate, args.warmup, "; with the same setups not recycling for comparison" if args.baseline
        else "", common.table(["setup", "requests", "failed", "failures by kind (all rounds)", "p50 ms", "p99 ms",
                               "max ms", "workers recycled", "requests/s"], rows),
        "\n\nBaton replaced its workers after %d to %d requests (median %g; the limits were %d to %d), from its log."
        % (min(counts), max(counts), common.median(counts), args.max_requests, args.max_requests + args.jitter)
        if counts else ""))
    baton, gunicorn = runs[(BatonSide, recycle)], runs[(GunicornSide, recycle)]
    for label, key, fmt, unit in (("failed requests", "failed", "%g", ""), ("p99 latency", "p99", "%.1f", " ms")):
        values = [[x[key] for x in rs] for rs in (baton, gunicorn)]
        report.summary.append(("Recycling every %d+%d requests under load: %s, Baton / gunicorn" % (
            args.max_requests, args.jitter, label), common.ratio(common.median(values[0]), common.median(values[1])),
            common.spread(values[0], fmt) + unit, common.spread(values[1], fmt) + unit))


# -- canary reloads --------------------------------------------------------------------------------------------

def canary_reload(baton, timeout, flags=("--canary",)):
    """`baton reload --canary --json`; answers (exit code or None on timeout, [(time, parsed line)], stderr)."""
    lines = []
    with open(os.path.join(os.path.dirname(baton.config), "reload.err"), "w+") as err:
        proc = subprocess.Popen([common.BATON, "reload", *flags, "--json", "-c", baton.config],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True)

        def read():
            for line in proc.stdout:
                try:
                    lines.append((time.monotonic(), json.loads(line)))
                except ValueError:
                    lines.append((time.monotonic(), {"unparsed": line.rstrip()}))
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        reader.join(10)
        err.seek(0)
        stderr = err.read()
        err.seek(0)
        err.truncate()
    return code, lines, stderr


def canary_analysis(kind, version, began, code, lines, stderr, samples, after):
    """One canary reload's row, from its lines and the load's samples (times relative to the reload's start)."""
    summary_at, summary = next(((t, l) for t, l in lines if "summary" in l), (None, None))
    program = ((summary or {}).get("summary") or [{}])[0]
    canary = program.get("canary") or {}
    new = [s for s in samples if s.version == version]
    # the first "canary" step says it gets its share of requests; then "promoted", or "failed" (rolled back)
    serving_at = next((t for t, l in lines if l.get("event") == "canary"), new[0].start if new else None)
    verdict_at, verdict = next(((t, l["event"]) for t, l in lines if l.get("event") in ("promoted", "failed")
                                and serving_at is not None and t >= serving_at), (summary_at, None))
    before_verdict = [s for s in new if verdict_at is None or s.start <= verdict_at]
    later = [s for s in new if verdict_at is not None and s.start > verdict_at + 1.0]

    def since(a, b):
        return None if a is None or b is None else a - b
    return {"kind": kind, "code": code, "outcome": program.get("outcome") or "-",
            "verdict": canary.get("verdict") or verdict or "-",
            "serving": since(serving_at, began), "deciding": since(verdict_at, serving_at),
            "client_first": since(new[0].start if new else None, began), "summary": since(summary_at, began),
            "new": len(before_verdict), "new_failed": sum(1 for s in before_verdict if s.outcome != "ok"),
            "later": len(later) if kind == "bad" else None,
            "baton_counts": (canary.get("canary") or {}).get("requests"),
            "baton_errors": (canary.get("canary") or {}).get("errors"),
            "other_failed": sum(1 for s in samples if s.version != version and s.outcome != "ok"),
            "after": after, "stderr": stderr.strip(),
            "steps": ["%+6.2f s %s" % (t - began, l.get("message") or json.dumps(l)) for t, l in lines]}


def canary_round(args, round_index):
    """One fresh daemon: a bad and a good version deployed with `baton reload --canary`, in an order that alternates
    from round to round; answers their rows."""
    rows = []
    with common.scratch_dir("baton-canary-bench-") as tmp:
        app_dir, port = new_app(tmp), common.free_port()
        baton, _ = baton_daemon(tmp, app_dir, port, canary_weight=10, canary_duration="%ds" % args.canary_duration)
        try:
            baton.wait_healthy("web", WORKERS, timeout=READY)
            run_load(port, args.rate, args.warmup)
            current = "1"
            for n, kind in enumerate(common.rotated(["bad", "good"], round_index, 2)):
                version = "%d%s" % (n + 2, "-bad" if kind == "bad" else "")
                write_version(app_dir, version)
                load = Load(port, args.rate).start()
                try:
                    time.sleep(SETTLE)
                    began = time.monotonic()
                    code, lines, stderr = canary_reload(baton, args.canary_duration + 300)
                    time.sleep(SETTLE)
                    after = collections.Counter(version_at(port) for _ in range(20))
                finally:
                    samples = load.stop()
                row = canary_analysis(kind, version, began, code, lines, stderr, samples, after)
                row["serves"] = "old" if set(after) == {current} else "new" if set(after) == {version} else \
                    "mixed (%s)" % ", ".join("%s: %d" % item for item in after.most_common())
                current = version if set(after) == {version} else current
                rows.append(row)
                print("canary round %d, %s version: exit %s, %s, %s s to the summary, %d answers from it (%d failed)"
                      % (round_index + 1, kind, code, row["outcome"], fmt(row["summary"]), row["new"],
                         row["new_failed"]), file=sys.stderr, flush=True)
        finally:
            baton.stop()
            keep_logs(tmp, args.logs, "canary-round%d" % (round_index + 1))
    return rows


def version_at(port):
    """The version that answers GET / (even with a 500), or what failed."""
    result = loadgen.get(port, timeout=10)
    return result.headers.get("X-App-Version") or result.outcome if result.headers else result.outcome


def seconds(values):
    text = common.spread(values, "%.1f")
    return text if text == "-" else text + " s"


def fmt(value, f="%.1f"):
    return "-" if value is None else f % value


CANARY_HEADERS = ["new version", "`baton reload` exit", "outcome", "reload → canary serving s",
                  "canary serving → verdict s", "reload → summary s",
                  "requests answered by the new version before the verdict", "of which failed",
                  "Baton's canary count: requests / errors", "answered by it > 1 s after the verdict",
                  "other failed requests", "version serving 3 s after (20 GETs)"]


def canary_part(args, report):
    rows = [row for r in range(args.rounds) for row in canary_round(args, r)]
    table_rows = []
    for kind in ("bad", "good"):
        rs = [r for r in rows if r["kind"] == kind]
        served = collections.Counter(r["serves"] for r in rs)
        table_rows.append([
            "answers 500 to half" if kind == "bad" else "good", ", ".join(str(r["code"]) for r in rs),
            ", ".join(sorted(set(r["outcome"] for r in rs))),
            common.spread([r["serving"] for r in rs], "%.1f"), common.spread([r["deciding"] for r in rs], "%.1f"),
            common.spread([r["summary"] for r in rs], "%.1f"), common.spread([r["new"] for r in rs]),
            common.spread([r["new_failed"] for r in rs]),
            "%s / %s" % (common.spread([r["baton_counts"] for r in rs]),
                         common.spread([r["baton_errors"] for r in rs])),
            common.spread([r["later"] for r in rs]) if kind == "bad" else "-",
            common.spread([r["other_failed"] for r in rs]),
            ", ".join("%s × %d" % (v, n) for v, n in served.most_common())])
    report.add("Canary reloads (`baton reload --canary --json`, canary_weight 10, canary_duration %d s) at %d "
               "requests/s:\n\n%s" % (args.canary_duration, args.rate, common.table(CANARY_HEADERS, table_rows)))
    first_bad = next((r for r in rows if r["kind"] == "bad"), None)
    if first_bad:
        report.add("The first bad version's reload, its steps as they streamed (from the reload's start):\n\n```\n%s\n"
                   "```%s" % ("\n".join(first_bad["steps"]) or "(no output)", "\n\nIts stderr:\n\n```\n%s\n```"
                              % first_bad["stderr"] if first_bad["stderr"] else ""))
    for kind, label in (("bad", "rolled back after"), ("good", "promoted after")):
        rs = [r for r in rows if r["kind"] == kind]
        report.summary.append(("Canary of a %s version: %s (reload start → summary)" % (
            "half-failing" if kind == "bad" else "good", label), "n/a", seconds(
            [r["summary"] for r in rs]), "-"))
    bad = [r for r in rows if r["kind"] == "bad"]
    report.summary.append(("Canary of a half-failing version: requests it answered", "n/a", "%s, of which %s failed"
                           % (common.spread([r["new"] for r in bad]), common.spread([r["new_failed"] for r in bad])),
                           "-"))


# -- report, main ----------------------------------------------------------------------------------------------

def run(args):
    gunicorn = common.version_line([common.GUNICORN, "--version"]).split()[-1].rstrip(")")
    report = common.Report(
        "Replacing workers under load: recycling and canary reloads",
        "4 gunicorn %s sync workers of `bench/recycle_app.py` (about 1 s to import; its version in a header); "
        "%d GETs/s on a fixed schedule from 16 threads, 12 on keep-alive connections, 4 one connection per request "
        "(gunicorn's sync workers close every connection: on them every request opens one); failed: anything but "
        "a 200. Recycling: each worker replaced after %d + random(0..%d) requests, Baton `max_requests` (4 "
        "single-worker gunicorn behind its proxy, the successor ready before the old worker drains, one at a time: "
        "`max_surge` 1) against one gunicorn master `-w 4 --max-requests --max-requests-jitter` bound directly%s "
        "(a worker exits after its request, the master forks its successor, which imports the app; any number at "
        "once)%s. Canary: Baton as above without recycling. %d round%s, setups in rotated order, each on fresh "
        "processes; median (min-max)."
        % (gunicorn, args.rate, args.max_requests, args.jitter, " and behind nginx" if args.nginx else "",
           "; both also without recycling" if args.baseline else "", args.rounds, "s" if args.rounds > 1 else ""))
    if args.only in (None, "recycle"):
        recycle_part(args, report)
    if args.only in (None, "canary"):
        canary_part(args, report)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="GETs per second, in total")
    parser.add_argument("--seconds", type=int, default=60, help="seconds of load per recycling run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before measuring (not counted)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each part")
    parser.add_argument("--only", choices=("recycle", "canary"), help="one part only")
    parser.add_argument("--max-requests", type=int, default=500, help="max_requests and gunicorn's --max-requests")
    parser.add_argument("--jitter", type=int, default=100, help="max_requests_jitter, --max-requests-jitter")
    parser.add_argument("--nginx", action="store_true", help="also gunicorn --max-requests behind nginx")
    parser.add_argument("--baseline", action="store_true",
                        help="also Baton and gunicorn not recycling, to tell recycling's cost from the proxy's")
    parser.add_argument("--canary-duration", type=int, default=60, help="canary_duration in seconds")
    parser.add_argument("--logs", help="copy each run's scratch folder (Baton's and gunicorn's logs) here")
    quiet.add_options(parser)
    args = parser.parse_args()
    common.ensure_tools("gunicorn", *(("nginx",) if args.nginx else ()))
    common.run_and_print(lambda: run(args), args)


if __name__ == "__main__":
    sys.exit(main())
