package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineSinkTest {

    private static final int MAX = LineSink.MAX_LINE_BYTES;

    @TempDir
    Path dir;

    private Path path;
    private RotatingFile file;
    private LogHub hub;
    private final List<LogLine> echoed = new ArrayList<>();
    private LineSink sink;

    @BeforeEach
    void setUp() {
        path = dir.resolve("web-2.out.log");
        file = new RotatingFile(path, 0, 0);
        hub = new LogHub(1000, 1_000_000);
        sink = new LineSink("web:2", LogStream.STDOUT, file, hub, echoed::add);
    }

    @AfterEach
    void tearDown() {
        file.close();
    }

    /** Feeds each chunk, alternating heap and direct buffers (NuProcess hands out direct ones). */
    private void feed(byte[]... chunks) {
        boolean direct = false;
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(chunk.length) : ByteBuffer.allocate(chunk.length);
            buffer.put(chunk).flip();
            sink.accept(buffer);
            assertEquals(0, buffer.remaining(), "accept consumes the whole chunk");
            direct = !direct;
        }
    }

    private void feed(String... chunks) {
        feed(Arrays.stream(chunks).map(s -> s.getBytes(UTF_8)).toArray(byte[][]::new));
    }

    private List<String> hubTexts() {
        return hub.tail(Integer.MAX_VALUE, s -> true).stream().map(LogLine::text).collect(Collectors.toList());
    }

    private String fileText() throws IOException {
        return Files.exists(path) ? Files.readString(path, UTF_8) : "";
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void linesSplitAcrossChunksArePublishedWhole() throws IOException {
        feed("hel", "lo\nwor", "", "ld\nnext");

        assertEquals(List.of("hello", "world"), hubTexts());
        assertEquals("hello\nworld\n", fileText());
    }

    @Test
    void oneChunkWithManyLinesPublishesEachInOrder() throws IOException {
        feed("a\nb\n\nc\n");

        assertEquals(List.of("a", "b", "", "c"), hubTexts());
        assertEquals("a\nb\n\nc\n", fileText());
    }

    @Test
    void crBeforeNewlineIsDroppedEvenAcrossChunks() throws IOException {
        feed("a\r\nb\r", "\nc\rd\n", "\r\r\n");

        assertEquals(List.of("a", "b", "c\rd", "\r"), hubTexts());
        assertEquals("a\nb\nc\rd\n\r\n", fileText());
    }

    @Test
    void partialLineIsKeptUntilCloseThenFlushed() throws IOException {
        feed("no newline", " yet");
        assertEquals(List.of(), hubTexts());
        assertEquals("", fileText());

        sink.close();
        sink.close();

        assertEquals(List.of("no newline yet"), hubTexts());
        assertEquals("no newline yet\n", fileText());
    }

    @Test
    void closeWithNothingPendingEmitsNothing() throws IOException {
        feed("done\n");
        sink.close();

        assertEquals(List.of("done"), hubTexts());
        assertEquals("done\n", fileText());
    }

    @Test
    void acceptAfterCloseIsAnError() {
        sink.close();
        assertThrows(IllegalStateException.class, () -> feed("late\n"));
    }

    @Test
    void overLongLineIsCutIntoPiecesOfMaxLineBytes() throws IOException {
        String line = "x".repeat(2 * MAX + 100);
        feed(line + "\n");

        List<String> texts = hubTexts();
        assertEquals(List.of(MAX, MAX, 100), texts.stream().map(String::length).collect(Collectors.toList()));
        assertEquals(line, String.join("", texts));
        assertEquals("x".repeat(MAX) + "\n" + "x".repeat(MAX) + "\n" + "x".repeat(100) + "\n", fileText());
    }

    @Test
    void overLongLineFedInSmallChunksIsCutTheSameWay() {
        byte[] line = ("y".repeat(MAX + 10) + "\n").getBytes(UTF_8);
        for (int i = 0; i < line.length; i += 1000) {
            feed(Arrays.copyOfRange(line, i, Math.min(line.length, i + 1000)));
        }
        assertEquals(List.of(MAX, 10), hubTexts().stream().map(String::length).collect(Collectors.toList()));
    }

    @Test
    void lineOfExactlyMaxLineBytesIsOneLine() throws IOException {
        feed("z".repeat(MAX), "\nnext\n");
        feed("w".repeat(MAX - 1) + "\r", "\n");

        assertEquals(List.of("z".repeat(MAX), "next", "w".repeat(MAX - 1)), hubTexts());
        assertEquals("z".repeat(MAX) + "\nnext\n" + "w".repeat(MAX - 1) + "\n", fileText());
    }

    @Test
    void cutNeverSplitsAUtf8Character() throws IOException {
        String line = "a".repeat(MAX - 1) + "é€😀" + "b";
        feed(line + "\n");

        assertEquals(List.of("a".repeat(MAX - 1), "é€😀b"), hubTexts());
        assertEquals("a".repeat(MAX - 1) + "\né€😀b\n", fileText());
    }

    @Test
    void partialLineBufferNeverExceedsMaxLineBytes() {
        for (int i = 0; i < 10; i++) {
            feed("q".repeat(MAX / 3));
        }
        assertEquals(MAX + 1, sink.bufferCapacity());
        assertEquals(3, hubTexts().size(), "pieces emitted as the partial line filled up");
    }

    @Test
    void invalidUtf8IsReplacedInHubTextButRawInFile() throws IOException {
        byte[] raw = bytes('o', 'k', 0xFF, ' ', 0xC3, '!', ' ', 0xE2, 0x82, '\n');
        feed(raw);

        assertEquals(List.of("ok\uFFFD \uFFFD! \uFFFD"), hubTexts());
        assertArrayEquals(raw, Files.readAllBytes(path));
    }

    @Test
    void characterSplitAcrossChunksDecodesWhole() throws IOException {
        byte[] euro = "€\n".getBytes(UTF_8);
        feed(Arrays.copyOfRange(euro, 0, 1), Arrays.copyOfRange(euro, 1, 2), Arrays.copyOfRange(euro, 2, 4));

        assertEquals(List.of("€"), hubTexts());
        assertEquals("€\n", fileText());
    }

    @Test
    void echoReceivesTheSameLinesAsTheHub() {
        feed("one\ntwo\n");

        assertEquals(hub.tail(10, s -> true), echoed);
        assertEquals("web:2 | one", LogFormat.plain(echoed.get(0)));
    }

    @Test
    void echoThatThrowsLeavesTheSinkConsistent() throws IOException {
        boolean[] fail = {true};
        LineSink s = new LineSink("web:2", LogStream.STDOUT, file, hub, l -> {
            if (fail[0]) {
                fail[0] = false;
                throw new IllegalStateException("stdout is gone");
            }
        });
        ByteBuffer chunk = ByteBuffer.wrap("one\ntwo\n".getBytes(UTF_8));
        assertThrows(IllegalStateException.class, () -> s.accept(chunk));
        s.accept(chunk);
        s.accept(ByteBuffer.wrap("three\n".getBytes(UTF_8)));

        assertEquals(List.of("one", "two", "three"), hubTexts());
        assertEquals("one\ntwo\nthree\n", fileText());
    }

    @Test
    void linesCarrySourceAndStream() {
        LineSink err = new LineSink("worker:0", LogStream.STDERR, file, hub, null);
        err.accept(ByteBuffer.wrap("oops\n".getBytes(UTF_8)));

        LogLine line = hub.tail(1, s -> true).get(0);
        assertEquals("worker:0", line.source());
        assertEquals(LogStream.STDERR, line.stream());
        assertEquals("oops", line.text());
    }

    @Test
    void acceptReadsFromTheBufferPositionToItsLimit() {
        ByteBuffer buffer = ByteBuffer.wrap("skip|kept\n|after".getBytes(UTF_8));
        buffer.position(5).limit(10);

        sink.accept(buffer);

        assertEquals(List.of("kept"), hubTexts());
        assertEquals(10, buffer.position());
    }

    @Test
    void fileFailureStillPublishesToHub() throws IOException {
        Path blocker = dir.resolve("blocked");
        Files.writeString(blocker, "not a folder");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (RotatingFile broken = new RotatingFile(blocker.resolve("x.log"), 0, 0,
                new java.io.PrintStream(err, true, UTF_8))) {
            LineSink s = new LineSink("web:2", LogStream.STDOUT, broken, hub, null);
            s.accept(ByteBuffer.wrap("a\nb\n".getBytes(UTF_8)));
        }
        assertEquals(List.of("a", "b"), hubTexts());
        assertEquals(1, err.toString(UTF_8).lines().count());
    }
}
