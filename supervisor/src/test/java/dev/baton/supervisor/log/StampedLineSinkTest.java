package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code log_timestamps = true}: each line in the file starts with one stamp, the time the hub has for it. */
class StampedLineSinkTest {

    private static final int MAX = LineSink.MAX_LINE_BYTES;
    private static final Pattern STAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ");
    private static final int STAMP_BYTES = 25;

    @TempDir
    Path dir;

    private Path path;
    private RotatingFile file;
    private LogHub hub;
    private LineSink sink;

    @BeforeEach
    void setUp() {
        path = dir.resolve("web-2.out.log");
        file = new RotatingFile(path, 0, 0);
        hub = new LogHub(1000, 1_000_000);
        sink = new LineSink("web:2", LogStream.STDOUT, file, hub, null, true);
    }

    @AfterEach
    void tearDown() {
        file.close();
    }

    private void feed(String... chunks) {
        for (String chunk : chunks) {
            sink.accept(ByteBuffer.wrap(chunk.getBytes(UTF_8)));
        }
    }

    private List<String> fileLines() throws IOException {
        return Arrays.asList(new String(Files.readAllBytes(path), ISO_8859_1).split("\n", -1));
    }

    /** Every line of the file is the hub's line of the same position, after the stamp of its time. */
    private void assertFileIsStampedHub() throws IOException {
        List<LogLine> published = hub.tail(Integer.MAX_VALUE, s -> true);
        List<String> lines = fileLines();
        assertEquals("", lines.get(lines.size() - 1), "the file ends with a newline");
        assertEquals(published.size(), lines.size() - 1, lines::toString);
        for (int i = 0; i < published.size(); i++) {
            String line = lines.get(i);
            assertTrue(STAMP.matcher(line).lookingAt(), line);
            assertEquals(LogTime.format(published.get(i).timeMillis()) + " " + published.get(i).text(), line);
        }
    }

    @Test
    void eachLineStartsWithTheTimeTheHubHasForIt() throws IOException {
        feed("first\nsecond\n", "\n");

        assertFileIsStampedHub();
        assertEquals(3, hub.tail(10, s -> true).size());
    }

    @Test
    void aLineSplitAcrossChunksGetsOneStampAndAPartialLineItsStampAtClose() throws IOException {
        feed("hel", "lo\nwor", "ld\nno newline", " yet");
        assertEquals(2, fileLines().size() - 1, "the partial line waits");

        sink.close();

        assertFileIsStampedHub();
        assertEquals("no newline yet", fileLines().get(2).substring(STAMP_BYTES));
        assertTrue(fileLines().stream().limit(3).allMatch(l -> !STAMP.matcher(l.substring(STAMP_BYTES)).find()),
                "one stamp per line");
    }

    @Test
    void eachPieceOfAnOverLongLineStartsWithItsOwnStamp() throws IOException {
        feed("x".repeat(MAX), "x".repeat(MAX + 100) + "\n");

        assertFileIsStampedHub();
        List<String> lines = fileLines();
        assertEquals(List.of(STAMP_BYTES + MAX, STAMP_BYTES + MAX, STAMP_BYTES + 100, 0),
                lines.stream().map(String::length).toList());
    }

    @Test
    void theStampGoesBeforeTheRawBytesWhichStayUnchanged() throws IOException {
        sink.accept(ByteBuffer.wrap(new byte[] {'o', 'k', (byte) 0xFF, '\r', '\n'}));

        byte[] written = Files.readAllBytes(path);
        long time = hub.tail(1, s -> true).get(0).timeMillis();
        byte[] stamp = (LogTime.format(time) + " ").getBytes(UTF_8);
        assertEquals(STAMP_BYTES, stamp.length);
        assertEquals(new String(stamp, ISO_8859_1) + "ok\u00ff\n", new String(written, ISO_8859_1));
    }

    @Test
    void logFilesSayWhetherTheirLinesAreStamped() {
        try (LogFiles plain = new LogFiles(dir); LogFiles stamped = new LogFiles(dir, true)) {
            assertEquals(false, plain.timestamps());
            assertEquals(true, stamped.timestamps());
        }
    }
}
