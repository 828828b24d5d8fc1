package dev.baton.supervisor.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code baton shutdown} waits for the daemon's process: a running one, not a zombie its parent has yet to reap. */
class ShutdownCommandTest {

    @Test
    void aZombieCountsAsExitedAndARunningProcessAsRunning() throws Exception {
        // sh forks "sleep 0", prints its pid, then becomes "sleep 30", which never reaps it: a zombie until then
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                StandardCharsets.UTF_8))) {
            int zombie = Integer.parseInt(out.readLine().trim());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!isZombie(zombie) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(isZombie(zombie), "sleep 0 became a zombie");

            assertFalse(ShutdownCommand.running(zombie), "a zombie has exited");
            assertTrue(ShutdownCommand.running((int) parent.pid()), "its parent runs");
        } finally {
            parent.destroyForcibly().waitFor();
        }
        assertFalse(ShutdownCommand.running((int) parent.pid()), "a reaped process is gone");
        assertFalse(ShutdownCommand.running(0), "no pid: nothing to wait for");
    }

    private static boolean isZombie(int pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        return Files.exists(stat) && Files.readString(stat).matches("(?s).*\\) Z .*");
    }
}
