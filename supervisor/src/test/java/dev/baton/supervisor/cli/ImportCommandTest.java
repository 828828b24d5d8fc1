package dev.baton.supervisor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton import}: TOML on stdout, notes on stderr, exit codes, {@code -o} refusing to overwrite. */
class ImportCommandTest {

    private static final String SUPERVISORD = """
            [supervisord]
            logfile = /var/log/supervisor/supervisord.log

            [program:web]
            command = gunicorn app:app --bind 127.0.0.1:8000
            directory = /srv/app
            stdout_events_enabled = true
            """;

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BatonCommand.create(new PrintWriter(out), new PrintWriter(err), args).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsTheConfigurationOnStdoutAndEachNoteOnStderr() throws Exception {
        Path file = Files.writeString(dir.resolve("supervisord.conf"), SUPERVISORD);
        Run run = run("import", file.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("[program.web]\ncommand = \"gunicorn app:app --bind 127.0.0.1:8000\"\n"
                + "directory = \"/srv/app\"\n"), run.out());
        assertTrue(run.out().contains("# listen = \"127.0.0.1:8000\""), run.out());
        assertTrue(run.err().contains("baton import: [supervisord] logfile: not carried: "), run.err());
        assertTrue(run.err().contains("baton import: [program:web] stdout_events_enabled: not carried: "),
                run.err());
        assertTrue(run.err().contains("baton import: [program:web] stopasgroup: "), run.err());
    }

    @Test
    void writesTheOutputFileOnlyOnceWithoutForce() throws Exception {
        Path file = Files.writeString(dir.resolve("supervisord.conf"), SUPERVISORD);
        Path toml = dir.resolve("baton.toml");
        Run first = run("import", "-o", toml.toString(), file.toString());
        assertEquals(0, first.exit(), first.err());
        assertEquals("", first.out());
        String written = Files.readString(toml);
        assertTrue(written.contains("[program.web]"), written);

        Files.writeString(toml, "kept");
        Run second = run("import", "--output", toml.toString(), file.toString());
        assertEquals(ExitCode.USAGE, second.exit());
        assertEquals("baton: import: " + toml + " exists; use --force to overwrite it\n", second.err());
        assertEquals("kept", Files.readString(toml));

        Run forced = run("import", "-o", toml.toString(), "--force", file.toString());
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(written, Files.readString(toml));
    }

    @Test
    void anUnreadableInputIsOneLineAndExitTwo() throws Exception {
        Path missing = dir.resolve("missing.conf");
        Run run = run("import", missing.toString());
        assertEquals(ExitCode.USAGE, run.exit());
        assertEquals("baton: import: " + missing + ": cannot read: no such file\n", run.err());
        assertEquals("", run.out());

        Path bad = Files.writeString(dir.resolve("bad.conf"), "[program:a]\ncommand = a\nnumprocs = 2\n");
        Run rejected = run("import", bad.toString());
        assertEquals(ExitCode.USAGE, rejected.exit());
        assertEquals(1, rejected.err().lines().count(), rejected.err());
        assertTrue(rejected.err().startsWith("baton: import: " + bad + ":3: [program:a] process_name: "),
                rejected.err());
    }
}
