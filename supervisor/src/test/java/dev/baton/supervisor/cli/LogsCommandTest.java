package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.LogEntry;
import dev.baton.supervisor.log.LogLine;
import dev.baton.supervisor.log.LogStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code baton logs -t}, {@code --since} and {@code --json} against a fake daemon whose lines have known times. */
class LogsCommandTest {

    private static final String NL = System.lineSeparator();
    private static final long T = Instant.parse("2026-12-07T15:04:05.123Z").toEpochMilli();

    @TempDir
    Path dir;

    private FakeDaemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        daemon = new FakeDaemon(dir.resolve("baton.sock"));
    }

    @AfterEach
    void tearDown() {
        daemon.close();
    }

    private static List<String> lines(FakeDaemon.Run run) {
        return run.out().isEmpty() ? List.of() : Arrays.asList(run.out().split(NL));
    }

    @Test
    void timestampsStartEachLineWithItsArrivalTimeInUtcWithMilliseconds() {
        daemon.hub.publish("web:0", LogStream.STDOUT, "hello", T);
        daemon.hub.publish("web:12", LogStream.STDERR, "world", T + 1_000 - 123);

        FakeDaemon.Run run = daemon.baton("logs", "--color=never", "-t");

        assertEquals(0, run.exit(), run::toString);
        assertEquals("2026-12-07T15:04:05.123Z web:0 | hello" + NL
                + "2026-12-07T15:04:06.000Z web:12 | world" + NL, run.out());
        FakeDaemon.Run coloured = daemon.baton("logs", "--color=always", "--timestamps", "web:0");
        assertEquals("2026-12-07T15:04:05.123Z \u001b[36mweb:0 |\u001b[0m hello" + NL, coloured.out(),
                "the time is not coloured");
    }

    @Test
    void linesShowTheWorkersProcessNameAndTargetsSelectThemByNumber() {
        daemon.hub.publish("web:8", "web_08", LogStream.STDOUT, "hello", T);
        daemon.hub.publish("web:9", "web_09", LogStream.STDERR, "world", T + 1);
        daemon.hub.publish("baton", LogStream.STDOUT, "web_08 [gen 1] STARTING -> RUNNING", T + 2);

        FakeDaemon.Run all = daemon.baton("logs", "--color=never");
        assertEquals("web_08 | hello" + NL + "web_09 | world" + NL + "baton  | web_08 [gen 1] STARTING -> RUNNING" + NL,
                all.out());
        FakeDaemon.Run one = daemon.baton("logs", "--color=never", "web:8");
        assertEquals("web_08 | hello" + NL, one.out());
        FakeDaemon.Run json = daemon.baton("logs", "--json", "web:9");
        assertEquals("{\"seq\":2,\"time\":" + (T + 1) + ",\"source\":\"web:9\",\"name\":\"web_09\","
                + "\"stream\":\"stderr\",\"text\":\"world\"}" + NL, json.out());
        FakeDaemon.Run baton = daemon.baton("logs", "--json", "-n", "1");
        assertTrue(!baton.out().contains("\"name\""), "a line whose name is its source has no name key: " + baton.out());
    }

    @Test
    void sinceShowsEveryLineFromThatTimeBeyondTheDefaultFiftyAndAnExplicitNStillLimits() {
        daemon.hub.publish("web:0", LogStream.STDOUT, "too old", T - 1);
        for (int i = 0; i < 60; i++) {
            daemon.hub.publish("web:0", LogStream.STDOUT, "line " + i, T + i);
        }

        FakeDaemon.Run since = daemon.baton("logs", "--color=never", "--since", "2026-12-07T15:04:05.123Z");
        FakeDaemon.Run offset = daemon.baton("logs", "--color=never", "--since=2026-12-07T16:04:05.123+01:00");
        FakeDaemon.Run last2 = daemon.baton("logs", "--color=never", "--since", "2026-12-07T15:04:05.123Z", "-n", "2");
        FakeDaemon.Run plain = daemon.baton("logs", "--color=never");

        assertEquals(0, since.exit(), since::toString);
        assertEquals(60, lines(since).size(), since::toString);
        assertEquals("web:0 | line 0", lines(since).get(0));
        assertEquals(since.out(), offset.out());
        assertEquals(List.of("web:0 | line 58", "web:0 | line 59"), lines(last2));
        assertEquals(50, lines(plain).size(), "without --since, 50 lines as before");
    }

    @Test
    void sinceADurationCountsBackFromNow() {
        long now = System.currentTimeMillis();
        daemon.hub.publish("web:0", LogStream.STDOUT, "two hours ago", now - 2 * 3_600_000);
        daemon.hub.publish("web:0", LogStream.STDOUT, "an hour ago", now - 3_600_000 + 60_000);
        daemon.hub.publish("web:0", LogStream.STDOUT, "just now", now);

        assertEquals(List.of("web:0 | just now"), lines(daemon.baton("logs", "--color=never", "--since", "10m")));
        assertEquals(List.of("web:0 | an hour ago", "web:0 | just now"),
                lines(daemon.baton("logs", "--color=never", "--since", "1h")));
        assertEquals(3, lines(daemon.baton("logs", "--color=never", "--since", "2h30m")).size());
    }

    @Test
    void jsonPrintsTheDaemonsObjectsOnePerLineWithSinceAndN() {
        LogLine old = daemon.hub.publish("web:0", LogStream.STDOUT, "old", T - 1);
        LogLine hello = daemon.hub.publish("web:0", LogStream.STDOUT, "hello \"you\"", T);
        LogLine err = daemon.hub.publish("baton", LogStream.STDERR, "reloading", T + 5);

        FakeDaemon.Run json = daemon.baton("logs", "--json", "-t", "--since", "2026-12-07T15:04:05.123Z");
        FakeDaemon.Run last = daemon.baton("logs", "--json", "-n", "1");

        assertEquals(0, json.exit(), json::toString);
        assertEquals("{\"seq\":" + hello.seq() + ",\"time\":" + T + ",\"source\":\"web:0\",\"stream\":\"stdout\","
                + "\"text\":\"hello \\\"you\\\"\"}" + NL
                + "{\"seq\":" + err.seq() + ",\"time\":" + (T + 5) + ",\"source\":\"baton\",\"stream\":\"stderr\","
                + "\"text\":\"reloading\"}" + NL, json.out());
        assertEquals(new LogEntry(Optional.of(err.seq()), Optional.of(T + 5), "baton", "stderr", "reloading"),
                Json.read(last.out(), LogEntry.class));
        assertTrue(old.seq() < hello.seq());
    }

    /** Exit 2, and stderr is the one-line error followed by picocli's hint, as for every command-line mistake. */
    @Test
    void aSinceThatIsNeitherADurationNorATimeIsAUsageErrorAndNothingIsSent() {
        for (String value : List.of("yesterday", "10", "1h30", "-5m", "2026-13-07T00:00:00Z")) {
            FakeDaemon.Run run = daemon.baton("logs", "--since", value);
            assertEquals(2, run.exit(), run::toString);
            assertEquals("", run.out(), run::toString);
            assertEquals("baton: Invalid value for option '--since': '" + value + "' is not a duration (90s, 10m,"
                    + " 1h30m) or an ISO 8601 time (2026-12-07T15:04:05Z, 2026-12-07T15:04:05.123+01:00, local"
                    + " 2026-12-07T15:04:05)" + NL + "Try 'baton logs --help'." + NL, run.err());
        }
        assertEquals(List.of(), daemon.requests);
    }
}
