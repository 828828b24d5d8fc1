package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The arrival time of log lines: {@code baton logs -t}, {@code --since}, {@code --json}, and {@code log_timestamps}
 * in the worker log files.
 */
class LogTimesIT {

    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    /** {@code STAMP web:0 | text} lines as (time, text); fails on a line of another shape. */
    private static List<Map.Entry<Long, String>> stamped(Cli.Result logs, String source) {
        Pattern line = Pattern.compile("(" + STAMP + ") " + Pattern.quote(source) + " \\| (.*)");
        List<Map.Entry<Long, String>> out = new ArrayList<>();
        for (String text : logs.outLines()) {
            Matcher m = line.matcher(text);
            assertTrue(m.matches(), () -> "not a stamped " + source + " line: " + text + "\n" + logs);
            out.add(Map.entry(Instant.parse(m.group(1)).toEpochMilli(), m.group(2)));
        }
        return out;
    }

    /** Each line of {@code logs --json} as an object with every field of the API's log line. */
    private static List<Map<String, Object>> objects(String ndjson) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isEmpty()) {
                Map<String, Object> object = Json.object(line);
                assertEquals(List.of("seq", "time", "source", "stream", "text"), List.copyOf(object.keySet()), line);
                out.add(object);
            }
        }
        return out;
    }

    /** Starts web:0 and waits until the daemon has its 3 lines (a line is in its file just before that). */
    private void startWorker() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --err"
                startsecs = 0
                """);
        sandbox.startDaemon();
        sandbox.awaitRunning("web", 1);
        sandbox.await("web:0's 3 lines in baton logs", () -> sandbox.baton("logs", "web"),
                logs -> logs.outLines().size() == 3 && logs.out().contains("ready"));
    }

    @Test
    void timestampsShowEachLinesArrivalTimeInUtcTheSameTimeJsonGives() {
        startWorker();

        Cli.Result logs = sandbox.baton("logs", "-t", "web");
        Cli.Result json = sandbox.baton("logs", "--json", "-t", "web");

        assertEquals(0, logs.exit(), logs::toString);
        List<Map.Entry<Long, String>> lines = stamped(logs, "web:0");
        assertEquals(List.of("a line on stderr", "ready"),
                lines.stream().skip(1).map(Map.Entry::getValue).sorted().toList(), logs::toString);
        Matcher started = Pattern.compile("worker 0 pid \\d+ started at (\\d+\\.\\d{3})")
                .matcher(lines.get(0).getValue());
        assertTrue(started.matches(), logs::toString);
        long printed = Math.round(Double.parseDouble(started.group(1)) * 1000);
        long arrived = lines.get(0).getKey();
        assertTrue(arrived >= printed - 1 && arrived < printed + Sandbox.PATIENCE.toMillis(),
                () -> "printed at " + printed + ", arrived at " + arrived + "\n" + logs);

        assertEquals(0, json.exit(), json::toString);
        List<Map<String, Object>> objects = objects(json.out());
        assertEquals(lines.size(), objects.size(), json::toString);
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(lines.get(i).getKey(), objects.get(i).get("time"), "-t shows the time the API gives");
            assertEquals(lines.get(i).getValue(), objects.get(i).get("text"));
        }
        assertEquals(List.of("stderr"), objects.stream().filter(o -> o.get("text").equals("a line on stderr"))
                .map(o -> o.get("stream")).toList(), json::toString);
    }

    @Test
    void sinceLeavesOutTheLinesThatArrivedBeforeItWhateverFormTheTimeHas() {
        startWorker();
        List<Map<String, Object>> old = objects(sandbox.baton("logs", "--json", "web").out());
        long lastOld = old.stream().mapToLong(o -> (Long) o.get("time")).max().orElseThrow();
        sandbox.await("the clock to pass the last line's time " + lastOld, () -> System.currentTimeMillis() > lastOld);
        long mark = lastOld + 1;
        String utc = Instant.ofEpochMilli(mark).toString();
        String local = LocalDateTime.ofInstant(Instant.ofEpochMilli(mark), ZoneId.systemDefault()).toString();
        Path followed = sandbox.dir().resolve("follow.out");
        Process follow = Cli.spawn(sandbox.dir(), followed, sandbox.dir().resolve("follow.err"),
                "logs", "-c", sandbox.config().toString(), "--json", "-f", "--since", utc, "web");
        try {
            sandbox.baton("signal", "USR1", "web:0");

            Cli.Result sinceUtc = sandbox.await("the new line in baton logs --since " + utc,
                    () -> sandbox.baton("logs", "--since", utc, "web"), logs -> logs.out().contains("got SIGUSR1"));
            Cli.Result sinceLocal = sandbox.baton("logs", "--since", local, "web");
            Cli.Result lastHour = sandbox.baton("logs", "--since", "1h", "web");
            Cli.Result lastHourOne = sandbox.baton("logs", "--since", "59m60s", "-n", "1", "web");

            assertAll(
                    () -> assertEquals(List.of("web:0 | got SIGUSR1"), sinceUtc.outLines(), sinceUtc::toString),
                    () -> assertEquals(sinceUtc.outLines(), sinceLocal.outLines(), sinceLocal::toString),
                    () -> assertEquals(old.size() + 1, lastHour.outLines().size(), lastHour::toString),
                    () -> assertEquals(List.of("web:0 | got SIGUSR1"), lastHourOne.outLines(), lastHourOne::toString));
            String streamed = sandbox.await("logs --json -f to print the new line", () -> Sandbox.read(followed),
                    s -> s.contains("got SIGUSR1") && s.endsWith("\n"));
            List<Map<String, Object>> objects = objects(streamed);
            assertEquals(List.of("got SIGUSR1"), objects.stream().map(o -> o.get("text")).toList(), streamed);
            assertTrue(follow.isAlive(), "logs --json -f keeps following");
        } finally {
            Cli.end(follow);
        }
    }

    @Test
    void logTimestampsStartEachLineOfTheWorkerLogFilesWithTheTimeLogsShows() throws Exception {
        sandbox.copyWorkerFixture();
        sandbox.write("baton.toml", Sandbox.HEADER.replace("log_dir = \"logs\"\n",
                "log_dir = \"logs\"\nlog_timestamps = true\n") + """
                [program.raw]
                command = "python3 worker.py --raw --err"
                startsecs = 0
                autorestart = false
                """);
        sandbox.startDaemon();
        sandbox.awaitStatus("raw:0 EXITED", s -> s.worker("raw:0").state().equals("EXITED"));

        String out = new String(Files.readAllBytes(sandbox.logFile("raw", 0, "out")), StandardCharsets.ISO_8859_1);
        String err = Sandbox.read(sandbox.logFile("raw", 0, "err"));
        Cli.Result logs = sandbox.baton("logs", "-t", "raw");

        Matcher file = Pattern.compile("(?m)^(" + STAMP + ") (.*)$").matcher(out);
        List<String> fileStamps = new ArrayList<>();
        List<String> fileTexts = new ArrayList<>();
        while (file.find()) {
            fileStamps.add(file.group(1));
            fileTexts.add(file.group(2));
        }
        assertTrue(out.endsWith("\n") && out.split("\n").length == fileTexts.size(), "every line stamped:\n" + out);
        assertTrue(fileTexts.get(0).startsWith("worker 0 pid "), out);
        assertEquals(List.of("bad utf8: \u00ff\u00fe\u00c3 end", "no newline at the end"), fileTexts.subList(1, 3),
                "one stamp each, then the worker's bytes as they came; the last line completed at exit");
        assertTrue(err.matches(STAMP + " a line on stderr\n"), err);
        List<Long> shown = stamped(logs, "raw:0").stream().map(Map.Entry::getKey).toList();
        List<Long> inFiles = new ArrayList<>(fileStamps.stream().map(s -> Instant.parse(s).toEpochMilli()).toList());
        inFiles.add(Instant.parse(err.substring(0, 24)).toEpochMilli());
        assertEquals(shown.stream().sorted().toList(), inFiles.stream().sorted().toList(),
                "the files and logs -t show the same times\n" + logs);
    }

    @Test
    void aSinceThatIsNeitherADurationNorATimeIsAUsageErrorBeforeAnythingIsAsked() {
        for (String value : List.of("yesterday", "10", "2026-12-07 15:04:05")) {
            Cli.Result logs = Cli.run(sandbox.dir(), "logs", "-s", "no-such.sock", "--since", value);

            assertEquals(2, logs.exit(), logs::toString);
            assertEquals("", logs.out(), logs::toString);
            assertEquals(List.of("baton: Invalid value for option '--since': '" + value + "' is not a duration (90s,"
                    + " 10m, 1h30m) or an ISO 8601 time (2026-12-07T15:04:05Z, 2026-12-07T15:04:05.123+01:00, local"
                    + " 2026-12-07T15:04:05)", "Try 'baton logs --help'."), logs.errLines(), logs::toString);
        }
        assertFalse(Files.exists(sandbox.dir().resolve("no-such.sock")));
    }
}
