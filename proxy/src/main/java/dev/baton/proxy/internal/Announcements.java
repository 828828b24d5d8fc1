package dev.baton.proxy.internal;

import dev.baton.proxy.ProxyLog;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one backend tells its {@link dev.baton.proxy.BackendListener}, in the order it happened and outside the
 * backend's lock: news is queued where the change is made (under the lock that orders the changes), then delivered
 * by whichever thread calls {@link #deliver} first with no lock held, one call at a time. So an ejection announced
 * by a request's event loop cannot overtake the re-admission the health checker announces just after it, or the
 * other way round. A listener that throws is logged; the news after it is still delivered.
 */
final class Announcements {

    private record News(String event, Runnable call) {
    }

    private final String backend;
    private final ProxyLog log;
    private final Queue<News> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();

    /** {@code backend}: how log lines name it, e.g. {@code web: backend web:0 [gen 2]}. */
    Announcements(String backend, ProxyLog log) {
        this.backend = backend;
        this.log = log;
    }

    /** Queues news of {@code event}; {@code call} tells the listener. Any thread, any lock. */
    void add(String event, Runnable call) {
        pending.add(new News(event, call));
    }

    /**
     * Delivers the queued news, unless another thread is delivering (it delivers this news too, before it stops).
     * Call with no lock held.
     */
    void deliver() {
        while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
            try {
                for (News n = pending.poll(); n != null; n = pending.poll()) {
                    tell(n);
                }
            } finally {
                delivering.set(false);
            }
        }
    }

    private void tell(News n) {
        try {
            n.call().run();
        } catch (RuntimeException e) {
            log.warn(backend + ": " + n.event() + " listener failed: " + Errors.describe(e));
        }
    }
}
