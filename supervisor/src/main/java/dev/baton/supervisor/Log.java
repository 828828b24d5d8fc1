package dev.baton.supervisor;

import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Baton's own log: one line per event on stderr, also published to {@code baton logs} as source "baton".
 *
 * <p>Callers never wait for stderr: a call stamps the time and enqueues the line, and one writer thread prints
 * lines in the order they were enqueued. So a Netty event loop that logs a failed request, or the supervisor loop
 * that logs a transition, cannot be stalled by a blocked terminal or journald. If 10,000 lines are waiting, further
 * lines are dropped and counted, and the count is printed once the writer catches up. {@link #flush()} waits for
 * what was enqueued before it (call it before the process exits).
 */
public final class Log {

    private static final int MAX_QUEUED = 10_000;

    private record Entry(long millis, String level, String message, Throwable cause) {
    }

    private static volatile PrintStream out = System.err;
    private static volatile Consumer<String> tap = line -> { };
    private static volatile boolean debug = Boolean.getBoolean("baton.debug");
    private static final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private static final AtomicLong dropped = new AtomicLong();
    private static final AtomicLong enqueued = new AtomicLong();
    private static final AtomicLong written = new AtomicLong();
    private static final Object progress = new Object();

    static {
        Thread writer = new Thread(Log::drain, "baton-log");
        writer.setDaemon(true);
        writer.start();
    }

    private Log() {
    }

    /** Also hands every info/warn/error message to {@code sink} (the log hub), on the writer thread. */
    public static void tap(Consumer<String> sink) {
        tap = sink;
    }

    public static void info(String message) {
        write("INFO", message, null);
    }

    public static void warn(String message) {
        write("WARN", message, null);
    }

    public static void error(String message, Throwable cause) {
        write("ERROR", message, debug ? cause : null);
    }

    public static void debug(String message) {
        if (debug) {
            write("DEBUG", message, null);
        }
    }

    /** Waits (at most 5 s) until every line logged before this call is printed. */
    public static void flush() {
        long target = enqueued.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (progress) {
            while (written.get() < target && System.nanoTime() < deadline) {
                try {
                    progress.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        out.flush();
    }

    private static void write(String level, String message, Throwable cause) {
        if (queue.offer(new Entry(System.currentTimeMillis(), level, message, cause))) {
            enqueued.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    private static void drain() {
        while (true) {
            Entry e;
            try {
                e = queue.take();
            } catch (InterruptedException interrupted) {
                return;
            }
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                print(new Entry(e.millis(), "WARN", lost + " log lines dropped: stderr did not keep up", null));
            }
            print(e);
            written.incrementAndGet();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private static void print(Entry e) {
        try {
            PrintStream stream = out;
            stream.println(Instant.ofEpochMilli(e.millis()) + " " + e.level() + " " + e.message());
            if (e.cause() != null) {
                e.cause().printStackTrace(stream);
            }
            if (!e.level().equals("DEBUG")) {
                tap.accept(e.level().equals("INFO") ? e.message() : e.level() + " " + e.message());
            }
        } catch (RuntimeException ignored) {
            // the log must never take the daemon down
        }
    }
}
