package dev.baton.supervisor.process;

import dev.baton.conf.Signal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The test JVM as Baton is: its children's orphans come to it (child subreaper) and are reaped, while the exit
 * status of every child it spawned itself still reaches whoever waits for it.
 */
class OrphanReaperTest {

    static {
        System.setProperty("com.zaxxer.nuprocess.enableShutdownHook", "false");
    }

    /** A child that leaves {@code n} short-lived grandchildren orphaned: each of its children forks one and exits. */
    private static String orphaning(int n) {
        return "i=0; while [ $i -lt " + n + " ]; do sh -c 'sleep 0.01 & exit 0'; i=$((i+1)); done";
    }

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private OrphanReaper reaper;

    @BeforeEach
    void start() {
        reaper = OrphanReaper.start();
    }

    @AfterEach
    void stop() {
        reaper.close();
    }

    @Test
    void orphanedGrandchildrenComeToTheSubreaperAndAreReaped() throws Exception {
        assertTrue(reaper.subreaper(), "the kernel refused PR_SET_CHILD_SUBREAPER");
        long before = reaper.reaped();
        Process parent = OwnChildren.start(new ProcessBuilder("setsid", "sh", "-c", orphaning(40)));
        assertTrue(parent.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the orphaning child did not end");
        assertEquals(0, parent.exitValue());
        await("40 orphans reaped and no zombie left (reaped " + (reaper.reaped() - before) + ", zombies "
                + zombieChildren() + ")", () -> reaper.reaped() - before >= 40 && zombieChildren().isEmpty());
    }

    @Test
    void everyOwnChildKeepsItsExactStatusWhileOrphansAreReapedAroundIt() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sweeper = new Thread(() -> { // sweeps back to back: a stolen status would show
            while (running.get()) {
                reaper.sweep();
            }
        }, "test-sweeper");
        sweeper.start();
        try {
            Process orphans = OwnChildren.start(new ProcessBuilder("setsid", "sh", "-c", orphaning(300)));
            NuProcessLauncher launcher = new NuProcessLauncher();
            List<CompletableFuture<ExitStatus>> workers = new ArrayList<>();
            List<ExitStatus> expected = new ArrayList<>();
            List<Process> commands = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String script = i % 2 == 0 ? "exit " + (i % 7 + 1) : "kill -9 $$";
                expected.add(i % 2 == 0 ? ExitStatus.exited(i % 7 + 1) : ExitStatus.killed(9));
                workers.add(start(launcher, "sh", "-c", script));
                if (i % 3 == 0) {
                    commands.add(OwnChildren.start(new ProcessBuilder("setsid", "sh", "-c", "exit 7")));
                }
            }
            for (int i = 0; i < workers.size(); i++) {
                try {
                    assertEquals(expected.get(i), workers.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                            "worker " + i);
                } catch (TimeoutException e) {
                    fail("worker " + i + ": no exit reported within " + PATIENCE.toSeconds() + " s (was it reaped"
                            + " as an orphan?)");
                }
            }
            for (Process command : commands) {
                assertTrue(command.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                assertEquals(7, command.exitValue(), "a command run by the JDK's ProcessBuilder, pid " + command.pid());
            }
            assertTrue(orphans.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        } finally {
            running.set(false);
            sweeper.join();
        }
        await("every orphan reaped (zombies " + zombieChildren() + ")", () -> zombieChildren().isEmpty());
    }

    private CompletableFuture<ExitStatus> start(NuProcessLauncher launcher, String... command) throws SpawnException {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        launcher.start(new ProcessSpec("test", List.of(command), dir, Map.of("PATH", System.getenv("PATH")),
                Optional.empty(), Signal.TERM), new ProcessListener() {
                    @Override
                    public void onStdout(ByteBuffer chunk) {
                        chunk.position(chunk.limit());
                    }

                    @Override
                    public void onStderr(ByteBuffer chunk) {
                        chunk.position(chunk.limit());
                    }

                    @Override
                    public void onExit(ExitStatus status) {
                        if (!exit.complete(status)) {
                            fail("a second exit report: " + status);
                        }
                    }
                });
        return exit;
    }

    /** This JVM's children that are zombies and not its own (own ones are reaped by whoever waits for them). */
    private static List<Integer> zombieChildren() {
        List<Integer> zombies = new ArrayList<>();
        for (int pid : OrphanReaper.children()) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z' && !OwnChildren.own(pid)) {
                    zombies.add(pid);
                }
            } catch (java.io.IOException e) {
                // reaped meanwhile
            }
        }
        return zombies;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + PATIENCE.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
