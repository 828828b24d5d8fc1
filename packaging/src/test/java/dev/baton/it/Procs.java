package dev.baton.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Facts about real processes, read from {@code /proc}, and signals sent with {@code kill(1)}.
 *
 * <p>A zombie counts as gone: in a container whose init does not reap, an orphan that was killed stays a zombie
 * forever, yet it runs nothing and holds nothing.
 */
final class Procs {

    private Procs() {
    }

    /** True when {@code pid} exists and is not a zombie. */
    static boolean alive(long pid) {
        return state(pid).map(s -> s != 'Z' && s != 'X').orElse(false);
    }

    /** The one-letter state of {@code /proc/PID/stat} (R, S, Z...); empty when there is no such process. */
    static Optional<Character> state(long pid) {
        return stat(pid).map(fields -> fields[0].charAt(0));
    }

    /** The process group of {@code pid}; -1 when there is no such process. */
    static long pgid(long pid) {
        return stat(pid).map(fields -> Long.parseLong(fields[2])).orElse(-1L);
    }

    /** Live processes whose working folder is {@code dir} or below: a test's workers and their children. */
    static List<Long> runningIn(Path dir) {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.forEach(p -> {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    return;
                }
                try {
                    Path cwd = Files.readSymbolicLink(p.resolve("cwd"));
                    long pid = Long.parseLong(name);
                    if (cwd.startsWith(dir) && alive(pid)) {
                        found.add(pid);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // gone meanwhile, or not ours to read
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** Sends {@code signal} (a name such as USR1 or KILL) to {@code pid}; false when kill(1) failed. */
    static boolean signal(long pid, String signal) {
        return kill("-s", signal, "--", Long.toString(pid));
    }

    /** Sends {@code signal} to every process of group {@code pgid}; false when kill(1) failed. */
    static boolean signalGroup(long pgid, String signal) {
        return kill("-s", signal, "--", "-" + pgid);
    }

    private static boolean kill(String... args) {
        List<String> command = new ArrayList<>(List.of("kill"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Fields of {@code /proc/PID/stat} after the command name: state, ppid, pgrp, ... */
    private static Optional<String[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Optional.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
