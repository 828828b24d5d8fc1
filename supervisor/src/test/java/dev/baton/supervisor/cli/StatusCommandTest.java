package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.Json;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusCommandTest {

    @Test
    void durationsReadLikeAClock() {
        assertEquals("0:00:00", StatusCommand.duration(999));
        assertEquals("1:02:03", StatusCommand.duration((3600 + 2 * 60 + 3) * 1000L));
        assertEquals("23:59:59", StatusCommand.duration(86_399_000L));
        assertEquals("2d03h04m", StatusCommand.duration((2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000L));
    }

    @Test
    void theTableIsAlignedOnTheLongestName() {
        Map<?, ?> running = (Map<?, ?>) Json.parse("{\"name\":\"web:0\",\"program\":\"web\",\"state\":\"RUNNING\","
                + "\"pid\":4242,\"generation\":1,\"uptime_ms\":61000,\"reason\":\"\",\"restarts\":0,\"port\":8001,"
                + "\"backend\":\"HEALTHY\",\"inflight\":2}");
        Map<?, ?> down = (Map<?, ?>) Json.parse("{\"name\":\"worker-long:10\",\"program\":\"worker-long\","
                + "\"state\":\"BACKOFF\",\"pid\":0,\"generation\":3,\"uptime_ms\":0,\"reason\":\"exited with status 1\","
                + "\"since_ms\":5000,\"restarts\":4}");
        StringWriter text = new StringWriter();
        StatusCommand.print(List.of(running, down), new PrintWriter(text, true));
        assertEquals(String.join(System.lineSeparator(),
                "NAME            STATE         PID  GEN     UPTIME  INFO",
                "web:0           RUNNING      4242    1    0:01:01  port 8001, healthy, 2 in flight",
                "worker-long:10  BACKOFF         -    3          -  exited with status 1 (for 0:00:05, restarts 4)",
                ""), text.toString());
    }
}
