package dev.baton.proxy.internal;

import dev.baton.proxy.BackendStats;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Picks a worker for each request: the healthy one with the fewest requests in flight, never more than
 * {@code max_inflight} each. Requests beyond that capacity wait here, in arrival order, in a bounded queue (like
 * HAProxy's per-server maxconn and queue), never in a worker's kernel backlog; a request still waiting after
 * {@code queue_timeout} is answered 503.
 *
 * <p>One small lock guards the backend list, in-flight counts and the queue. Grants are handed to the waiting
 * request's own event loop.
 */
public final class Balancer {

    private final int maxInflight;
    private final int maxQueue;
    private final long queueTimeoutMillis;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private List<Backend> backends = List.of();
    private int rotation;

    /** Why a request got no worker. */
    public enum Refusal { QUEUE_FULL, QUEUE_TIMEOUT }

    private final class Waiter {
        final EventExecutor loop;
        final Set<Backend> exclude;
        final Consumer<Backend> granted;
        final Consumer<Refusal> refused;
        ScheduledFuture<?> timeout;

        Waiter(EventExecutor loop, Set<Backend> exclude, Consumer<Backend> granted, Consumer<Refusal> refused) {
            this.loop = loop;
            this.exclude = exclude;
            this.granted = granted;
            this.refused = refused;
        }
    }

    public Balancer(int maxInflight, int maxQueue, long queueTimeoutMillis) {
        this.maxInflight = maxInflight;
        this.maxQueue = maxQueue;
        this.queueTimeoutMillis = queueTimeoutMillis;
    }

    /** Replaces the set of backends (the supervisor published a new view). */
    public synchronized void backends(List<Backend> next) {
        backends = List.copyOf(next);
        dispatch();
    }

    public synchronized List<Backend> backends() {
        return backends;
    }

    /**
     * Asks for a worker other than those in {@code exclude}. {@code granted} runs on {@code loop} with the chosen
     * backend, its in-flight count already taken (give it back with {@link #release}); {@code refused} runs on
     * {@code loop} when the queue is full or the wait timed out.
     */
    public void acquire(EventExecutor loop, Set<Backend> exclude, Consumer<Backend> granted,
                        Consumer<Refusal> refused) {
        Backend chosen;
        synchronized (this) {
            chosen = pick(exclude);
            if (chosen == null) {
                if (queue.size() >= maxQueue) {
                    loop.execute(() -> refused.accept(Refusal.QUEUE_FULL));
                    return;
                }
                Waiter w = new Waiter(loop, exclude, granted, refused);
                queue.addLast(w);
                w.timeout = loop.schedule(() -> expire(w), queueTimeoutMillis, TimeUnit.MILLISECONDS);
                return;
            }
        }
        granted.accept(chosen);
    }

    /**
     * Gives back the in-flight slot taken by a grant, and lets the next waiting request in; a draining backend
     * whose last request this was reports itself drained (outside the lock).
     */
    public void release(Backend backend) {
        synchronized (this) {
            backend.inflight(-1);
            dispatch();
        }
        backend.maybeDrained();
    }

    /** Called when a backend became routable: waiting requests may now go to it. */
    public synchronized void wake() {
        dispatch();
    }

    public synchronized int queued() {
        return queue.size();
    }

    public synchronized List<BackendStats> stats() {
        return backends.stream().map(b -> b.stats(b.inflight())).toList();
    }

    private void expire(Waiter w) {
        synchronized (this) {
            if (!queue.remove(w)) {
                return;
            }
        }
        w.refused.accept(Refusal.QUEUE_TIMEOUT);
    }

    private void dispatch() {
        for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            Backend b = pick(w.exclude);
            if (b == null) {
                if (!hasCapacity()) {
                    return;
                }
                continue; // this waiter excludes the only free backends; a later one may take them
            }
            it.remove();
            w.timeout.cancel(false);
            w.loop.execute(() -> w.granted.accept(b));
        }
    }

    private boolean hasCapacity() {
        for (Backend b : backends) {
            if (b.state().routable() && (maxInflight == 0 || b.inflight() < maxInflight)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Least in-flight among routable backends with a free slot; takes the slot. Backends in {@code exclude} (tried
     * already) are skipped while another routable backend exists. Caller holds the lock.
     */
    private Backend pick(Set<Backend> exclude) {
        boolean avoid = !exclude.isEmpty() && backends.stream()
                .anyMatch(b -> b.state().routable() && !exclude.contains(b));
        Backend best = null;
        List<Backend> ties = new ArrayList<>();
        for (Backend b : backends) {
            if (!b.state().routable() || avoid && exclude.contains(b)
                    || (maxInflight > 0 && b.inflight() >= maxInflight)) {
                continue;
            }
            if (best == null || b.inflight() < best.inflight()) {
                best = b;
                ties.clear();
                ties.add(b);
            } else if (b.inflight() == best.inflight()) {
                ties.add(b);
            }
        }
        if (best == null) {
            return null;
        }
        Backend chosen = ties.size() == 1 ? best : ties.get(Math.floorMod(rotation++, ties.size()));
        chosen.inflight(1);
        return chosen;
    }

}
