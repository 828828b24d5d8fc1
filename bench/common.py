"""Helpers shared by the benchmark scripts: tools, ports, processes, Baton, nginx, HAProxy, wrk, Markdown.

Every process a benchmark starts goes through spawn(): it runs in its own process group and is stopped by
stop_all() (called from each script's finally block and at exit), so Ctrl-C or a failure leaves nothing behind.
Everything listens on 127.0.0.1 or on unix sockets in a scratch folder that is removed afterwards.
"""
import atexit
import collections
import contextlib
import http.client
import json
import math
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import quiet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
BATON = os.path.join(ROOT, "packaging", "target", "baton", "bin", "baton")
# Debian's gunicorn and the python3 it runs on: a python3 earlier on the PATH (pyenv...) may not import gunicorn.
GUNICORN = "/usr/bin/gunicorn"
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

# tool -> Debian package
PACKAGES = {"nginx": "nginx", "haproxy": "haproxy", "supervisord": "supervisor", "supervisorctl": "supervisor",
            "gunicorn": "gunicorn", "wrk": "wrk", "hyperfine": "hyperfine"}


def ensure_tools(*tools):
    """Installs the Debian packages of the missing tools (as root), and checks that Baton is built."""
    missing = sorted({PACKAGES[t] for t in tools if not have(t)})
    if missing:
        if os.geteuid() != 0:
            sys.exit("missing: %s (apt-get install %s)" % (", ".join(missing), " ".join(missing)))
        print("installing %s with apt-get" % " ".join(missing), file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not os.access(BATON, os.X_OK):
        sys.exit("build Baton first: mvn -q package -DskipTests")


def have(tool):
    if tool == "gunicorn":
        return os.access(GUNICORN, os.X_OK)
    return shutil.which(tool) is not None or os.access("/usr/sbin/" + tool, os.X_OK)


def tool_path(tool):
    return shutil.which(tool) or "/usr/sbin/" + tool


# -- ports, polling, HTTP --------------------------------------------------------------------------------------

def free_ports(n):
    """n distinct free loopback ports (free when asked: the kernel does not hand them out again at once)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port():
    return free_ports(1)[0]


def wait_for(what, check, timeout=60.0, interval=0.05):
    """Polls check() until it answers something true, and answers that; TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except (OSError, ValueError, KeyError, http.client.HTTPException):
            pass
        time.sleep(interval)
    raise TimeoutError("timed out after %.0f s waiting for %s" % (timeout, what))


def http_get(port, path="/", timeout=2.0):
    """(status, body) of one GET on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=5.0):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


# -- processes -------------------------------------------------------------------------------------------------

_started = []


def spawn(args, log=None, **kwargs):
    """Starts a process in its own process group (session), stdout and stderr to log (a path) or nowhere."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, **kwargs)
    finally:
        if log:
            out.close()
    _started.append(proc)
    return proc


def stop(proc, sig=signal.SIGTERM, timeout=30.0):
    """Sends sig to the process group, waits, then SIGKILLs the group. Safe to call twice."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group
    if proc.poll() is None:
        proc.wait(timeout=10)
    if proc in _started:
        _started.remove(proc)


def stop_all():
    """Stops every process spawn() started that is still registered, newest first."""
    for proc in reversed(list(_started)):
        try:
            stop(proc, timeout=10)
        except Exception as e:  # keep stopping the others
            print("stopping pid %d: %s" % (proc.pid, e), file=sys.stderr)


def _terminated(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def run_and_print(make_report, args):
    """A section script's main: waits for a quiet machine (quiet.add_options()'s args), runs make_report() with
    cleanup on any exit, then prints its report and summary."""
    install_signal_handlers()
    report = measured(make_report, *quiet.settings(args))
    print(report.markdown())
    print(table(["comparison", "ratio", "Baton", "peer"], report.summary_rows()))


def measured(make_report, threshold=quiet.QUIET_LOAD, bound=quiet.QUIET_WAIT):
    """Waits for a quiet machine, runs make_report(), stops whatever it left running; answers its Report with
    the machine's conditions attached."""
    conditions = quiet.Conditions(quiet.wait_for_quiet(threshold, bound))
    try:
        report = make_report()
    finally:
        stop_all()
    report.conditions = conditions.finish()
    return report


def install_signal_handlers():
    """SIGTERM and SIGHUP unwind like Ctrl-C, so that finally blocks stop what was started."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminated)


atexit.register(stop_all)


@contextlib.contextmanager
def scratch_dir(prefix):
    path = tempfile.mkdtemp(prefix=prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def cpu_ticks(pids):
    """User + system CPU of these processes (all their threads), in clock ticks."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def memory_mib(pid, field="VmRSS"):
    """VmRSS (resident now) or VmHWM (peak resident) of a process, in MiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


# -- Baton -----------------------------------------------------------------------------------------------------

def toml_str(text):
    return json.dumps(text)  # a JSON string of printable text is a TOML basic string


def command_line(*words):
    return " ".join(shlex.quote(str(w)) for w in words)


def gunicorn_command(module, directory, bind="127.0.0.1:{port}", extra=()):
    """One gunicorn master with one sync worker (single-threaded), Debian's gunicorn."""
    return command_line(GUNICORN, module, "--chdir", directory, "--bind", bind, "--workers", "1",
                        "--log-level", "warning", *extra)


def baton_program(name, command, numprocs, **keys):
    """A [program.NAME] table; keys are TOML keys with Python values (str, int, bool, dict of str)."""
    lines = ["[program.%s]" % name, "command = " + toml_str(command), "numprocs = %d" % numprocs]
    return "\n".join(lines + toml_lines(keys)) + "\n"


def toml_lines(keys):
    """One `key = value` line per key, from Python values (str, int, bool, dict of str)."""
    lines = []
    for key, value in keys.items():
        if isinstance(value, bool):
            lines.append("%s = %s" % (key, "true" if value else "false"))
        elif isinstance(value, int):
            lines.append("%s = %d" % (key, value))
        elif isinstance(value, dict):
            lines.append("%s = { %s }" % (key, ", ".join("%s = %s" % (k, toml_str(v)) for k, v in value.items())))
        else:
            lines.append("%s = %s" % (key, toml_str(value)))
    return lines


class Baton:
    """A Baton daemon on its own configuration in folder, queried on its control socket; settings: more keys of
    its [baton] table, as toml_lines() takes them."""

    def __init__(self, folder, *programs, settings=None):
        os.makedirs(folder, exist_ok=True)
        self.config = os.path.join(folder, "baton.toml")
        self.socket = os.path.join(folder, "baton.sock")
        with open(self.config, "w") as f:
            f.write("\n".join(['[baton]', 'socket = "baton.sock"'] + toml_lines(settings or {})) + "\n\n"
                    + "\n".join(programs))
        self.proc = spawn([BATON, "run", "-c", self.config], log=os.path.join(folder, "baton.log"))
        self.pid = self.proc.pid  # bin/baton execs java: the launcher's pid is the JVM's

    def status(self):
        conn = UnixHTTPConnection(self.socket)
        try:
            conn.request("GET", "/v1/status")
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def workers(self, program=None):
        if self.proc.poll() is not None:
            raise RuntimeError("baton exited with status %d, see its log" % self.proc.returncode)
        return [w for w in self.status()["workers"] if program is None or w["program"] == program]

    def wait_healthy(self, program, numprocs, timeout=60.0):
        """Waits until numprocs workers of program pass their health checks; answers their ports."""
        def healthy():
            ws = self.workers(program)
            if len(ws) == numprocs and all(w.get("backend") == "HEALTHY" for w in ws):
                return [w["port"] for w in sorted(ws, key=lambda w: w["index"])]
            return None
        return wait_for("Baton's %d %s workers healthy" % (numprocs, program), healthy, timeout)

    def wait_running(self, numprocs, timeout=60.0):
        def running():
            ws = self.workers()
            return len(ws) == numprocs and all(w["state"] == "RUNNING" for w in ws)
        return wait_for("Baton's %d workers RUNNING" % numprocs, running, timeout)

    def cli(self, *args, timeout=120):
        return subprocess.run([BATON] + list(args) + ["-c", self.config], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.cli("shutdown", timeout=60)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=60)
        stop(self.proc)  # SIGTERM also stops Baton gracefully; its workers get their stopsignal if it is killed


# -- nginx and HAProxy -----------------------------------------------------------------------------------------

def start_nginx(folder, backends, port, keepalive=64):
    """nginx in front of backends: round robin, HTTP/1.1 keep-alive to them, no access log."""
    os.makedirs(folder, exist_ok=True)
    conf = os.path.join(folder, "nginx.conf")
    servers = "\n".join("        server 127.0.0.1:%d;" % p for p in backends)
    with open(conf, "w") as f:
        f.write("""worker_processes auto;
pid %(dir)s/nginx.pid;
error_log %(dir)s/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %(dir)s/body;
    proxy_temp_path %(dir)s/proxy;
    upstream workers {
%(servers)s
        keepalive %(keepalive)d;
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
""" % {"dir": folder, "servers": servers, "port": port, "keepalive": keepalive})
    proc = spawn([tool_path("nginx"), "-p", folder, "-c", conf, "-g", "daemon off;"],
                 log=os.path.join(folder, "nginx.out"))
    wait_for("nginx on port %d" % port, lambda: proc.poll() is None and port_open(port), timeout=30)
    return proc


def start_haproxy(folder, backends, port, balance="roundrobin", maxconn=None):
    """HAProxy in front of backends: http mode, keep-alive both sides (http-reuse safe, its default), no log,
    no active health checks (like nginx). maxconn N per server makes HAProxy queue the rest itself."""
    os.makedirs(folder, exist_ok=True)
    conf = os.path.join(folder, "haproxy.cfg")
    limit = " maxconn %d" % maxconn if maxconn else ""
    servers = "\n".join("    server w%d 127.0.0.1:%d%s" % (i, p, limit) for i, p in enumerate(backends))
    with open(conf, "w") as f:
        f.write("""global
    maxconn 8192
defaults
    mode http
    option http-keep-alive
    http-reuse safe
    timeout connect 5s
    timeout client 75s
    timeout server 60s
    timeout queue 30s
    timeout http-keep-alive 75s
frontend bench
    bind 127.0.0.1:%(port)d
    default_backend workers
backend workers
    balance %(balance)s
    option forwardfor
%(servers)s
""" % {"port": port, "balance": balance, "servers": servers})
    proc = spawn([tool_path("haproxy"), "-db", "-f", conf], log=os.path.join(folder, "haproxy.out"))
    wait_for("HAProxy on port %d" % port, lambda: proc.poll() is None and port_open(port), timeout=30)
    return proc


def port_open(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def version_line(args):
    """First line a tool prints about its version (stdout or stderr), or "not installed"."""
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    text = (out.stdout + out.stderr).strip()
    return text.splitlines()[0].strip() if text else "unknown"


# -- wrk -------------------------------------------------------------------------------------------------------

# latencies in ms; cpu_us: the proxy's CPU time per request in microseconds, None when not measured
WrkResult = collections.namedtuple("WrkResult", "rps p50 p99 errors requests cpu_us")


def wrk(url, connections, seconds, threads=2, script=None, proxy_pids=()):
    """wrk -tT -cC -dS --latency url; with proxy_pids, their CPU time per request in microseconds."""
    before = cpu_ticks(proxy_pids)
    args = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    ticks = cpu_ticks(proxy_pids) - before
    return parse_wrk(out, ticks, bool(proxy_pids))


def warm_up(url, connections, seconds, threads, script=None, step=2):
    """Load in runs of step seconds for at least `seconds`, then until two runs in a row agree within 10% on
    requests/s (Baton's JIT compiles for a while, longer on busy cores), for at most 3 × seconds."""
    elapsed, last = 0, None
    while elapsed < max(seconds, 1) * 3:
        rps = wrk(url, connections, step, threads=threads, script=script).rps
        elapsed += step
        if elapsed >= seconds and last is not None and abs(rps - last) <= 0.1 * max(rps, last):
            return elapsed
        last = rps
    return elapsed


def parse_wrk(out, ticks=0, measured_cpu=False):
    def field(pattern):
        match = re.search(pattern, out, re.M)
        if match is None:
            raise RuntimeError("cannot read wrk's output (no %r):\n%s" % (pattern, out))
        return match.group(1)
    # wrk pads a one-letter unit with a space: "     99%    1.02s "
    p50, p99 = latency_ms(field(r"^\s+50%\s+(\S+)\s*$")), latency_ms(field(r"^\s+99%\s+(\S+)\s*$"))
    requests, rps = int(field(r"(\d+) requests in")), float(field(r"Requests/sec:\s+([\d.]+)"))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    cpu_us = ticks * 1_000_000.0 / os.sysconf("SC_CLK_TCK") / max(1, requests) if measured_cpu else None
    return WrkResult(rps, p50, p99, errors + (int(non2xx.group(1)) if non2xx else 0), requests, cpu_us)


def latency_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def spread_script(folder, ports):
    """A wrk script that gives thread i the port ports[i mod n] (run wrk with as many threads as ports)."""
    path = os.path.join(folder, "spread.lua")
    with open(path, "w") as f:
        f.write("local ports = {%s}\nlocal n = 0\n"
                "function setup(thread)\n"
                "    n = n + 1\n"
                "    thread.addr = wrk.lookup(\"127.0.0.1\", tostring(ports[(n - 1) %% #ports + 1]))[1]\n"
                "end\n" % ", ".join(str(p) for p in ports))
    return path


# -- statistics and Markdown -----------------------------------------------------------------------------------

def percentile(values, q):
    """The q-th percentile (0-100) of values, nearest rank; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * q / 100.0) - 1))]


def median(values):
    """The median of values (the mean of the middle two when even); nan when empty."""
    return statistics.median(values) if values else float("nan")


def spread(values, fmt="%.0f"):
    """"median (min-max)" of the runs' values, each in fmt; just the value when there is one run, "-" when none."""
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return fmt % values[0]
    return ("%s (%s-%s)" % (fmt, fmt, fmt)) % (median(values), min(values), max(values))


def rotated(items, round_index, rounds):
    """items in the order of round round_index of rounds: each round starts round_index / rounds of the way down
    the list, so that no item always comes first (or right after another one)."""
    start = round_index * len(items) // max(1, rounds)
    return list(items[start:]) + list(items[:start])


def ratio(a, b):
    if a is None or b is None or b == 0 or a != a or b != b:
        return "n/a"
    return "%.2f×" % (a / b)


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


class Report:
    """One benchmark section: a title, a paragraph on its method, tables, and its lines of the summary table
    (comparison, ratio, Baton's value, the peer's value)."""

    def __init__(self, title, method=""):
        self.title, self.method = title, method
        self.blocks = []   # Markdown paragraphs and tables, in order
        self.summary = []  # (comparison, ratio, baton, peer)
        self.conditions = None  # quiet.Conditions, set by measured()

    def add(self, text):
        self.blocks.append(text)

    def busy(self):
        return self.conditions is not None and self.conditions.busy() is not None

    def summary_rows(self, where="this section"):
        """The summary lines, each marked when the machine was busy (see `where` for why)."""
        mark = " **[busy machine: %s]**" % where if self.busy() else ""
        return [(comparison + mark,) + tuple(rest) for comparison, *rest in self.summary]

    def markdown(self, level="##", number=None):
        parts = ["%s %s%s" % (level, "%d. " % number if number else "", self.title)]
        warning, load = self.conditions.markdown() if self.conditions else (None, None)
        if warning:
            parts.append(warning)
        if self.method:
            parts.append(self.method)
        if load:
            parts.append(load)
        parts += self.blocks
        return "\n\n".join(parts) + "\n"
