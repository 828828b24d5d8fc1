package dev.baton.supervisor.process;

import dev.baton.conf.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real processes through the real launcher: exit reporting must be exact, complete and happen once. */
class NuProcessLauncherTest {

    static {
        System.setProperty("com.zaxxer.nuprocess.enableShutdownHook", "false");
    }

    @TempDir
    Path dir;

    private final NuProcessLauncher launcher = new NuProcessLauncher();

    /** Collects a child's output and counts its exit reports. */
    private static final class Recorder implements ProcessListener {
        final StringBuilder out = new StringBuilder();
        final AtomicInteger exits = new AtomicInteger();
        final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        volatile String outAtExit;

        @Override
        public synchronized void onStdout(ByteBuffer chunk) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            out.append(new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public void onStderr(ByteBuffer chunk) {
            chunk.position(chunk.limit());
        }

        @Override
        public void onExit(ExitStatus status) {
            synchronized (this) {
                outAtExit = out.toString();
            }
            exits.incrementAndGet();
            exit.complete(status);
        }
    }

    private ProcessSpec spec(String... command) {
        return new ProcessSpec("test", List.of(command), dir, Map.of("PATH", System.getenv("PATH")),
                Optional.empty(), Signal.TERM);
    }

    @Test
    void hundredsOfShortChildrenEachReportTheirExactStatusOnceWithAllTheirOutput() throws Exception {
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Recorder r = new Recorder();
            String script = i % 2 == 0 ? "echo line-" + i + "; exit " + (i % 7) : "echo line-" + i + "; kill -9 $$";
            launcher.start(spec("sh", "-c", script), r);
            recorders.add(r);
        }
        for (int i = 0; i < recorders.size(); i++) {
            Recorder r = recorders.get(i);
            ExitStatus status = r.exit.get(30, TimeUnit.SECONDS);
            ExitStatus expected = i % 2 == 0 ? ExitStatus.exited(i % 7) : ExitStatus.killed(9);
            assertEquals(expected, status, "child " + i);
            assertEquals("line-" + i + "\n", r.outAtExit, "output of child " + i + " arrives before its exit");
        }
        for (Recorder r : recorders) {
            assertEquals(1, r.exits.get(), "exactly one exit report");
        }
    }

    @Test
    void childStartsWithNoSignalBlockedSoStopsignalQuitReachesIt() throws Exception {
        Recorder r = new Recorder();
        launcher.start(spec("sh", "-c", "grep SigBlk /proc/self/status"), r);
        assertEquals(ExitStatus.exited(0), r.exit.get(10, TimeUnit.SECONDS));
        assertEquals("SigBlk:\t0000000000000000\n", r.outAtExit, "the JVM blocks SIGQUIT in its threads");
    }

    @Test
    void exitOfAChildThatClosedItsOutputEarlyIsStillReported() throws Exception {
        Recorder r = new Recorder();
        launcher.start(spec("sh", "-c", "exec >/dev/null 2>&1; sleep 0.2; exit 4"), r);
        assertEquals(ExitStatus.exited(4), r.exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void exitCodeFifteenAndDeathBySigtermAreToldApart() throws Exception {
        Recorder exited = new Recorder();
        Recorder killed = new Recorder();
        launcher.start(spec("sh", "-c", "exit 15"), exited);
        ChildProcess child = launcher.start(spec("sleep", "30"), killed);
        assertTrue(child.signal(Signal.TERM, false));
        assertEquals(ExitStatus.exited(15), exited.exit.get(10, TimeUnit.SECONDS));
        assertEquals(ExitStatus.killed(15), killed.exit.get(10, TimeUnit.SECONDS));
        assertEquals("killed by SIGTERM", killed.exit.get().describe());
    }

    @Test
    void childLeadsItsOwnProcessGroupAndGrandchildrenDieWithIt() throws Exception {
        Path grandchildPid = dir.resolve("grandchild.pid");
        Recorder r = new Recorder();
        ChildProcess child = launcher.start(spec("sh", "-c",
                "sleep 300 & echo $! > " + grandchildPid + "; exec sleep 300"), r);
        child.killGroupOnExit(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(grandchildPid) || Files.readString(grandchildPid).isBlank()) {
            assertTrue(System.nanoTime() < deadline, "grandchild never started");
            Thread.sleep(10);
        }
        long grandchild = Long.parseLong(Files.readString(grandchildPid).trim());
        assertEquals(child.pid(), ProcessHandle.of(child.pid()).map(p -> pgid(child.pid())).orElse(-1));
        assertEquals(child.pid(), pgid((int) grandchild));

        assertTrue(child.signal(Signal.KILL, false), "only the leader is killed");
        assertEquals(ExitStatus.killed(9), r.exit.get(10, TimeUnit.SECONDS));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "grandchild " + grandchild + " survived its group leader");
            Thread.sleep(10);
        }
    }

    @Test
    void spawnProblemsAreOneLineReasonsAndNothingRuns() {
        assertEquals("command not found: no-such-command-xyz", assertThrows(SpawnException.class,
                () -> launcher.start(spec("no-such-command-xyz"), new Recorder())).getMessage());
        Path notExecutable = dir.resolve("script.sh");
        assertThrows(SpawnException.class, () -> {
            Files.writeString(notExecutable, "#!/bin/sh\n");
            launcher.start(spec("./script.sh"), new Recorder());
        }, "permission denied");
        ProcessSpec missingDir = new ProcessSpec("t", List.of("true"), dir.resolve("gone"), Map.of(),
                Optional.empty(), Signal.TERM);
        assertEquals("directory " + dir.resolve("gone") + " does not exist",
                assertThrows(SpawnException.class, () -> launcher.start(missingDir, new Recorder())).getMessage());
        ProcessSpec badUser = new ProcessSpec("t", List.of("true"), dir, Map.of(), Optional.of("no-such-user-xyz"),
                Signal.TERM);
        assertEquals("unknown user: no-such-user-xyz",
                assertThrows(SpawnException.class, () -> launcher.start(badUser, new Recorder())).getMessage());
        assertFalse(Files.exists(dir.resolve("gone")));
    }

    @Test
    void theWorkerRunsWithItsUmaskAndSoDoTheFilesItCreates() throws Exception {
        String script = "import os; m = os.umask(0); os.umask(m); print(oct(m));"
                + " open('made.txt', 'w').close()";
        ProcessSpec spec = new ProcessSpec("test", List.of("python3", "-c", script), dir,
                Map.of("PATH", System.getenv("PATH")), Optional.empty(), Signal.TERM, OptionalInt.of(027));
        Recorder r = new Recorder();
        launcher.start(spec, r);

        assertEquals(0, r.exit.get(30, TimeUnit.SECONDS).code());
        assertEquals("0o27\n", r.outAtExit);
        assertEquals(PosixFilePermissions.fromString("rw-r-----"),
                Files.getPosixFilePermissions(dir.resolve("made.txt")));
    }

    @Test
    void withoutAUmaskTheWorkerKeepsBatons() throws Exception {
        Recorder r = new Recorder();
        launcher.start(spec("python3", "-c", "import os; m = os.umask(0); print(oct(m))"), r);

        assertEquals(0, r.exit.get(30, TimeUnit.SECONDS).code());
        String batons = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Umask:")).findFirst().orElseThrow().substring(6).trim();
        assertEquals(Integer.parseInt(batons, 8), Integer.parseInt(r.outAtExit.trim().substring(2), 8));
    }

    private static int pgid(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
        } catch (Exception e) {
            return -1;
        }
    }
}
