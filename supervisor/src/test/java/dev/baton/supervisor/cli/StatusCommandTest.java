package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.StatusReply.Recycling;
import dev.baton.supervisor.control.StatusReply.WorkerInfo;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusCommandTest {

    static final WorkerInfo RUNNING = new WorkerInfo("web:0", "web", 0, 1, "RUNNING", 4242, 61_000, 61_000, "", 0,
            8001, null, false, Optional.of("HEALTHY"), Optional.of(2));
    static final WorkerInfo DOWN = new WorkerInfo("worker-long:10", "worker-long", 10, 3, "BACKOFF", 0, 0, 5000,
            "exited with status 1", 4, 0, null, false, Optional.empty(), Optional.empty());
    static final WorkerInfo HELD = new WorkerInfo("web:1", "web", 1, 2, "RUNNING", 4343, 1000, 1000, "", 0, 0,
            "/run/w/web-1.sock", true, Optional.of("READY"), Optional.of(0));

    @Test
    void durationsReadLikeAClock() {
        assertEquals("0:00:00", StatusCommand.duration(999));
        assertEquals("1:02:03", StatusCommand.duration((3600 + 2 * 60 + 3) * 1000L));
        assertEquals("23:59:59", StatusCommand.duration(86_399_000L));
        assertEquals("2d03h04m", StatusCommand.duration((2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000L));
    }

    @Test
    void theTableIsAlignedOnTheLongestName() {
        StringWriter text = new StringWriter();
        StatusCommand.print(List.of(RUNNING, DOWN, HELD), new PrintWriter(text, true));
        assertEquals(String.join(System.lineSeparator(),
                "NAME            STATE         PID  GEN     UPTIME  INFO",
                "web:0           RUNNING      4242    1    0:01:01  port 8001, healthy, 2 in flight",
                "worker-long:10  BACKOFF         -    3          -  exited with status 1 (for 0:00:05, restarts 4)",
                "web:1           RUNNING      4343    2    0:00:01  new generation, held until the switch,"
                        + " socket /run/w/web-1.sock, ready, 0 in flight",
                ""), text.toString());
    }

    @Test
    void aWorkerIsShownByItsProcessName() {
        WorkerInfo named = new WorkerInfo("web_08", "web", 8, 1, "RUNNING", 4242, 61_000, 61_000, "", 0, 0, null,
                false, Optional.empty(), Optional.empty());
        StringWriter text = new StringWriter();
        StatusCommand.print(List.of(named), new PrintWriter(text, true));
        assertEquals(String.join(System.lineSeparator(),
                "NAME    STATE         PID  GEN     UPTIME  INFO",
                "web_08  RUNNING      4242    1    0:01:01  ",
                ""), text.toString());
    }

    @Test
    void aRecycledSlotSaysHowOftenAndWhyLastAndItsHeldSuccessorWhyItStarts() {
        WorkerInfo recycled = new WorkerInfo("web:0", "web", 0, 1, "RUNNING", 4242, 61_000, 61_000, "", 0, 8001, null,
                false, Optional.of("HEALTHY"), Optional.of(1), Optional.of(new Recycling(2, "max_requests (1012 requests)")));
        WorkerInfo successor = new WorkerInfo("web:0", "web", 0, 1, "STARTING", 4300, 500, 500, "", 0, 8002, null,
                true, Optional.of("PENDING"), Optional.of(0), Optional.of(new Recycling(3, "max_memory (312 MiB"
                + " resident, max_memory 300 MiB)")));
        StringWriter text = new StringWriter();
        StatusCommand.print(List.of(recycled, successor), new PrintWriter(text, true));
        assertEquals(String.join(System.lineSeparator(),
                "NAME   STATE         PID  GEN     UPTIME  INFO",
                "web:0  RUNNING      4242    1    0:01:01  port 8001, healthy, 1 in flight, recycled 2 (last:"
                        + " max_requests (1012 requests))",
                "web:0  STARTING     4300    1    0:00:00  replacing it: max_memory (312 MiB resident, max_memory"
                        + " 300 MiB), held until ready, port 8002, pending, 0 in flight",
                ""), text.toString());
    }

    @Test
    void noWorkerAtAllSaysSo() {
        StringWriter text = new StringWriter();
        StatusCommand.print(List.of(), new PrintWriter(text, true));
        assertEquals("no programs configured" + System.lineSeparator(), text.toString());
    }
}
