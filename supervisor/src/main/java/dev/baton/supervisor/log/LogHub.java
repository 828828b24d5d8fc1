package dev.baton.supervisor.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Recent lines of all workers, for {@code baton logs}, plus live subscribers for {@code baton logs -f}. Thread-safe.
 *
 * <p>The history is a ring bounded by both a line count and a total of characters (of {@link LogLine#text()});
 * the oldest lines are evicted first. A single line longer than the character bound is not kept at all, though
 * subscribers still receive it.
 *
 * <p>To follow without gaps or duplicates, subscribe first, then {@link #tail}, and drop subscribed lines whose
 * {@code seq} is in the tail. Lines published by different threads may reach a subscriber out of {@code seq}
 * order; lines published by one thread arrive in order.
 */
public final class LogHub {

    /** History bounds of {@link #withDefaults()}. */
    public static final int DEFAULT_MAX_LINES = 10_000;
    public static final long DEFAULT_MAX_CHARS = 8L * 1024 * 1024;

    /** What {@link #subscribe} returns: an {@link AutoCloseable} whose {@code close} throws nothing. */
    public interface Subscription extends AutoCloseable {
        /** Stops delivery (a publish already under way may still deliver its line); idempotent. */
        @Override
        void close();
    }

    private final int maxLines;
    private final long maxChars;
    private final Object lock = new Object();
    private final ArrayDeque<LogLine> ring = new ArrayDeque<>(); // guarded by lock
    private long chars; // guarded by lock
    private long nextSeq = 1; // guarded by lock
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    public LogHub(int maxLines, long maxChars) {
        if (maxLines < 1) {
            throw new IllegalArgumentException("log history: maxLines must be 1 or more, got " + maxLines);
        }
        if (maxChars < 1) {
            throw new IllegalArgumentException("log history: maxChars must be 1 or more, got " + maxChars);
        }
        this.maxLines = maxLines;
        this.maxChars = maxChars;
    }

    /** 10,000 lines and 8 MiB of characters. */
    public static LogHub withDefaults() {
        return new LogHub(DEFAULT_MAX_LINES, DEFAULT_MAX_CHARS);
    }

    /** {@link #publish(String, LogStream, String, long)} at the current time. */
    public LogLine publish(String source, LogStream stream, String text) {
        return publish(source, stream, text, System.currentTimeMillis());
    }

    /**
     * Stamps the line with the next {@code seq} and {@code timeMillis} (when it arrived: a {@link LineSink} takes the
     * time once, for the file and the hub), appends it to the history, then hands it to every matching subscriber on
     * this thread. A subscriber whose filter or listener throws is removed. Lines published by different threads may
     * have times slightly out of {@code seq} order.
     */
    public LogLine publish(String source, LogStream stream, String text, long timeMillis) {
        return publish(source, source, stream, text, timeMillis);
    }

    /** As {@link #publish(String, LogStream, String, long)}, the line shown as {@code name} ({@link LogLine#name}). */
    public LogLine publish(String source, String name, LogStream stream, String text, long timeMillis) {
        LogLine line;
        synchronized (lock) {
            line = new LogLine(nextSeq++, timeMillis, source, name, stream, text);
            ring.addLast(line);
            chars += text.length();
            while (ring.size() > maxLines || chars > maxChars) {
                chars -= ring.removeFirst().text().length();
            }
        }
        deliver(line);
        return line;
    }

    /** The last {@code n} lines whose source matches, oldest first; empty if {@code n} is 0 or less. */
    public List<LogLine> tail(int n, Predicate<String> sourceFilter) {
        return tail(n, Long.MIN_VALUE, sourceFilter);
    }

    /**
     * The last {@code n} lines whose source matches and whose time is {@code sinceMillis} or later, oldest first;
     * empty if {@code n} is 0 or less. Every kept line is looked at, not only the newest ones, since times need not
     * follow {@code seq} order (the wall clock may be set back).
     */
    public List<LogLine> tail(int n, long sinceMillis, Predicate<String> sourceFilter) {
        Objects.requireNonNull(sourceFilter, "sourceFilter");
        if (n <= 0) {
            return List.of();
        }
        LogLine[] snapshot;
        synchronized (lock) {
            snapshot = ring.toArray(new LogLine[0]);
        }
        List<LogLine> out = new ArrayList<>(Math.min(n, snapshot.length));
        for (int i = snapshot.length - 1; i >= 0 && out.size() < n; i--) {
            if (snapshot[i].timeMillis() >= sinceMillis && sourceFilter.test(snapshot[i].source())) {
                out.add(snapshot[i]);
            }
        }
        Collections.reverse(out);
        return Collections.unmodifiableList(out);
    }

    /**
     * Calls {@code listener} with every line published from now on whose source matches, on the publishing thread
     * (a worker's I/O thread): the filter and the listener must be quick and must not block.
     */
    public Subscription subscribe(Predicate<String> sourceFilter, Consumer<LogLine> listener) {
        Subscriber s = new Subscriber(Objects.requireNonNull(sourceFilter, "sourceFilter"),
                Objects.requireNonNull(listener, "listener"));
        subscribers.add(s);
        return () -> subscribers.remove(s);
    }

    private void deliver(LogLine line) {
        for (Subscriber s : subscribers) {
            try {
                if (s.filter.test(line.source())) {
                    s.listener.accept(line);
                }
            } catch (RuntimeException e) {
                subscribers.remove(s);
            }
        }
    }

    private static final class Subscriber {
        final Predicate<String> filter;
        final Consumer<LogLine> listener;

        Subscriber(Predicate<String> filter, Consumer<LogLine> listener) {
            this.filter = filter;
            this.listener = listener;
        }
    }
}
