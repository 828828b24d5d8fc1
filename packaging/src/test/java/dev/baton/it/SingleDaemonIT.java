package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One daemon per control socket: a second is refused, a stale socket is taken over, a killed one is cleaned up. */
class SingleDaemonIT {

    private static final Pattern CHILD = Pattern.compile("child pid (\\d+)");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void secondDaemonOnTheSameConfigIsRefusedAndTheFirstKeepsRunning() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                numprocs = 2
                startsecs = 0
                """);
        Daemon first = sandbox.startDaemon();
        Status before = sandbox.awaitRunning("web", 2);

        Daemon second = sandbox.spawnDaemon();
        int exit = second.awaitExit(Sandbox.PATIENCE);

        assertEquals(1, exit, second::tail);
        List<String> err = second.stderr().lines().toList();
        assertEquals(1, err.size(), second::tail);
        assertTrue(err.get(0).startsWith("baton: another baton is already running on " + sandbox.socket()),
                second::tail);
        assertTrue(first.alive(), "the first daemon is unaffected");
        Status after = sandbox.status();
        assertAll(
                () -> assertEquals(first.pid(), after.daemonPid()),
                () -> assertTrue(after.running("web", 2), after::toString),
                () -> assertEquals(before.worker("web:0").pid(), after.worker("web:0").pid()),
                () -> assertEquals(before.worker("web:1").pid(), after.worker("web:1").pid()));
    }

    /**
     * BUG (found by this suite): {@code baton run} checks that nobody answers on the socket, then binds a temporary
     * socket and renames it over the final path with REPLACE_EXISTING. Two runs started together both pass the
     * check; the second rename silently takes the socket from the first, which keeps running its workers
     * unreachable (no status, no shutdown), and both write the same pid file.
     */
    @Test
    void twoDaemonsStartedTogetherOnTheSameConfigLeaveExactlyOneRunning() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                startsecs = 0
                """);

        Daemon one = sandbox.spawnDaemon();
        Daemon two = sandbox.spawnDaemon();

        sandbox.await("one of two daemons started together to give up", Duration.ofSeconds(6),
                () -> List.of(one.alive(), two.alive()), alive -> alive.contains(false));
        Daemon loser = one.alive() ? two : one;
        Daemon winner = one.alive() ? one : two;
        assertEquals(1, loser.awaitExit(Sandbox.PATIENCE), loser::tail);
        assertTrue(loser.stderr().contains("already running"), loser::tail);
        Status status = sandbox.awaitRunning("web", 1);
        assertEquals(winner.pid(), status.daemonPid(), "the socket belongs to the daemon that kept running");
    }

    @Test
    void staleSocketFileWithNobodyListeningIsReplacedAndTheDaemonStarts() throws IOException {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                startsecs = 0
                """);
        try (ServerSocketChannel leftover = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            leftover.bind(UnixDomainSocketAddress.of(sandbox.socket()));
        }
        assertTrue(Files.exists(sandbox.socket()), "a socket file is left behind");
        assertFalse(sandbox.reachable(), "with nobody listening");
        Cli.Result statusBefore = sandbox.baton("status");
        assertEquals(4, statusBefore.exit(), statusBefore::toString);
        assertTrue(statusBefore.err().contains("nothing listens on " + sandbox.socket()), statusBefore::toString);

        Daemon daemon = sandbox.startDaemon();

        Status status = sandbox.awaitRunning("web", 1);
        assertEquals(daemon.pid(), status.daemonPid());
    }

    @Test
    void sigkilledDaemonsWorkersEndByThemselvesAndTheNextRunStopsTheirChildren() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --child"
                numprocs = 2
                startsecs = 0
                """);
        Daemon first = sandbox.startDaemon();
        Status before = sandbox.awaitRunning("web", 2);
        long leader0 = before.worker("web:0").pid();
        long leader1 = before.worker("web:1").pid();
        long child0 = childPid(0);
        long child1 = childPid(1);

        first.kill();

        sandbox.awaitGone("the worker leaders (parent-death signal)", leader0, leader1);
        assertTrue(Procs.alive(child0) && Procs.alive(child1), "the children outlive a SIGKILLed baton");
        assertTrue(Files.exists(sandbox.dir().resolve("baton.sock.pids")), "the pid file records their groups");

        Daemon second = sandbox.startDaemon();

        sandbox.awaitGone("the children left by the killed baton", child0, child1);
        Status after = sandbox.awaitRunning("web", 2);
        assertAll(
                () -> assertEquals(second.pid(), after.daemonPid()),
                () -> assertTrue(after.worker("web:0").pid() != leader0 && after.worker("web:1").pid() != leader1),
                () -> assertTrue(second.stderr().contains("stopped 2 worker process groups left by a previous baton"
                        + " that did not shut down: web:0, web:1"), second::tail));
    }

    private long childPid(int index) {
        String log = sandbox.awaitInFile(sandbox.logFile("web", index, "out"), "child pid ");
        var m = CHILD.matcher(log);
        assertTrue(m.find(), log);
        return Long.parseLong(m.group(1));
    }
}
