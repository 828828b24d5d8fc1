package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The command line on its own: version, check, usage errors, and talking to a daemon that is not there. */
class CliBasicsIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void versionPrintsBatonAndJavaVersionsAndExitsZero() {
        Cli.Result version = Cli.run(sandbox.dir(), "version");

        assertEquals(0, version.exit(), version::toString);
        assertTrue(version.out().matches("baton \\d+\\.\\d+\\.\\d+\\S* \\(Java \\S+\\)\n"), version::toString);
        assertEquals("", version.err(), version::toString);
    }

    @Test
    void checkOfAValidConfigSummarisesProgramsAndWorkers() {
        sandbox.writeConfig("""
                [program.web]
                command = "python3 app.py --port {port}"
                numprocs = 3

                [program.jobs]
                command = "python3 worker.py"
                """);

        Cli.Result check = sandbox.baton("check");

        assertEquals(0, check.exit(), check::toString);
        assertEquals(sandbox.config() + ": OK, 2 programs, 4 workers; control socket " + sandbox.socket(),
                check.out().strip(), check::toString);
    }

    @Test
    void checkReportsEveryErrorWithFileLineColumnAndKeyPathThenExitsTwo() {
        sandbox.write("baton.toml", """
                [baton]
                socket = "baton.sock"

                # web
                [program.web]
                directory = "/srv/web"
                numprocs = "4"
                autostrat = true

                [program.api]
                command = "api --token ${BATON_IT_SURELY_UNSET_VARIABLE}"
                """);

        Cli.Result check = Cli.run(sandbox.dir(), "check", "-c", "baton.toml");

        assertEquals(2, check.exit(), check::toString);
        assertEquals("", check.out(), check::toString);
        assertEquals(List.of(
                "baton.toml:5:1: program.web: missing required key \"command\"",
                "baton.toml:7:12: program.web.numprocs: expected an integer, found a string",
                "baton.toml:8:1: program.web.autostrat: unknown key, did you mean \"autostart\"?",
                "baton.toml:11:11: program.api.command: environment variable BATON_IT_SURELY_UNSET_VARIABLE is not set",
                "baton: baton.toml: 4 errors"), check.errLines(), check::toString);
    }

    @Test
    void checkOfATomlSyntaxErrorNamesTheLineAndExitsTwo() {
        sandbox.write("baton.toml", "[program.web]\ncommand = \"python3 app.py\nnumprocs = 2\n");

        Cli.Result check = Cli.run(sandbox.dir(), "check", "-c", "baton.toml");

        assertEquals(2, check.exit(), check::toString);
        assertTrue(check.err().startsWith("baton.toml:2:"), check::toString);
        assertNoStackTrace(check);
    }

    @Test
    void statusWithNoDaemonExitsFourWithOneLineNamingTheSocket() {
        sandbox.writeConfig("");

        Cli.Result status = sandbox.baton("status");

        assertEquals(4, status.exit(), status::toString);
        assertEquals("", status.out(), status::toString);
        assertEquals(1, status.errLines().size(), status::toString);
        assertTrue(status.err().contains(sandbox.socket().toString()), status::toString);
        assertNoStackTrace(status);
    }

    @Test
    void everyControlCommandWithNoDaemonExitsFour() {
        sandbox.writeConfig("");

        for (String[] args : List.of(new String[] {"start", "web"}, new String[] {"stop", "all"},
                new String[] {"restart", "web:0"}, new String[] {"signal", "HUP", "web"}, new String[] {"logs"},
                new String[] {"shutdown"})) {
            Cli.Result result = sandbox.baton(args[0], List.of(args).subList(1, args.length).toArray(String[]::new));
            assertAll(args[0],
                    () -> assertEquals(4, result.exit(), result::toString),
                    () -> assertEquals(1, result.errLines().size(), result::toString));
        }
    }

    @Test
    void unknownTargetBadSignalNameAndUnknownWorkerIndexExitTwo() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                numprocs = 2
                startsecs = 0
                """);
        sandbox.startDaemon();
        sandbox.awaitRunning("web", 2);

        Cli.Result unknownProgram = sandbox.baton("stop", "nope");
        Cli.Result unknownWorker = sandbox.baton("start", "web:7");
        Cli.Result unknownStatus = sandbox.baton("status", "nope");
        Cli.Result badSignal = sandbox.baton("signal", "FOO", "web:0");
        Cli.Result unknownLogs = sandbox.baton("logs", "nope");

        assertAll(
                () -> assertUsageError(unknownProgram, "no such program, group or worker: nope"),
                () -> assertUsageError(unknownWorker, "no such worker: web:7 (web has workers 0-1)"),
                () -> assertUsageError(unknownStatus, "no such program, group or worker: nope"),
                () -> assertUsageError(badSignal, "unknown signal: FOO"),
                () -> assertUsageError(unknownLogs, "no such program, group or worker: nope"));
        assertTrue(sandbox.status().running("web", 2), "a refused request changed nothing");
    }

    @Test
    void unknownSubcommandUnknownOptionAndMissingCommandExitTwo() {
        Cli.Result subcommand = Cli.run(sandbox.dir(), "frobnicate");
        Cli.Result option = Cli.run(sandbox.dir(), "status", "--bogus");
        Cli.Result none = Cli.run(sandbox.dir());
        Cli.Result missingTarget = Cli.run(sandbox.dir(), "start", "-c", "baton.toml");

        assertAll(
                () -> assertUsageError(subcommand, "frobnicate"),
                () -> assertUsageError(option, "--bogus"),
                () -> assertUsageError(none, "missing command"),
                () -> assertUsageError(missingTarget, "TARGET"));
    }

    private static void assertUsageError(Cli.Result result, String mention) {
        assertEquals(2, result.exit(), result::toString);
        assertTrue(result.err().startsWith("baton: "), result::toString);
        assertTrue(result.err().contains(mention), () -> "stderr should mention " + mention + "\n" + result);
        assertNoStackTrace(result);
    }

    private static void assertNoStackTrace(Cli.Result result) {
        assertFalse(result.err().contains("\tat ") || result.err().contains("Exception"),
                () -> "a user mistake must not print a stack trace\n" + result);
    }
}
