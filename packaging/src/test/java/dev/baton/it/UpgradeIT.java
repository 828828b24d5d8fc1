package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton upgrade} and SIGUSR2 with real daemons, workers and clients: the running daemon hands its listening
 * sockets to a new one started from the launcher, which starts its own workers, held out of traffic until ready;
 * then it accepts, and the old daemon drains and exits. Under keep-alive GET and POST load and paced GETs on new
 * connections, no request fails. A new daemon that fails leaves the old one serving, untouched.
 */
class UpgradeIT {

    /** An upgrade starts a JVM and Python workers: generous on a loaded 2-core machine. */
    private static final Duration UPGRADE = Duration.ofMinutes(3);

    private static final String NOTIFY_LISTENER = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(sys.argv[1])
            with open(sys.argv[2], "a") as out:
                while True:
                    out.write(s.recv(4096).decode().replace("\\n", " ") + "\\n")
                    out.flush()
            """;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();
    private Process notifyListener;

    @AfterEach
    void stopWhicheverDaemonServes() {
        if (notifyListener != null) {
            notifyListener.destroyForcibly();
        }
        if (sandbox.reachable()) { // a daemon an upgrade started is not the sandbox's: stop it here
            long pid = sandbox.status().daemonPid();
            if (!sandbox.started(pid)) {
                sandbox.baton("shutdown");
                sandbox.awaitGone("the last daemon", pid);
            }
        }
    }

    @Test
    void upgradeUnderKeepAliveGetAndPostLoadDropsNothingThenSigusr2DoesItAgain() throws Exception {
        Path notify = sandbox.dir().resolve("notify.sock");
        Path notes = sandbox.dir().resolve("notify.log");
        sandbox.write("notify.py", NOTIFY_LISTENER);
        notifyListener = new ProcessBuilder("python3", "notify.py", notify.toString(), notes.toString())
                .directory(sandbox.dir().toFile()).start();
        sandbox.await("the notify listener to bind", () -> Files.exists(notify));
        sandbox.daemonEnvironment("NOTIFY_SOCKET", notify.toString());
        Release.install(sandbox, "1", 0.3);
        sandbox.writeConfig(Release.program(port, 2, ""));
        Daemon first = sandbox.startDaemon();
        Release.awaitHealthy(sandbox, 2);
        sandbox.await("READY=1 from the first daemon", () -> Sandbox.read(notes).contains("READY=1"));
        List<Long> firstWorkers = sandbox.status().pids("web");

        Load keepAlive = Load.keepAlive(port, 4);
        Paced paced = Paced.start(port, "/", 100, Duration.ofMinutes(5));
        try {
            sandbox.await("load flowing", () -> keepAlive.ok() >= 40 && paced.ok() >= 40
                    || !keepAlive.failures().isEmpty() || !paced.failures().isEmpty());
            sandbox.write("baton.toml", Sandbox.read(sandbox.config()).replace("log_dir = \"logs\"",
                    "log_dir = \"logs2\""));

            Cli.Result upgrade = Cli.runWithin(UPGRADE, sandbox.dir(), "upgrade", "-c", sandbox.config().toString());
            assertEquals(0, upgrade.exit(), () -> upgrade + "\n" + first.tail());
            assertTrue(upgrade.out().contains("web: 2 of 2 workers switched to generation 1"), upgrade::toString);
            assertTrue(upgrade.out().contains("upgrade complete"), upgrade::toString);
            assertFalse(Procs.alive(first.pid()), "baton upgrade exits 0 only once the old daemon has exited");
            assertEquals(0, first.awaitExit(Duration.ofSeconds(10)), first::tail);
            sandbox.awaitGone("the old daemon's workers", firstWorkers.toArray(Long[]::new));

            Status second = sandbox.awaitStatus("the new daemon's 2 workers HEALTHY",
                    s -> ProxyStatus.healthy(s, "web", 2));
            long secondPid = second.daemonPid();
            List<Long> secondWorkers = second.pids("web");
            assertNotEquals(first.pid(), secondPid);
            assertTrue(Procs.alive(secondPid));
            assertTrue(Sandbox.read(sandbox.dir().resolve("logs2/web-0.out.log")).contains("release 1 imported"),
                    "the new daemon writes worker logs to the new [baton] log_dir");
            sandbox.await("MAINPID of the new daemon to systemd",
                    () -> Sandbox.read(notes).contains("MAINPID=" + secondPid + " READY=1"));
            long okBefore = keepAlive.ok();
            sandbox.await("keep-alive load answered by the new daemon", () -> keepAlive.ok() >= okBefore + 40
                    || !keepAlive.failures().isEmpty());

            Procs.signal(secondPid, "USR2");
            Status third = sandbox.await("SIGUSR2: another daemon serves", UPGRADE, sandbox::status,
                    s -> s.daemonPid() != secondPid && ProxyStatus.healthy(s, "web", 2));
            sandbox.awaitGone("the second daemon and its workers", UPGRADE,
                    concat(secondPid, secondWorkers).toArray(Long[]::new));
            long okThen = keepAlive.ok();
            sandbox.await("keep-alive load answered by the third daemon", () -> keepAlive.ok() >= okThen + 40
                    || !keepAlive.failures().isEmpty());
            assertNotEquals(secondPid, third.daemonPid());
        } finally {
            keepAlive.stop().join();
            paced.stop();
        }
        assertAll(
                () -> assertEquals(List.of(), keepAlive.failures(), keepAlive::toString),
                () -> assertEquals(List.of(), paced.failures(), paced::toString),
                () -> assertEquals(0, paced.count(Paced.Outcome.REFUSED), paced::toString),
                () -> assertTrue(keepAlive.ok() > 100 && paced.ok() > 100, keepAlive + "\n" + paced));
    }

    @Test
    void brokenUpgradesLeaveTheOldDaemonServingUntouched() throws Exception {
        // The launcher runs $BATON_JAVA: this one fails like a JVM that cannot start once the file break-java exists.
        sandbox.write("java.sh", "#!/bin/sh\nif [ -e '" + sandbox.dir().resolve("break-java") + "' ]; then\n"
                + "  echo 'Error: Could not create the Java Virtual Machine.' >&2; exit 1\nfi\nexec java \"$@\"\n");
        Files.setPosixFilePermissions(sandbox.dir().resolve("java.sh"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        sandbox.daemonEnvironment("BATON_JAVA", sandbox.dir().resolve("java.sh").toString());
        Daemon daemon = sandbox.startProxied(port, 2, "");
        List<Long> workers = sandbox.status().pids("web");
        String good = Sandbox.read(sandbox.config());
        int taken = Http.freePort();
        Paced paced = Paced.start(port, "/", 50, Duration.ofMinutes(5));
        try (java.net.ServerSocket squatter = new java.net.ServerSocket(taken, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            sandbox.write("baton.toml", good.replace("log_dir = \"logs\"", "log_dir = \"logs\"\nbogus = 1"));
            Cli.Result badKey = upgrade();
            assertEquals(1, badKey.exit(), badKey::toString);
            assertTrue(badKey.err().contains("baton.bogus: unknown key"), badKey::toString);

            sandbox.write("baton.toml", good.replace("listen = \"127.0.0.1:" + port + "\"",
                    "listen = [\"127.0.0.1:" + port + "\", \"127.0.0.1:" + taken + "\"]"));
            Cli.Result portInUse = upgrade();
            assertEquals(1, portInUse.exit(), portInUse::toString);
            assertTrue(portInUse.err().contains("cannot listen on 127.0.0.1:" + taken + ": address already in use"),
                    portInUse::toString);

            sandbox.write("broken.py", "print('loading the app')\nraise ImportError('no module named flask')\n");
            sandbox.write("baton.toml", good.replace("python3 proxied.py", "python3 broken.py"));
            Cli.Result raising = upgrade();
            assertEquals(1, raising.exit(), raising::toString);
            assertTrue(raising.err().matches("(?s).*web:\\d \\[gen 1\\] failed: exited too quickly.*"),
                    raising::toString); // whichever worker exits first
            assertTrue(raising.err().contains("  | ImportError: no module named flask"), raising::toString);

            sandbox.write("baton.toml", good);
            Files.createFile(sandbox.dir().resolve("break-java"));
            Cli.Result noJvm = upgrade();
            Files.delete(sandbox.dir().resolve("break-java"));
            assertEquals(1, noJvm.exit(), noJvm::toString);
            assertTrue(noJvm.err().matches("(?s).*the new daemon \\(pid \\d+\\) exited with status 1 before it was"
                    + " ready.*"), noJvm::toString);
            assertTrue(daemon.stderr().contains("Error: Could not create the Java Virtual Machine."),
                    "the new daemon's output goes where the old daemon's does");

            Status after = sandbox.status();
            assertAll(
                    () -> assertTrue(daemon.alive(), daemon::tail),
                    () -> assertEquals(daemon.pid(), after.daemonPid(), "the old daemon still owns the socket"),
                    () -> assertEquals(workers, after.pids("web"), "its workers were not touched"),
                    () -> assertTrue(ProxyStatus.healthy(after, "web", 2), after::toString),
                    () -> assertEquals(List.of(), newDaemons(daemon), "every failed new daemon is gone"),
                    () -> assertFalse(Files.exists(sandbox.dir().resolve("baton.sock.upgrade"))));
        } finally {
            paced.stop();
        }
        assertAll(
                () -> assertEquals(List.of(), paced.failures(), paced::toString),
                () -> assertEquals(0, paced.count(Paced.Outcome.REFUSED), paced::toString));
        sandbox.write("baton.toml", good);
    }

    @Test
    void aSecondUpgradeDuringOneIsRefusedWithExit5AndWaitsWithWait() throws Exception {
        Daemon first = startGated();
        Path gate = sandbox.dir().resolve("gate");

        CompletableFuture<Cli.Result> upgrading = CompletableFuture.supplyAsync(this::upgrade);
        sandbox.await("the new daemon to start, its worker held at the gate", UPGRADE,
                () -> first.stderr().contains("new daemon pid"));
        Cli.Result second = upgrade();
        Cli.Result reload = sandbox.baton("reload");
        CompletableFuture<Cli.Result> waiting = CompletableFuture.supplyAsync(() -> upgrade("--wait"));
        sandbox.await("baton upgrade --wait refused once, waiting", UPGRADE,
                () -> first.stderr().split("upgrade refused: ", -1).length > 2);
        Files.createFile(gate);
        Cli.Result firstUpgrade = upgrading.get();
        Cli.Result waited = waiting.get();

        assertAll(
                () -> assertEquals(5, second.exit(), second::toString),
                () -> assertTrue(second.err().contains("cannot upgrade: an upgrade is running"), second::toString),
                () -> assertEquals(5, reload.exit(), reload::toString),
                () -> assertTrue(reload.err().contains("cannot reload: an upgrade is running"), reload::toString),
                () -> assertEquals(0, firstUpgrade.exit(), firstUpgrade::toString),
                () -> assertEquals(0, waited.exit(), waited::toString),
                () -> assertTrue(waited.out().contains("(waiting)"), waited::toString),
                () -> assertTrue(waited.out().contains("upgrade complete"), waited::toString),
                () -> assertFalse(Procs.alive(first.pid()), "the first daemon has exited"));
    }

    @Test
    void aChangedControlSocketMovesWithTheUpgradeGivenTheOldOne() throws Exception {
        Daemon first = sandbox.startProxied(port, 1, "");
        sandbox.write("baton.toml", Sandbox.read(sandbox.config()).replace("socket = \"baton.sock\"",
                "socket = \"run2/baton.sock\""));

        Cli.Result notFound = upgrade();
        Cli.Result moved = Cli.runWithin(UPGRADE, sandbox.dir(), "upgrade", "-c", sandbox.config().toString(),
                "-s", sandbox.socket().toString());

        Status after = Status.parse(Cli.run(sandbox.dir(), "status", "--json", "-c", sandbox.config().toString()));
        assertAll(
                () -> assertEquals(4, notFound.exit(), notFound::toString),
                () -> assertTrue(notFound.err().contains("if [baton] socket was changed since the daemon started,"
                        + " name the socket it uses now: baton upgrade -s OLD_SOCKET"), notFound::toString),
                () -> assertEquals(0, moved.exit(), moved::toString),
                () -> assertNotEquals(first.pid(), after.daemonPid(), after::toString),
                () -> assertTrue(Files.exists(sandbox.dir().resolve("run2/baton.sock")), "the new socket"),
                () -> assertFalse(Files.exists(sandbox.socket()), "the old daemon removed its socket"),
                () -> assertEquals(200, Http.get(port, "/").statusCode(), "served by the new daemon"));
        Cli.Result shutdown = Cli.run(sandbox.dir(), "shutdown", "-c", sandbox.config().toString());
        assertEquals(0, shutdown.exit(), shutdown::toString); // the sandbox knows only the old socket
        sandbox.awaitGone("the new daemon", after.daemonPid());
    }

    @Test
    void aProfiledDaemonUpgradesOnlyWhenAskedNotOnTheJvmsThreadSampling() {
        // JDK Flight Recorder samples threads by suspending them with a signal, SIGUSR2 unless bin/baton frees it
        sandbox.daemonEnvironment("JAVA_OPTS", "-XX:StartFlightRecording=settings=profile");
        Daemon daemon = sandbox.startProxied(port, 1, "");
        for (int i = 0; i < 300; i++) { // the event loops run Java code: the recorder samples them meanwhile
            assertEquals(200, Http.get(port, "/").statusCode());
        }

        daemon.signal("USR2");

        sandbox.await("the upgrade SIGUSR2 asked for", UPGRADE, () -> sandbox.reachable()
                && sandbox.status().daemonPid() != daemon.pid());
        assertEquals(0, daemon.awaitExit(UPGRADE), daemon::tail);
        String log = daemon.stderr();
        assertEquals(1, log.split("upgrading: starting a new daemon", -1).length - 1, log);
        assertFalse(log.contains("SIGUSR2: upgrade refused"), log);
    }

    @Test
    void sigtermDuringAnUpgradeStopsBothDaemonsAndEveryWorker() throws Exception {
        Daemon first = startGated();
        CompletableFuture<Cli.Result> upgrading = CompletableFuture.supplyAsync(this::upgrade);
        sandbox.await("the new daemon to start, its worker held at the gate", UPGRADE,
                () -> first.stderr().contains("new daemon pid"));

        first.signal("TERM");

        Cli.Result upgrade = upgrading.get();
        assertAll(
                () -> assertEquals(0, first.awaitExit(UPGRADE), first::tail),
                () -> assertEquals(1, upgrade.exit(), upgrade::toString),
                () -> assertTrue(upgrade.err().contains("Baton is shutting down (SIGTERM)"), upgrade::toString));
        sandbox.await("no process left in the folder", UPGRADE, () -> Procs.runningIn(sandbox.dir()).isEmpty());
    }

    @Test
    void upgradeReturnsWhenTheOldDaemonsParentDoesNotReapIt() throws Exception {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig("""
                [program.web]
                command = "python3 proxied.py --port {port}"
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                """.formatted(port));
        // sleep is the daemon's parent and never waits for it: the old daemon stays a zombie once it exits
        Process parent = new ProcessBuilder("sh", "-c", "\"$0\" run -c \"$1\" >daemon.out 2>daemon.err & exec sleep 600",
                Cli.LAUNCHER.toString(), sandbox.config().toString()).directory(sandbox.dir().toFile()).start();
        try {
            sandbox.await("baton run to open its control socket", UPGRADE, sandbox::reachable);
            Status before = sandbox.awaitStatus("the worker HEALTHY", s -> ProxyStatus.healthy(s, "web", 1));

            Cli.Result upgrade = upgrade();

            assertEquals(0, upgrade.exit(), upgrade::toString);
            assertTrue(upgrade.out().contains("upgrade complete"), upgrade::toString);
            assertEquals(java.util.Optional.of('Z'), Procs.state(before.daemonPid()),
                    "the old daemon exited and nobody reaped it");
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }

    /**
     * A daemon whose worker starts only once the file "gate" exists: it is running, and the gate is gone again, so
     * an upgrade's new worker waits for the test.
     */
    private Daemon startGated() throws IOException {
        Path gate = sandbox.dir().resolve("gate");
        Files.createFile(gate);
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig("""
                [program.web]
                command = "sh -c 'while [ ! -e gate ]; do sleep 0.05; done; exec python3 proxied.py --port {port}'"
                numprocs = 1
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                """.formatted(port));
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("the worker HEALTHY", s -> ProxyStatus.healthy(s, "web", 1));
        Files.delete(gate);
        return daemon;
    }

    private Cli.Result upgrade(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("upgrade", "-c", sandbox.config().toString()));
        all.addAll(List.of(args));
        return Cli.runWithin(UPGRADE, sandbox.dir(), all.toArray(String[]::new));
    }

    /** Java processes running in the sandbox other than {@code daemon}: new daemons an upgrade left behind. */
    private List<Long> newDaemons(Daemon daemon) {
        return Procs.runningIn(sandbox.dir()).stream().filter(pid -> pid != daemon.pid())
                .filter(pid -> Sandbox.read(Path.of("/proc/" + pid + "/cmdline")).contains("--take-over")).toList();
    }

    private static List<Long> concat(long first, List<Long> rest) {
        List<Long> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
