package dev.baton.supervisor.metrics;

import dev.baton.supervisor.process.Posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resident memory and CPU time of processes, read from {@code /proc}: a worker's are those of its whole process
 * group (gunicorn's master and its workers, a shell and its children), since every worker leads its own. A
 * process that exits while it is read is left out; nothing here throws for a vanished process.
 */
public final class ProcessTable {

    /** What a process, or a group of them, uses now. */
    public record Usage(long residentBytes, double cpuSeconds) {
        Usage plus(Usage other) {
            return new Usage(residentBytes + other.residentBytes, cpuSeconds + other.cpuSeconds);
        }
    }

    /** One line of {@code /proc/PID/stat}, the fields used. */
    record Stat(int pgrp, long utimeTicks, long stimeTicks, long rssPages) {
    }

    private static final Path PROC = Path.of("/proc");

    private final long ticksPerSecond;
    private final long pageSize;

    public ProcessTable() {
        this(Posix.clockTicksPerSecond(), Posix.pageSize());
    }

    ProcessTable(long ticksPerSecond, long pageSize) {
        this.ticksPerSecond = ticksPerSecond;
        this.pageSize = pageSize;
    }

    /** The usage of each of {@code groups} that has a process; one pass over {@code /proc}. */
    public Map<Integer, Usage> groups(Set<Integer> groups) {
        Map<Integer, Usage> usage = new HashMap<>();
        if (groups.isEmpty()) {
            return usage;
        }
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
            for (Path pid : pids) {
                read(pid.resolve("stat")).filter(s -> groups.contains(s.pgrp()))
                        .ifPresent(s -> usage.merge(s.pgrp(), usage(s), Usage::plus));
            }
        } catch (IOException e) {
            return usage; // no /proc: no figures rather than an error
        }
        return usage;
    }

    /** This process's own usage. */
    public Optional<Usage> self() {
        return read(PROC.resolve("self/stat")).map(this::usage);
    }

    private Usage usage(Stat s) {
        return new Usage(s.rssPages() * pageSize, (double) (s.utimeTicks() + s.stimeTicks()) / ticksPerSecond);
    }

    private static Optional<Stat> read(Path stat) {
        try {
            return parse(Files.readString(stat, StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // exited meanwhile
        }
    }

    /**
     * Parses a {@code /proc/PID/stat} line: the command name (field 2) is in parentheses and may hold spaces and
     * parentheses itself, so the fields are counted from the last ')'. See proc(5).
     */
    static Optional<Stat> parse(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state): field N is f[N - 3]
        if (f.length < 22) {
            return Optional.empty();
        }
        return Optional.of(new Stat(Integer.parseInt(f[5 - 3]), Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3]),
                Long.parseLong(f[24 - 3])));
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
