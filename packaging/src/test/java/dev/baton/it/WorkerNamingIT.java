package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The keys of a supervisord configuration at run time: workers numbered from {@code numprocs_start}, named by
 * {@code process_name}, their stdout in files named after them, their stderr in no file, their {@code umask}.
 */
class WorkerNamingIT {

    /** Says its number and the {@code {worker:02}} it got, a line on stderr, makes a file and says its umask. */
    private static final String WORKER = """
            import os, signal, sys, time
            signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
            n = os.environ["BATON_WORKER"]
            print("worker %s arg %s" % (n, sys.argv[1]), flush=True)
            print("an error from %s" % n, file=sys.stderr, flush=True)
            open("made-%s.txt" % n, "w").close()
            m = os.umask(0)
            os.umask(m)
            print("umask %03o" % m, flush=True)
            while True:
                time.sleep(1)
            """;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void workersAreNumberedFromNumprocsStartNamedByProcessNameAndLogWhereTheyAreTold() throws IOException {
        sandbox.write("named.py", WORKER);
        Files.createDirectories(sandbox.dir().resolve("logs")); // a stdout_logfile's folder must exist
        sandbox.writeConfig("""
                [program.web]
                command = "python3 named.py {worker:02}"
                numprocs = 2
                numprocs_start = 8
                process_name = "web_{worker:02}"
                stdout_logfile = "logs/{process_name}.out"
                stderr_logfile = "NONE"
                umask = "027"
                startsecs = 0
                """);
        sandbox.startDaemon();
        Status status = sandbox.awaitRunning("web", 2);

        Path logs = sandbox.dir().resolve("logs");
        String out8 = sandbox.awaitInFile(logs.resolve("web_08.out"), "umask ");
        String out9 = sandbox.awaitInFile(logs.resolve("web_09.out"), "umask ");
        List<String> names = status.workers().stream().map(w -> w.name() + "=" + w.program() + ":" + w.index())
                .toList();
        Cli.Result logs8 = sandbox.baton("logs", "-n", "100", "web:8");
        Cli.Result table = sandbox.baton("status", "web:9");
        List<String> files;
        try (Stream<Path> list = Files.list(logs)) {
            files = list.map(p -> p.getFileName().toString()).sorted().toList();
        }

        assertAll(
                () -> assertEquals(List.of("web_08=web:8", "web_09=web:9"), names, status::toString),
                () -> assertEquals("worker 8 arg 08\numask 027\n", out8, "BATON_WORKER and {worker:02}"),
                () -> assertEquals("worker 9 arg 09\numask 027\n", out9),
                () -> assertEquals(List.of("web_08.out", "web_09.out"), files,
                        "stdout where stdout_logfile says, no stderr file, nothing in the default layout"),
                () -> assertEquals(PosixFilePermissions.fromString("rw-r-----"),
                        Files.getPosixFilePermissions(sandbox.dir().resolve("made-8.txt")), "umask 027"),
                () -> assertEquals(0, logs8.exit(), logs8::toString),
                () -> assertTrue(Sandbox.hasLogLine(logs8.out(), "web_08", "worker 8 arg 08"), logs8::toString),
                () -> assertTrue(Sandbox.hasLogLine(logs8.out(), "web_08", "an error from 8"),
                        () -> "stderr without a file still reaches baton logs\n" + logs8),
                () -> assertFalse(logs8.out().contains("web_09"), logs8::toString),
                () -> assertEquals(0, table.exit(), table::toString),
                () -> assertTrue(table.outLines().get(1).startsWith("web_09  RUNNING"), table::toString));
    }
}
