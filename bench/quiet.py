"""Whether the machine is quiet enough to measure on: a wait for a low load average before a benchmark section, and
what the machine did while it ran (load average at its start and end, CPU that other processes used).

A section's own processes do not count as others: the machine's busy CPU time (/proc/stat) less that of this
process and of every process it started, read once all of them have been stopped and reaped (os.times()), plus
that of the descendants that outlived their parent and were reaped by init (Orphans). Standard library only.
"""
import collections
import os
import sys
import threading
import time

# A section starts once the 1-minute load average is below half the cores (1.0 on 2 cores): whatever else runs
# then leaves the load generator, the proxy and the workers most of the CPU. It waits at most QUIET_WAIT seconds.
QUIET_LOAD = (os.cpu_count() or 2) / 2.0
QUIET_WAIT = 600
# Cores that other processes may use on average while a section runs (its own processes, all reaped at its end,
# do not count) before its figures are flagged: an eighth of 2 cores.
OTHER_CPU_LIMIT = 0.25

Quiet = collections.namedtuple("Quiet", "load waited quiet threshold")


def wait_for_quiet(threshold=QUIET_LOAD, bound=QUIET_WAIT, interval=5.0, every=30.0):
    """Waits until the 1-minute load average is below threshold, at most bound seconds (0: do not wait), saying so
    on stderr at once and every `every` seconds. Answers Quiet(load average it ended on, seconds waited, whether
    that load is below threshold, threshold)."""
    started = time.monotonic()
    said = None
    while True:
        load, waited = round(os.getloadavg()[0], 2), time.monotonic() - started  # as printed: 0.996 is not quiet
        if load < threshold or waited >= bound:
            if said is not None:
                print("%s after %.0f s: load average %.2f" % ("quiet" if load < threshold else "still busy",
                                                              waited, load), file=sys.stderr, flush=True)
            return Quiet(load, waited, load < threshold, threshold)
        if said is None or time.monotonic() - said >= every:
            said = time.monotonic()
            print("waiting for a quiet machine: load average %.2f, quiet below %.2f (%.0f s of at most %.0f s)"
                  % (load, threshold, waited, bound), file=sys.stderr, flush=True)
        time.sleep(max(0.1, min(interval, bound - waited)))


def machine_cpu_seconds():
    """CPU seconds the whole machine spent busy since boot, from /proc/stat: user, nice, system, irq, softirq (a
    process's system time includes the softirq work it does, loopback traffic's in particular) and steal (the
    CPU the hypervisor gave to another machine)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]] + [0] * 8
    user, nice, system, irq, softirq, steal = fields[0], fields[1], fields[2], fields[5], fields[6], fields[7]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    """CPU seconds of this process and of its descendants that have been reaped (each reaped by its parent)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Orphans(threading.Thread):
    """Looks at this process's descendants every second and remembers the CPU seconds of those that outlive their
    parent (the new daemon of `baton upgrade`): init reaps them, so their CPU time never reaches os.times(). A look
    reads every /proc/PID/stat: about 2 ms with 150 processes."""

    def __init__(self, interval=1.0):
        super().__init__(daemon=True, name="orphans")
        self.interval, self.stopping = interval, threading.Event()
        self.ours = set()  # (pid, start time) of every descendant seen
        self.cpu = {}      # (pid, start time) -> CPU seconds of an orphaned descendant, itself and its reaped children

    def run(self):
        while not self.stopping.wait(self.interval):
            self.look()

    def look(self):
        procs = {}  # pid -> (ppid, key, CPU ticks)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                procs[int(entry)] = (int(fields[1]), (int(entry), int(fields[19])),
                                     sum(int(v) for v in fields[11:15]))
        me, changed = os.getpid(), True
        while changed:  # descendants: children of this process or of a descendant, and whoever was one before
            changed = False
            for pid, (ppid, key, _) in procs.items():
                if key not in self.ours and (ppid == me or ppid in procs and procs[ppid][1] in self.ours):
                    self.ours.add(key)
                    changed = True
        for pid, (ppid, key, ticks) in procs.items():
            if key in self.ours and ppid != me and not (ppid in procs and procs[ppid][1] in self.ours):
                self.cpu[key] = ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        """Stops looking; answers the orphans' CPU seconds, as last seen."""
        self.stopping.set()
        self.join()
        self.look()
        return sum(self.cpu.values())


class Conditions:
    """The machine around one section: the wait for a quiet machine, the load average at start and at the end, and
    the cores other processes used meanwhile: the machine's busy CPU time less this process tree's (its own, its
    reaped descendants', and its orphaned ones'), read once the section has stopped everything it started."""

    def __init__(self, quiet):
        self.quiet = quiet  # wait_for_quiet()'s answer
        self.load_before, self.load_after, self.other_cores, self.seconds = os.getloadavg(), None, None, None
        self.orphans = Orphans()
        self.started = (time.monotonic(), machine_cpu_seconds(), own_cpu_seconds())
        self.orphans.start()

    def finish(self):
        """Reads the load average and the CPU others used; call once the section stopped all it started."""
        orphaned = self.orphans.stop()
        wall, machine, own = (time.monotonic() - self.started[0], machine_cpu_seconds() - self.started[1],
                              own_cpu_seconds() - self.started[2] + orphaned)
        self.load_after, self.other_cores = os.getloadavg(), max(0.0, machine - own) / max(1e-9, wall)
        self.seconds = wall
        return self

    def busy(self):
        """Why the section's figures are not comparable with a quiet run's, or None."""
        reasons = []
        if not self.quiet.quiet:
            reasons.append("load average %.2f at start (quiet is below %.2f; waited %.0f s)"
                           % (self.quiet.load, self.quiet.threshold, self.quiet.waited))
        if self.other_cores is not None and self.other_cores >= OTHER_CPU_LIMIT:
            reasons.append("other processes used %.2f cores on average while it ran (at most %.2f for a quiet run)"
                           % (self.other_cores, OTHER_CPU_LIMIT))
        return "; ".join(reasons) or None

    def markdown(self):
        """One line on the load: always; and a warning to put first when the machine was busy."""
        line = ("*Machine: load average %.2f at start%s, %.2f at the end (this section's own load included); other "
                "processes used %.2f cores on average during its %.0f s.*"
                % (self.load_before[0], ", after waiting %.0f s for it to fall below %.2f" % (
                    self.quiet.waited, self.quiet.threshold) if self.quiet.waited >= 1 else "",
                   self.load_after[0], self.other_cores, self.seconds))
        reason = self.busy()
        warning = "**Measured on a busy machine: %s. The figures below are not comparable.**" % reason if reason \
            else None
        return warning, line


def add_options(parser):
    """--quiet-load, --max-wait and --no-wait, for common.measured()."""
    parser.add_argument("--quiet-load", type=float, default=QUIET_LOAD,
                        help="start once the 1-minute load average is below this (default %.1f: half the cores)"
                             % QUIET_LOAD)
    parser.add_argument("--max-wait", type=float, default=QUIET_WAIT,
                        help="seconds to wait at most for that, then measure anyway, flagged (default %d)" % QUIET_WAIT)
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine (a smoke run)")


def settings(args):
    """(threshold, bound) for common.measured() from add_options()'s arguments."""
    return args.quiet_load, 0 if args.no_wait else args.max_wait
