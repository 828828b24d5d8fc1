#!/usr/bin/env python3
"""Profile Baton's proxy under load: CPU per request (user and kernel apart), system calls per request, a perf
or a JDK Flight Recorder profile. The recipes of docs/performance.md, in one script.

    mvn -q package -DskipTests && python3 bench/profile.py [--backend fast|gunicorn] [--tool cpu|syscalls|perf|jfr]
        [--warmup 20] [--seconds 10] [--output FILE] [--peer]

Starts Baton with 4 workers (bench/fast_app.py, or gunicorn sync with max_inflight = 1), warms it up with
`wrk -t2 -c32` (the JIT compiler works for 15 to 30 s of full load on 2 cores: a profile taken earlier measures
the compiler), then measures for --seconds:
  cpu       requests/s, CPU per request of the daemon, user and kernel apart (and nginx's, with --peer)
  syscalls  strace -f -c: each system call per request (and nginx's, with --peer); strace slows the daemon down
  perf      perf record of the daemon with its JIT code named (-XX:+DumpPerfMapAtExit); prints perf report
  jfr       a JDK Flight Recorder recording (settings=profile); prints the hot methods and allocations
Not a benchmark: nothing here waits for a quiet machine or repeats. Everything stays on 127.0.0.1.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import common


def daemon_opts():
    """The launcher's default daemon flags (bin/baton's daemon_opts)."""
    with open(os.path.join(common.ROOT, "packaging", "target", "baton", "bin", "baton")) as f:
        return re.search(r'daemon_opts="(.*?)"', f.read(), re.S).group(1).replace("\\\n", " ")


def cpu_seconds(pids):
    """(user, kernel) CPU seconds of pids, from /proc/PID/stat."""
    user = kernel = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        user, kernel = user + int(fields[11]), kernel + int(fields[12])
    hz = os.sysconf("SC_CLK_TCK")
    return user / hz, kernel / hz


def wrk(port, seconds):
    out = subprocess.run(["wrk", "-t2", "-c32", "-d%ds" % seconds, "http://127.0.0.1:%d/" % port],
                         capture_output=True, text=True, check=True).stdout
    return int(next(line for line in out.splitlines() if "requests in" in line).split()[0])


def cpu(name, port, pids, seconds):
    before = cpu_seconds(pids)
    requests = wrk(port, seconds)
    after = cpu_seconds(pids)
    user, kernel = ((a - b) * 1e6 / requests for a, b in zip(after, before))
    print("%-6s %7.0f requests/s  CPU per request %6.1f µs (user %5.1f, kernel %5.1f)"
          % (name, requests / seconds, user + kernel, user, kernel))


def syscalls(name, port, pids, seconds, output):
    args = ["strace", "-f", "-c", "-o", output]
    for pid in pids:
        args += ["-p", str(pid)]
    tracer = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached to every thread
    requests = wrk(port, seconds)
    tracer.terminate()
    tracer.wait()
    print("%s: %d requests" % (name, requests))
    with open(output) as f:
        for line in f.read().splitlines()[2:]:
            fields = line.split()
            if len(fields) >= 5 and fields[3].isdigit() and int(fields[3]) >= requests / 100:
                print("  %-14s %6.2f per request" % (fields[-1], int(fields[3]) / requests))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("fast", "gunicorn"), default="fast")
    parser.add_argument("--tool", choices=("cpu", "syscalls", "perf", "jfr"), default="cpu")
    parser.add_argument("--warmup", type=int, default=20, help="seconds of load before measuring")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--output", help="where the recording goes (perf, jfr, syscalls)")
    parser.add_argument("--peer", action="store_true", help="cpu and syscalls: nginx on the same workers too")
    args = parser.parse_args()
    common.ensure_tools(*(["wrk"] + (["gunicorn"] if args.backend == "gunicorn" else [])
                          + (["nginx"] if args.peer else []) + {"syscalls": ["strace"], "perf": ["perf"]}
                          .get(args.tool, [])))
    common.install_signal_handlers()
    output = os.path.abspath(args.output or {"perf": "baton.perf.data", "jfr": "baton.jfr",
                                             "syscalls": "baton.strace.txt"}.get(args.tool, "-"))
    if args.tool == "perf":
        os.environ["BATON_DAEMON_OPTS"] = daemon_opts() + " -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"
    elif args.tool == "jfr":
        os.environ["BATON_DAEMON_OPTS"] = daemon_opts() + (" -XX:StartFlightRecording=filename=%s,settings=profile,"
                                                           "dumponexit=true" % output)
    if args.backend == "fast":
        command, inflight = common.command_line(common.PYTHON, os.path.join(common.BENCH, "fast_app.py"),
                                                "--port", "{port}"), 0
    else:
        command, inflight = common.gunicorn_command("wsgi_app:app", common.BENCH), 1
    with common.scratch_dir("baton-profile-") as tmp:
        port, nginx_port = common.free_ports(2)
        baton = common.Baton(os.path.join(tmp, "baton"), common.baton_program(
            "web", command, 4, listen="127.0.0.1:%d" % port, health_check="/healthz", max_inflight=inflight))
        nginx = None
        try:
            ports = baton.wait_healthy("web", 4)
            targets = [("Baton", port, [baton.pid])]
            if args.peer:
                nginx = common.start_nginx(os.path.join(tmp, "nginx"), ports, nginx_port)
                targets.append(("nginx", nginx_port, [nginx.pid] + common.children(nginx.pid)))
            for _, p, _ in targets:
                wrk(p, args.warmup)
            pid = baton.pid
            if args.tool == "perf":
                loader = subprocess.Popen(["wrk", "-t2", "-c32", "-d%ds" % (args.seconds + 2),
                                           "http://127.0.0.1:%d/" % port], stdout=subprocess.DEVNULL)
                time.sleep(1)
                subprocess.run(["perf", "record", "-F", "999", "-p", str(pid), "-o", output, "--", "sleep",
                                str(args.seconds)], capture_output=True, check=True)
                loader.wait()
            elif args.tool == "jfr":
                wrk(port, args.seconds)
            else:
                for name, p, pids in targets:
                    if args.tool == "cpu":
                        cpu(name, p, pids, args.seconds)
                    else:
                        syscalls(name, p, pids, args.seconds, output + "." + name.lower())
        finally:
            if nginx:
                common.stop(nginx)
            baton.stop()  # the perf map and the recording are written as the daemon exits
    if args.tool == "perf":
        for sort in ("dso", "sym"):
            report = subprocess.run(["perf", "report", "-i", output, "--sort", sort, "--stdio"],
                                    capture_output=True, text=True).stdout
            print("\n".join([line for line in report.splitlines() if line and not line.startswith("#")][:40]))
    elif args.tool == "jfr":
        for event in ("jdk.ExecutionSample", "jdk.ObjectAllocationSample"):
            text = subprocess.run(["jfr", "print", "--events", event, "--stack-depth", "1", output],
                                  capture_output=True, text=True).stdout
            frames = [line.strip().split("line:")[0] for line in text.splitlines()
                      if line.startswith("    ") and "(" in line and "=" not in line]
            counts = {}
            for frame in frames:
                counts[frame] = counts.get(frame, 0) + 1
            print("%s, top frames of %d samples:" % (event, len(frames)))
            for frame, n in sorted(counts.items(), key=lambda kv: -kv[1])[:25]:
                print("  %5d  %s" % (n, frame))
        print("recording: %s" % output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
