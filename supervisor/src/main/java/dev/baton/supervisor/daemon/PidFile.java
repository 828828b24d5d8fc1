package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Log;

import dev.baton.conf.Signal;
import dev.baton.supervisor.process.Posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The process groups of the running workers, kept next to the control socket ({@code baton.sock.pids}).
 *
 * <p>Each worker also gets a parent-death signal, so it ends when Baton is SIGKILLed; but its own children may
 * outlive it. The next {@code baton run} on the same configuration reads this file and stops whatever is left of
 * those groups before it starts anything. A group is only touched if its leader is gone or still is the very
 * process recorded (same start time): a recycled pid is never signalled.
 */
final class PidFile {

    /** One worker process group: leader pid (= group id), its start time in clock ticks, its worker name. */
    record Entry(int pgid, long startTime, String worker) {
    }

    private final Path file;

    PidFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    void write(List<Entry> entries) {
        StringBuilder s = new StringBuilder("# baton pid " + ProcessHandle.current().pid()
                + ": pgid starttime worker\n");
        for (Entry e : entries) {
            s.append(e.pgid()).append(' ').append(e.startTime()).append(' ').append(e.worker()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, s);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Log.warn("cannot write " + file + ": " + e.getMessage());
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort on the way out
        }
    }

    /**
     * Stops the worker groups a previous Baton left behind: SIGTERM, then SIGKILL for what is still there after
     * {@code graceMillis}. Answers the workers it found alive.
     */
    List<String> stopLeftovers(long graceMillis, LongSupplier clock) {
        List<Entry> alive = new ArrayList<>();
        for (Entry e : read()) {
            long start = startTime(e.pgid());
            boolean sameLeader = start == e.startTime();
            boolean leaderGone = start < 0;
            if (Posix.groupAlive(e.pgid()) && (sameLeader || leaderGone)) {
                alive.add(e);
                Posix.kill(e.pgid(), Signal.TERM.number(), true);
            }
        }
        long deadline = clock.getAsLong() + graceMillis;
        while (alive.stream().anyMatch(e -> Posix.groupAlive(e.pgid())) && clock.getAsLong() < deadline) {
            sleepBriefly();
        }
        for (Entry e : alive) {
            if (Posix.groupAlive(e.pgid())) {
                Posix.kill(e.pgid(), Signal.KILL.number(), true);
            }
        }
        delete();
        return alive.stream().map(Entry::worker).toList();
    }

    private List<Entry> read() {
        List<Entry> entries = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split(" ");
                if (line.startsWith("#") || f.length < 3) {
                    continue;
                }
                try {
                    entries.add(new Entry(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]));
                } catch (NumberFormatException ignored) {
                    // a damaged line names nothing we could safely signal
                }
            }
        } catch (IOException e) {
            return entries;
        }
        return entries;
    }

    /** Field 22 of {@code /proc/PID/stat}, the start time in clock ticks since boot; -1 when no such process. */
    static long startTime(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
