package dev.baton.supervisor.events;

import dev.baton.conf.Signal;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.process.OwnChildren;
import dev.baton.supervisor.process.Posix;
import dev.baton.supervisor.process.SpawnCheck;
import dev.baton.supervisor.process.SpawnException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code event_command} once for one event and waits for it, on the calling thread (the runner's: never the
 * supervisor loop or an event loop). The command runs with no shell, in {@code dir}, with {@code env} and
 * {@code BATON_EVENT} set to the event's name, as the leader of its own session and process group; it gets the
 * event as one line of JSON on its standard input, which is then closed. Its output (standard output and error
 * together) replaces the content of {@code output}, whose last line a failure quotes.
 *
 * <p>Started with the JDK's {@link ProcessBuilder} rather than Baton's worker launcher: the worker launcher
 * reports exits asynchronously to the supervisor loop and arms a parent-death signal tied to the spawning
 * thread, while this thread only needs to wait, with a timeout, for one short-lived child at a time. The JSON
 * line is at most a few kilobytes ({@link Event#MAX_TEXT}), so writing it into the pipe never blocks, whether or
 * not the command reads it.
 */
final class EventCommand {

    /** The longest last line quoted from the command's output. */
    private static final int MAX_QUOTE = 200;
    /** How long a killed command may take to be reaped before the runner goes on. */
    private static final long REAP_MILLIS = 5_000;

    private final List<String> command;
    private final Path dir;
    private final Map<String, String> env;
    private final Duration timeout;
    private final Path output;

    EventCommand(List<String> command, Path dir, Map<String, String> env, Duration timeout, Path output) {
        this.command = List.copyOf(command);
        this.dir = dir;
        this.env = Map.copyOf(env);
        this.timeout = timeout;
        this.output = output;
    }

    /**
     * Runs the command for {@code event}; answers null when it exited with status 0, else why it failed, in one
     * line ({@code exited with status 7; last output: curl: (7) Failed to connect}). A command still running after
     * the timeout is killed with its process group, and fails.
     *
     * @throws InterruptedException when the runner is told to stop; the command is killed first
     */
    String run(Event event) throws InterruptedException {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(SpawnCheck.inOwnSession(command, dir, env))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            builder.environment().put("BATON_EVENT", event.event());
            Files.createDirectories(output.getParent());
            process = OwnChildren.start(builder);
        } catch (SpawnException e) {
            return "cannot start: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "cannot start " + command.get(0) + ": " + e.getMessage();
        }
        try {
            send(process, Json.write(event) + "\n");
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return "still running after " + seconds(timeout) + " (the timeout): killed" + lastOutput();
            }
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        int status = process.exitValue();
        return status == 0 ? null : "exited with status " + status + lastOutput();
    }

    private static void send(Process process, String line) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command exited or closed its input without reading it: its exit status says whether it worked
        }
    }

    /** SIGKILL to the command's process group (its pid: it leads its own), then waits briefly for its exit. */
    private static void kill(Process process) {
        boolean signalled = false;
        try {
            signalled = Posix.kill((int) process.pid(), Signal.KILL.number(), true);
        } catch (RuntimeException | LinkageError e) {
            // no group to signal (or no libc binding): the process alone is killed below
        }
        if (!signalled) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        boolean interrupted = Thread.interrupted();
        try {
            process.waitFor(REAP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code "; last output: LINE"} with the last non-blank line of the output, or empty. */
    private String lastOutput() {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, 4096);
            byte[] tail = new byte[size];
            file.seek(length - size);
            file.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    return "; last output: "
                            + (line.length() > MAX_QUOTE ? line.substring(0, MAX_QUOTE) + "..." : line);
                }
            }
        } catch (IOException e) {
            // nothing to quote
        }
        return "";
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
