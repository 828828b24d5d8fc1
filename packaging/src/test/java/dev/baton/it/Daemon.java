package dev.baton.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One {@code baton run} process started by a test; its stdout and stderr go to files in the sandbox. */
final class Daemon {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    Daemon(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The daemon's pid: the launcher execs java, so this is the JVM itself. */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Sends {@code signal} (TERM, HUP, USR1, KILL...) to the daemon. */
    void signal(String signal) {
        if (!Procs.signal(pid(), signal)) {
            throw new AssertionError("kill -s " + signal + " " + pid() + " failed\n" + tail());
        }
    }

    /** Waits for the daemon to exit and answers its exit code; fails when it does not within {@code timeout}. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("baton run (pid " + pid() + ") still running after "
                        + timeout.toSeconds() + " s\n" + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every process below the daemon now: its workers and their children. */
    List<Long> descendants() {
        return process.descendants().map(ProcessHandle::pid).toList();
    }

    /** Everything the daemon printed on stderr (its own log). */
    String stderr() {
        return read(stderr);
    }

    String stdout() {
        return read(stdout);
    }

    /** The daemon's warnings, requests and exits (the last 60), for the failure messages of load tests. */
    String proxyLog() {
        List<String> lines = stderr().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")
                || l.contains("web: GET ") || l.contains("-> EXITED")).toList();
        return "--- baton run log, warnings, requests and exits (last 60):\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** The last lines of the daemon's stderr, for failure messages. */
    String tail() {
        List<String> lines = stderr().lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - 25), lines.size());
        return "--- baton run (pid " + pid() + (alive() ? ", running" : ", exited " + process.exitValue())
                + ") stderr, last " + last.size() + " lines:\n" + String.join("\n", last);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
