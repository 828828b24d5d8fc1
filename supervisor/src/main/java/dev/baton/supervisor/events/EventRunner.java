package dev.baton.supervisor.events;

import dev.baton.supervisor.Log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Delivers events to {@code event_command}: {@link #emit} only enqueues (any thread, never blocks), and one thread
 * of its own ({@code baton-events}) runs the command once per event, in order, one at a time ({@link
 * EventCommand}). The queue is bounded: an event that finds it full is dropped and counted. Failures (a nonzero
 * exit, the timeout, a command that cannot start) and drops are logged at most once a minute ({@link Complaints}).
 * {@link #close} delivers what is queued, within a bounded wait, before Baton exits.
 */
public final class EventRunner {

    /** Events waiting beyond this many are dropped. */
    public static final int QUEUE_CAPACITY = 1000;
    /** A run of the command taking longer is killed, and counts as a failure. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Failures and drops are reported at most this often. */
    public static final Duration COMPLAINT_INTERVAL = Duration.ofMinutes(1);

    /** How long {@link #close} waits for the thread once it interrupted it (a killed command is reaped in 5 s). */
    private static final long AFTER_INTERRUPT_MILLIS = 6_000;
    /** Queued by {@link #close}: the thread ends when it takes it. */
    private static final Event END = new Event(null, "end", null, null, null, null, null, null, null, null);

    private final BlockingQueue<Event> queue;
    private final EventCommand command;
    private final Complaints complaints;
    private final Consumer<String> warn;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    private volatile boolean closing;

    /**
     * {@code event_command} with Baton's defaults: the queue of {@link #QUEUE_CAPACITY}, the {@link #TIMEOUT}, one
     * report a minute to Baton's log. An empty {@code command} (the key is not set) runs nothing and starts no thread.
     *
     * @param dir    the folder it runs in (the configuration file's)
     * @param env    its environment (Baton's own)
     * @param output the file the output of its last run is kept in
     */
    public static EventRunner start(List<String> command, Path dir, Map<String, String> env, Path output) {
        return new EventRunner(command, dir, env, output, QUEUE_CAPACITY, TIMEOUT, COMPLAINT_INTERVAL,
                () -> System.nanoTime() / 1_000_000, Log::warn);
    }

    EventRunner(List<String> command, Path dir, Map<String, String> env, Path output, int capacity, Duration timeout,
                Duration complaintInterval, LongSupplier clock, Consumer<String> warn) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.warn = warn;
        this.complaints = new Complaints(complaintInterval.toMillis(), clock, warn);
        if (command.isEmpty()) {
            this.command = null;
            this.thread = null;
            return;
        }
        this.command = new EventCommand(command, dir, env, timeout, output);
        this.thread = new Thread(this::deliverAll, "baton-events");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code event} for the command; drops it (counted) when the queue is full. Any thread; never blocks. */
    public void emit(Event event) {
        if (thread == null || closing) {
            return;
        }
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /**
     * Delivers the events queued so far, waiting at most {@code wait}; then the command still running is killed, and
     * the events left undelivered are counted in Baton's log. Later events are ignored. Call once, as Baton exits.
     */
    public void close(Duration wait) {
        if (thread == null) {
            return;
        }
        closing = true;
        queue.offer(END); // when full, the thread finds the queue empty after the last event, and closing set
        try {
            thread.join(Math.max(1, wait.toMillis()));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(AFTER_INTERRUPT_MILLIS);
                long left = queue.stream().filter(e -> e != END).count() + 1; // +1: the one whose run was killed
                warn.accept("event_command: " + left + (left == 1 ? " event" : " events")
                        + " not delivered: Baton waits at most " + wait.toSeconds() + "s for them as it exits");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many runs of the command have ended, failed or not. */
    long runs() {
        return runs.get();
    }

    private void deliverAll() {
        try {
            while (true) {
                Event event = queue.take();
                noteDropped();
                if (event == END) {
                    break;
                }
                deliver(event);
                if (closing && queue.isEmpty()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            // close() gave up waiting: the command was killed
        } finally {
            noteDropped();
            complaints.flush();
        }
    }

    private void deliver(Event event) throws InterruptedException {
        String failure;
        try {
            failure = command.run(event);
        } finally {
            runs.incrementAndGet();
        }
        if (failure == null) {
            complaints.succeeded();
        } else {
            complaints.failed("event " + event.event() + (event.worker() != null ? " of " + event.worker()
                    : event.program() != null ? " of " + event.program() : "") + ": " + failure);
        }
    }

    private void noteDropped() {
        long n = dropped.getAndSet(0);
        if (n > 0) {
            complaints.dropped(n);
        }
    }
}
