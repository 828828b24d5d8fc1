package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Baton as the first process of a PID namespace, as in a container without an init: {@code unshare --pid --fork
 * --mount-proc bin/baton run}. The kernel reparents every orphan of the namespace to it; it must reap them
 * without taking the exit status of a worker it waits for, stop on SIGTERM (which PID 1 only gets because Baton
 * handles it) and exit 0.
 */
class Pid1IT {

    private static final int ORPHANS = 100;
    /** {@code seven:1 [gen 1] RUNNING -> EXITED pid 42: exited with status 7; restarting in 0.5s}. */
    private static final Pattern SEVEN_EXIT =
            Pattern.compile("(?m) (seven:\\d) \\[gen \\d+\\] \\w+ -> (?:EXITED|BACKOFF) pid \\d+: ([^;\\n]*)");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void asPid1OrphanedGrandchildrenLeaveNoZombiesAndEveryWorkerExitKeepsItsStatus() {
        requirePidNamespaces();
        sandbox.copyFixture("orphaner.sh");
        sandbox.writeConfig("""
                [program.orphaner]
                command = "sh orphaner.sh %d"

                [program.seven]
                command = "sh -c 'sleep 0.3; exit 7'"
                numprocs = 3
                startsecs = 0
                autorestart = true
                """.formatted(ORPHANS));
        sandbox.daemonPrefix("unshare", "--pid", "--fork", "--mount-proc");
        Daemon unshare = sandbox.startDaemon();
        long baton = sandbox.await("baton run to start inside the namespace", () -> childOf(unshare.pid()),
                pid -> pid > 0);
        assertEquals("1", namespacePid(baton), "baton's pid inside its namespace");

        AtomicInteger most = new AtomicInteger();
        Path out = sandbox.logFile("orphaner", 0, "out");
        sandbox.await("the orphaner to orphan " + ORPHANS + " grandchildren (zombies of baton now: "
                + zombieChildren(baton) + ")", () -> {
                    most.accumulateAndGet(zombieChildren(baton).size(), Math::max);
                    return Sandbox.read(out).contains("orphaned " + ORPHANS);
                });
        List<Long> zombies = sandbox.await("every orphan reaped", () -> zombieChildren(baton), List::isEmpty);
        String log = sandbox.await("6 exits of seven workers", unshare::stderr, l -> sevenExits(l).size() >= 6);
        System.out.println("Pid1IT: " + ORPHANS + " orphans, at most " + most.get()
                + " zombies of baton seen at once; " + sevenExits(log).size() + " seven exits");

        Cli.Result upgrade = sandbox.baton("upgrade");
        assertEquals(1, upgrade.exit(), upgrade::toString);
        assertTrue(upgrade.err().contains("cannot upgrade: Baton is PID 1"), upgrade::toString);

        assertTrue(Procs.signal(baton, "TERM"), "kill -TERM " + baton); // as docker stop does, from outside
        int exit = unshare.awaitExit(Sandbox.PATIENCE);

        List<String> reasons = sevenExits(unshare.stderr());
        assertAll(
                () -> assertEquals(List.of(), zombies),
                () -> assertTrue(most.get() < ORPHANS / 2, "at most " + most.get() + " zombies of baton at once"),
                () -> assertTrue(reasons.stream().allMatch("exited with status 7"::equals),
                        "every exit of a seven worker says its status: " + reasons),
                () -> assertTrue(unshare.stderr().contains("shutting down (SIGTERM)"), unshare::tail),
                () -> assertEquals(0, exit, "exit status of baton as PID 1 after SIGTERM\n" + unshare.tail()));
    }

    /** Skips (with why) where PID namespaces cannot be made: not root, or a sandbox that forbids them. */
    private void requirePidNamespaces() {
        Cli.Result probe = Cli.exec(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true"));
        Assumptions.assumeTrue(probe.exit() == 0, "Pid1IT needs PID namespaces (run as root): unshare --pid --fork"
                + " --mount-proc true exited " + probe.exit() + ": " + probe.err().strip());
    }

    /** The reasons of every exit of a seven worker the daemon logged, in order. */
    private static List<String> sevenExits(String log) {
        List<String> reasons = new ArrayList<>();
        Matcher m = SEVEN_EXIT.matcher(log);
        while (m.find()) {
            reasons.add(m.group(2));
        }
        return reasons;
    }

    /** The only child of {@code pid} (unshare's: baton run), or -1 while there is none. */
    private static long childOf(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.children().findFirst()).map(ProcessHandle::pid).orElse(-1L);
    }

    /** {@code pid}'s pid in its own PID namespace: the last of {@code NSpid} in {@code /proc/PID/status}. */
    private static String namespacePid(long pid) {
        String status = Sandbox.read(Path.of("/proc/" + pid + "/status"));
        return status.lines().filter(l -> l.startsWith("NSpid:")).map(l -> l.substring(l.lastIndexOf('\t') + 1))
                .findFirst().orElse("(no NSpid in /proc/" + pid + "/status)");
    }

    /** The zombies whose parent is {@code parent}, as the host's {@code /proc} shows them. */
    private static List<Long> zombieChildren(long parent) {
        List<Long> zombies = new ArrayList<>();
        String ppid = Long.toString(parent);
        try (DirectoryStream<Path> all = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : all) {
                String stat = Sandbox.read(proc.resolve("stat"));
                int end = stat.lastIndexOf(')');
                String[] fields = end < 0 ? new String[0] : stat.substring(end + 2).split(" ");
                if (fields.length > 1 && fields[0].equals("Z") && fields[1].equals(ppid)) {
                    zombies.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return zombies;
    }
}
