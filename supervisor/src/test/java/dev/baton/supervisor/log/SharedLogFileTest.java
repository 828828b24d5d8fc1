package dev.baton.supervisor.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two workers of different generations with the same program and index write to one file at once, as during a
 * zero-downtime reload. Every line in the file must be intact.
 */
class SharedLogFileTest {

    private static final int LINES_PER_WORKER = 2_000;
    private static final Pattern LINE = Pattern.compile("gen(\\d) (\\d+) (\\d+) (x*)");

    @TempDir
    Path dir;

    @RepeatedTest(20)
    void twoGenerationsWritingConcurrentlyNeverInterleaveMidLine(RepetitionInfo repetition) throws Exception {
        Path path = dir.resolve("web-2.out.log");
        try (RotatingFile file = new RotatingFile(path, 0, 0)) {
            runTwoWorkers(file, repetition.getCurrentRepetition());
        }
        assertIntact(readAll(List.of(path)));
    }

    @RepeatedTest(10)
    void twoGenerationsWritingConcurrentlyNeverInterleaveAcrossRotations(RepetitionInfo repetition) throws Exception {
        Path path = dir.resolve("web-2.out.log");
        int maxBytes = 32 * 1024;
        try (RotatingFile file = new RotatingFile(path, maxBytes, 1000)) {
            runTwoWorkers(file, repetition.getCurrentRepetition());
        }
        List<Path> oldestFirst = new ArrayList<>();
        for (int n = 1000; n >= 1; n--) {
            Path backup = dir.resolve("web-2.out.log." + n);
            if (Files.exists(backup)) {
                oldestFirst.add(backup);
            }
        }
        oldestFirst.add(path);
        assertTrue(oldestFirst.size() > 5, "the test rotates several times");
        for (Path p : oldestFirst) {
            assertTrue(Files.size(p) <= maxBytes, p + " is within maxBytes");
        }
        assertIntact(readAll(oldestFirst));
    }

    /** Feeds both generations' output through their own LineSink on their own thread, in random chunks. */
    private void runTwoWorkers(RotatingFile file, long seed) throws Exception {
        LogHub hub = new LogHub(100, 100_000);
        AtomicInteger published = new AtomicInteger();
        hub.subscribe(s -> true, l -> published.incrementAndGet());
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int gen = 1; gen <= 2; gen++) {
                byte[] output = workerOutput(gen, new Random(seed * 31 + gen));
                LineSink sink = new LineSink("web:2", LogStream.STDOUT, file, hub, null);
                Random chunking = new Random(seed * 37 + gen);
                done.add(pool.submit(() -> {
                    start.await();
                    feedInRandomChunks(sink, output, chunking);
                    sink.close();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * LINES_PER_WORKER, published.get());
    }

    /** Lines {@code genG I LEN xxx...} with LEN x's, some ending in \r\n, the last one without newline. */
    private static byte[] workerOutput(int gen, Random random) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < LINES_PER_WORKER; i++) {
            int len = random.nextInt(20) == 0 ? 1_000 + random.nextInt(3_000) : random.nextInt(200);
            out.append("gen").append(gen).append(' ').append(i).append(' ').append(len).append(' ')
                    .append("x".repeat(len));
            if (i < LINES_PER_WORKER - 1) {
                out.append(random.nextBoolean() ? "\n" : "\r\n");
            }
        }
        return out.toString().getBytes(UTF_8);
    }

    private static void feedInRandomChunks(LineSink sink, byte[] output, Random random) {
        int at = 0;
        while (at < output.length) {
            int n = Math.min(output.length - at, 1 + random.nextInt(2048));
            sink.accept(ByteBuffer.wrap(output, at, n).slice());
            at += n;
        }
    }

    private static String readAll(List<Path> paths) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : paths) {
            all.write(Files.readAllBytes(p));
        }
        return all.toString(UTF_8);
    }

    /** Every line is whole, and each generation's lines appear once each, in order. */
    private static void assertIntact(String text) {
        assertTrue(text.endsWith("\n"));
        assertFalse(text.contains("\r"));
        int[] next = new int[3];
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue; // only after the final newline
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches() || Integer.parseInt(m.group(3)) != m.group(4).length()) {
                fail("torn line: " + abbreviate(line));
            }
            int gen = Integer.parseInt(m.group(1));
            assertEquals(next[gen], Integer.parseInt(m.group(2)), "gen" + gen + " line order");
            next[gen]++;
        }
        assertEquals(LINES_PER_WORKER, next[1]);
        assertEquals(LINES_PER_WORKER, next[2]);
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 120) + "... (" + line.length() + " chars)";
    }
}
