package dev.baton.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged {@code bin/baton} launcher, run as a real process. */
final class Cli {

    /** The unpacked distribution, set by failsafe (packaging/target/baton). */
    static final Path HOME = Path.of(required("baton.home"));
    /** conf/examples of the source tree, set by failsafe. */
    static final Path EXAMPLES = Path.of(required("baton.examples"));
    static final Path LAUNCHER = HOME.resolve("bin/baton");

    /** A CLI run that gives up after this long is a hang, not a slow machine. */
    static final Duration TIMEOUT = Duration.ofSeconds(40);

    private Cli() {
    }

    /** One finished run: exit code and both output streams, decoded as UTF-8. */
    record Result(List<String> command, int exit, String out, String err, long millis) {

        List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\n  -> exit " + exit + " after " + millis + " ms"
                    + "\n  stdout: " + indent(out) + "\n  stderr: " + indent(err);
        }

        private static String indent(String s) {
            return s.isEmpty() ? "(empty)" : s.strip().replace("\n", "\n          ");
        }
    }

    /** Runs {@code baton ARGS...} from {@code cwd} and waits for it. */
    static Result run(Path cwd, String... args) {
        return run(List.of(), LAUNCHER, cwd, args);
    }

    /** Runs {@code baton ARGS...}, waiting up to {@code timeout}: for commands that wait for workers to start. */
    static Result runWithin(Duration timeout, Path cwd, String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return exec(builder(cwd, command), timeout);
    }

    /**
     * Runs {@code PREFIX... LAUNCHER ARGS...}: through a command such as setpriv, which runs it as another user, and
     * a launcher of a copy of the distribution that user can reach.
     */
    static Result run(List<String> prefix, Path launcher, Path cwd, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher.toString());
        command.addAll(List.of(args));
        return exec(builder(cwd, command));
    }

    /** Runs the process {@code builder} describes (any program: dpkg, an installed baton) and waits for it. */
    static Result exec(ProcessBuilder builder) {
        return exec(builder, TIMEOUT);
    }

    /** {@link #exec(ProcessBuilder)}, for a program that may take up to {@code timeout} on a loaded machine. */
    static Result exec(ProcessBuilder builder, Duration timeout) {
        List<String> command = List.copyOf(builder.command());
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + ": still running after " + timeout.toSeconds() + " s");
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            return new Result(command, process.exitValue(), out.join(), err.join(), millis);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    /** Starts {@code baton ARGS...} without waiting: for {@code run} and {@code logs -f}. */
    static Process spawn(Path cwd, Path stdout, Path stderr, String... args) {
        return spawn(cwd, java.util.Map.of(), stdout, stderr, args);
    }

    /** {@link #spawn(Path, Path, Path, String...)} with {@code env} added to the environment. */
    static Process spawn(Path cwd, java.util.Map<String, String> env, Path stdout, Path stderr, String... args) {
        return spawn(cwd, env, List.of(), stdout, stderr, args);
    }

    /** {@link #spawn(Path, java.util.Map, Path, Path, String...)} run by {@code prefix} (e.g. {@code nohup}). */
    static Process spawn(Path cwd, java.util.Map<String, String> env, List<String> prefix, Path stdout, Path stderr,
                         String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = builder(cwd, command);
        builder.environment().putAll(env);
        if (stdout != null) {
            builder.redirectOutput(stdout.toFile());
        }
        if (stderr != null) {
            builder.redirectError(stderr.toFile());
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** SIGKILLs a background CLI process and waits until it is gone. */
    static void end(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ProcessBuilder builder(Path cwd, List<String> command) {
        if (!Files.isExecutable(LAUNCHER)) {
            fail(LAUNCHER + " is missing or not executable: run the packaging module's package phase first");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("NO_COLOR");
        return builder;
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read: " + e + ")";
            }
        });
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the ITs with"
                    + " failsafe (mvn verify -pl packaging -am)");
        }
        return value;
    }
}
