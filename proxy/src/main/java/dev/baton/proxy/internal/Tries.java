package dev.baton.proxy.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The budget of one request's tries. A try that reached a worker (it may have acted on the request) counts
 * against {@code retries}; a try that reached none (refused, gone, a write that failed) does not, nor one on a
 * kept-alive connection the worker closed before answering (as nginx's cached connections), but those are
 * bounded too. All the waiting for a worker, over every try, is bounded by {@code queue_timeout}. The workers
 * tried are avoided while another one can take the request. Event loop thread only.
 */
final class Tries {

    /** How a try that failed before any response byte may go again. */
    enum Again { UNCOUNTED, COUNTED, NEVER }

    /** Tries that reached no worker do not count against {@code retries}, but there are at most this many. */
    static final int MAX_UNSENT = 16;

    private final int retries;
    private final long waitDeadline;
    private final Set<Backend> tried = new HashSet<>();
    private int sent;
    private int unsent;

    Tries(int retries, long queueTimeoutNanos) {
        this.retries = retries;
        this.waitDeadline = System.nanoTime() + queueTimeoutNanos;
    }

    /**
     * The retry rule for a try that failed before any response byte reached the client. {@code reached}: a byte of
     * the request may have reached the worker ({@link Attempt#reached}); {@code pooled}: the worker closed the
     * kept-alive connection the try was on; {@code replayable}: Baton still holds the whole body sent so far
     * ({@link RequestBody#replayable}); {@code idempotent}: RFC 9110 section 9.2.2.
     * <ul>
     *   <li>no byte reached the worker: again, any method, not counted against {@code retries};</li>
     *   <li>a byte may have reached it: again only when idempotent, counted, except on a pooled connection, as
     *       nginx does with its cached connections (a killed worker's pooled connections all fail at once, and the
     *       request should not spend its {@code retries} on them; the next try takes a new connection);</li>
     *   <li>Baton no longer holds the body (it streamed to the worker): never.</li>
     * </ul>
     */
    static Again again(boolean reached, boolean pooled, boolean replayable, boolean idempotent) {
        if (!replayable) {
            return Again.NEVER;
        }
        if (!reached) {
            return Again.UNCOUNTED;
        }
        if (!idempotent) {
            return Again.NEVER;
        }
        return pooled ? Again.UNCOUNTED : Again.COUNTED;
    }

    /** Why {@link #again} said {@code NEVER}, for the 502's reason. */
    static String notRetried(String method, boolean replayable) {
        return replayable
                ? " (not retried: " + method + " is not idempotent and the worker may have read part of it)"
                : " (not retried: part of the body went to the worker and Baton holds no copy)";
    }

    /** How long the request may still wait for a worker. */
    long waitMillis() {
        return TimeUnit.NANOSECONDS.toMillis(waitDeadline - System.nanoTime());
    }

    /** The workers tried so far (live view: the balancer avoids them). */
    Set<Backend> tried() {
        return tried;
    }

    /** A worker was granted for a try. */
    void granted(Backend b) {
        tried.add(b);
    }

    /** The request went to a worker: this try counts. */
    void sent() {
        sent++;
    }

    /** The request did not reach the worker after all (its write failed): this try does not count. */
    void unsent() {
        sent--;
    }

    /** True while a request that reached a worker may be sent once more. */
    boolean mayResend() {
        return sent <= retries;
    }

    /** Takes one more try: {@code counted} when the last try reached a worker. False when none is left. */
    boolean another(boolean counted) {
        return counted ? mayResend() : ++unsent <= MAX_UNSENT;
    }
}
