package dev.baton.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker that floods output, with long lines, partial lines and invalid UTF-8, stays within every bound. */
class LineSinkFloodTest {

    private static final int CHUNK = 64 * 1024;
    private static final long FLOOD_BYTES = 50L * 1024 * 1024;
    private static final int MAX_LINES = 1_000;
    private static final long MAX_CHARS = 64 * 1024;
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void fiftyMegabyteFloodKeepsHubSinkAndFilesWithinTheirBounds() throws IOException {
        Path path = dir.resolve("flood-0.out.log");
        LogHub hub = new LogHub(MAX_LINES, MAX_CHARS);
        AtomicLong published = new AtomicLong();
        AtomicInteger longest = new AtomicInteger();
        hub.subscribe(s -> true, l -> {
            published.incrementAndGet();
            longest.accumulateAndGet(l.text().length(), Math::max);
        });
        byte[][] patterns = patterns(new Random(42));

        try (RotatingFile file = new RotatingFile(path, MAX_FILE_BYTES, 2)) {
            LineSink sink = new LineSink("flood:0", LogStream.STDOUT, file, hub, null);
            for (long fed = 0, i = 0; fed < FLOOD_BYTES; fed += CHUNK, i++) {
                sink.accept(ByteBuffer.wrap(patterns[(int) (i % patterns.length)]));
                if (i % 64 == 0) {
                    assertHubWithinBounds(hub);
                    assertTrue(sink.bufferCapacity() <= LineSink.MAX_LINE_BYTES + 1, "sink buffer bounded");
                }
            }
            sink.close();
        }

        assertHubWithinBounds(hub);
        assertHistoryFull(hub);
        assertTrue(published.get() > 100_000, "published " + published.get());
        assertTrue(longest.get() <= LineSink.MAX_LINE_BYTES, "longest line " + longest.get());
        for (Path p : List.of(path, dir.resolve("flood-0.out.log.1"), dir.resolve("flood-0.out.log.2"))) {
            assertTrue(Files.size(p) <= MAX_FILE_BYTES, p + ": " + Files.size(p));
        }
        assertFalse(Files.exists(dir.resolve("flood-0.out.log.3")));
    }

    private static void assertHubWithinBounds(LogHub hub) {
        List<LogLine> all = hub.tail(Integer.MAX_VALUE, s -> true);
        assertTrue(all.size() <= MAX_LINES, "hub lines " + all.size());
        long chars = all.stream().mapToLong(l -> l.text().length()).sum();
        assertTrue(chars <= MAX_CHARS, "hub chars " + chars);
    }

    /** Full by one bound or the other: eviction keeps recent lines instead of dropping everything. */
    private static void assertHistoryFull(LogHub hub) {
        List<LogLine> all = hub.tail(Integer.MAX_VALUE, s -> true);
        long chars = all.stream().mapToLong(l -> l.text().length()).sum();
        assertTrue(all.size() == MAX_LINES || chars > MAX_CHARS - LineSink.MAX_LINE_BYTES,
                all.size() + " lines, " + chars + " chars");
    }

    /** 64 KiB chunks of three kinds: short text lines, one endless line, and random bytes. */
    private static byte[][] patterns(Random random) {
        byte[][] patterns = new byte[12][];
        for (int p = 0; p < patterns.length; p++) {
            byte[] chunk = new byte[CHUNK];
            for (int i = 0; i < CHUNK; i++) {
                chunk[i] = switch (p % 3) {
                    case 0 -> random.nextInt(60) == 0 ? (byte) '\n' : (byte) ('a' + random.nextInt(26));
                    case 1 -> (byte) ('A' + i % 26);
                    default -> (byte) random.nextInt(256);
                };
            }
            patterns[p] = chunk;
        }
        return patterns;
    }
}
