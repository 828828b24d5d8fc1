package dev.baton.supervisor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.supervisor.metrics.ProcessTable.Usage;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessTableTest {

    @Test
    void aStatLineIsReadFromAfterTheCommandNameWhateverItHolds() {
        String line = "4242 (gunicorn: worker [app) (x)) S 4200 4201 4201 0 -1 4194560 1500 0 0 0 "
                + "250 50 0 0 20 0 1 0 123456 98765432 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0";
        assertEquals(Optional.of(new ProcessTable.Stat(4201, 250, 50, 3000)), ProcessTable.parse(line));
        assertEquals(Optional.empty(), ProcessTable.parse("garbage"));
    }

    @Test
    void aProcessGroupsUsageSumsItsLiveMembers() throws Exception {
        // a group leader with a child: the child's memory and CPU count for the group
        Process leader = new ProcessBuilder("setsid", "sh", "-c", "sleep 60 & exec sleep 60").start();
        try {
            int pgid = (int) leader.pid(); // setsid execs: the leader keeps the pid and leads its own group
            ProcessTable table = new ProcessTable();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (members(pgid) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling for the child against a deadline
            }
            Map<Integer, Usage> groups = table.groups(Set.of(pgid));
            Usage usage = groups.get(pgid);
            assertTrue(usage != null && usage.residentBytes() >= 2 * 100 * 1024,
                    "two sleeps, each over 100 KiB resident: " + groups);
            assertEquals(Map.of(), table.groups(Set.of(Integer.MAX_VALUE)), "no such group");
            assertTrue(table.self().orElseThrow().residentBytes() > 10L << 20, "this JVM: " + table.self());
        } finally {
            leader.descendants().forEach(ProcessHandle::destroyForcibly);
            leader.destroyForcibly().waitFor();
        }
    }

    private static long members(int pgid) {
        return ProcessHandle.allProcesses().filter(p -> p.pid() == pgid || p.parent().map(q -> q.pid() == pgid)
                .orElse(false)).count();
    }
}
