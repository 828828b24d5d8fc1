package dev.baton.proxy.internal;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.BackendView;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Picks a worker for each request: the healthy one with the fewest requests in flight, never more than its
 * {@code max_inflight} each (a backend's own, from its generation). Requests beyond that capacity wait here, in
 * arrival order, in a bounded queue (like HAProxy's per-server maxconn and queue), never in a worker's kernel
 * backlog; a request that has waited its time is answered 503.
 *
 * <p>While the program is down (no worker running or coming back: stopped, FATAL), a request that finds no
 * backend is refused at once instead of waiting, and the requests waiting when it goes down are refused too.
 *
 * <p>A canary reload's new worker (role {@code CANARY}) gets the program's canary weight, a percent of the
 * requests: while a canary backend is routable, each request draws once ({@link #draw}) whether it belongs to the
 * {@link Group#CANARY canary group} or to the {@link Group#OTHERS others}, and keeps that group for all its tries,
 * queued or retried. It gets only a backend of its group, least in flight first, and waits for a free slot there,
 * unless its group has no routable backend it has not tried yet: then it takes the other group. So a request the
 * canary failed goes to an old worker only when the retry rules allow another try anyway. With no canary backend
 * there is no draw: every request is {@link Group#ANY}.
 *
 * <p>One small lock guards the backend list, in-flight counts and the queue. Grants are handed to the waiting
 * request's own event loop.
 */
public final class Balancer {

    private final IntSupplier maxQueue;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private List<Backend> backends = List.of();
    private String down;
    private int rotation;
    /** The program's canary backends and their weight, or null when it has none: the hot path reads only this. */
    private volatile Canary canary;

    /** The backends published {@code CANARY}, whatever their state, and the percent of requests they get. */
    private record Canary(List<Backend> backends, int weight) {
    }

    /** Which backends a request may get. */
    public enum Group {
        /** Any backend: the program has no canary (routable, when the request first asked). */
        ANY,
        /** The healthy backends published {@code CANARY}. */
        CANARY,
        /** The healthy backends not published {@code CANARY}. */
        OTHERS;

        boolean has(Backend b) {
            return this == ANY || (b.role() == BackendView.Role.CANARY) == (this == CANARY);
        }

        Group other() {
            return this == CANARY ? OTHERS : this == OTHERS ? CANARY : ANY;
        }
    }

    /** Why a request got no worker. */
    public enum Refusal {
        /** {@code max_queue} requests were waiting already. */
        QUEUE_FULL,
        /** No worker was free within the request's wait. */
        QUEUE_TIMEOUT,
        /** No worker runs or is coming back; {@link #down()} says why. */
        DOWN
    }

    private final class Waiter {
        final EventExecutor loop;
        final Set<Backend> exclude;
        final Group group;
        final Consumer<Backend> granted;
        final Consumer<Refusal> refused;
        ScheduledFuture<?> timeout;

        Waiter(EventExecutor loop, Set<Backend> exclude, Group group, Consumer<Backend> granted,
               Consumer<Refusal> refused) {
            this.loop = loop;
            this.exclude = exclude;
            this.group = group;
            this.granted = granted;
            this.refused = refused;
        }
    }

    /** {@code maxQueue}: read at each request, so a reload's new {@code max_queue} applies to the next one. */
    public Balancer(IntSupplier maxQueue) {
        this.maxQueue = maxQueue;
    }

    /**
     * Replaces the set of backends (the supervisor published a new view, their roles already applied) and says
     * whether the program is down ({@code down} non-null: why) and what percent of its requests its {@code CANARY}
     * backends get. Going down refuses every waiting request.
     */
    public void backends(List<Backend> next, String down, int canaryWeight) {
        if (canaryWeight < 0 || canaryWeight > 100) {
            throw new IllegalArgumentException("canary weight must be 0 to 100: " + canaryWeight);
        }
        List<Waiter> refused = new ArrayList<>();
        synchronized (this) {
            backends = List.copyOf(next);
            this.down = down;
            List<Backend> canaries = backends.stream().filter(b -> b.role() == BackendView.Role.CANARY).toList();
            canary = canaries.isEmpty() ? null : new Canary(canaries, canaryWeight);
            dispatch();
            if (down != null && !hasRoutable()) {
                refused.addAll(queue);
                queue.clear();
            }
        }
        for (Waiter w : refused) {
            w.timeout.cancel(false);
            w.loop.execute(() -> w.refused.accept(Refusal.DOWN));
        }
    }

    public synchronized List<Backend> backends() {
        return backends;
    }

    /** Why the program is down, or null while workers run or are coming back. */
    public synchronized String down() {
        return down;
    }

    /**
     * The group of a request asking for its first worker: {@link Group#ANY} when the program has no routable
     * canary; else {@link Group#CANARY} with the canary weight's probability, {@link Group#OTHERS} otherwise. The
     * request keeps it for all its tries. Any thread, no lock; with no canary, one field read.
     */
    public Group draw() {
        Canary c = canary;
        if (c == null) {
            return Group.ANY;
        }
        for (Backend b : c.backends()) {
            if (b.state().routable()) {
                return ThreadLocalRandom.current().nextInt(100) < c.weight() ? Group.CANARY : Group.OTHERS;
            }
        }
        return Group.ANY;
    }

    /** {@link #acquire(EventExecutor, Set, Group, long, Consumer, Consumer)} for a request that draws now. */
    public void acquire(EventExecutor loop, Set<Backend> exclude, long waitMillis, Consumer<Backend> granted,
                        Consumer<Refusal> refused) {
        acquire(loop, exclude, draw(), waitMillis, granted, refused);
    }

    /**
     * Asks for a worker of {@code group} (see {@link Group}; the other group's when this one has no routable
     * backend outside {@code exclude}) other than those in {@code exclude}, waiting at most {@code waitMillis}.
     * {@code granted} runs on {@code loop} with the chosen backend, its in-flight count already taken (give it back
     * with {@link #release}); {@code refused} runs on {@code loop} when the queue is full, the wait timed out, or
     * the program is down.
     */
    public void acquire(EventExecutor loop, Set<Backend> exclude, Group group, long waitMillis,
                        Consumer<Backend> granted, Consumer<Refusal> refused) {
        Backend chosen;
        synchronized (this) {
            chosen = pick(exclude, group);
            if (chosen == null) {
                Refusal refusal = down != null && !hasRoutable() ? Refusal.DOWN
                        : queue.size() >= maxQueue.getAsInt() ? Refusal.QUEUE_FULL
                        : waitMillis <= 0 ? Refusal.QUEUE_TIMEOUT : null;
                if (refusal != null) {
                    loop.execute(() -> refused.accept(refusal));
                    return;
                }
                Waiter w = new Waiter(loop, exclude, group, granted, refused);
                queue.addLast(w);
                w.timeout = loop.schedule(() -> expire(w), waitMillis, TimeUnit.MILLISECONDS);
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
        boolean free;
        synchronized (this) {
            backend.inflight(-1);
            grantOnSpareLoop(backend);
            dispatch();
            free = backend.inflight() == 0;
        }
        if (free) {
            backend.closeSpare(); // nobody waits for it: a sync worker that accepted the spare would wait on it
        }
        backend.maybeDrained();
    }

    /**
     * A worker with a connection opened ahead of need ({@link Backend#takeSpare}) goes first to the oldest request
     * waiting on that connection's event loop, which sends it at once; a request on another loop would connect anew
     * behind the spare. Caller holds the lock.
     */
    private void grantOnSpareLoop(Backend backend) {
        EventExecutor loop = backend.spareLoop();
        if (loop == null || queue.isEmpty() || !backend.state().routable() || !backend.hasRoom()) {
            return;
        }
        for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.loop == loop && !w.exclude.contains(backend) && scope(w.exclude, w.group).has(backend)) {
                it.remove();
                backend.inflight(1);
                grant(w, backend);
                return;
            }
        }
    }

    /** Called when a backend became routable: waiting requests may now go to it. */
    public synchronized void wake() {
        dispatch();
    }

    public synchronized int queued() {
        return queue.size();
    }

    /** Requests holding a slot on any backend now. */
    public synchronized int inflight() {
        return backends.stream().mapToInt(Backend::inflight).sum();
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
            Backend b = pick(w.exclude, w.group);
            if (b == null) {
                if (!hasCapacity()) {
                    return;
                }
                continue; // this waiter excludes the only free backends; a later one may take them
            }
            it.remove();
            grant(w, b);
        }
    }

    /** Hands {@code b}, its slot taken, to a waiter taken out of the queue, on the waiter's own loop. */
    private static void grant(Waiter w, Backend b) {
        w.timeout.cancel(false);
        w.loop.execute(() -> w.granted.accept(b));
    }

    private boolean hasRoutable() {
        for (Backend b : backends) {
            if (b.state().routable()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The group a request of group {@code asked} takes its backend from now: its own while that has a routable
     * backend not in {@code exclude}, else the other one if that has; when neither has, its own if it has a
     * routable backend at all (tried ones are then tried again), else the other. Caller holds the lock.
     */
    private Group scope(Set<Backend> exclude, Group asked) {
        if (asked == Group.ANY || hasUntried(asked, exclude)) {
            return asked;
        }
        Group other = asked.other();
        return hasUntried(other, exclude) || !hasUntried(asked, Set.of()) ? other : asked;
    }

    /** True when {@code group} has a routable backend not in {@code exclude}. Caller holds the lock. */
    private boolean hasUntried(Group group, Set<Backend> exclude) {
        for (Backend b : backends) {
            if (b.state().routable() && group.has(b) && !exclude.contains(b)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasCapacity() {
        for (Backend b : backends) {
            if (b.state().routable() && b.hasRoom()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Least in-flight among the routable backends of the request's group ({@link #scope}) with a free slot; takes
     * the slot. Backends in {@code exclude} (tried already) are skipped while another routable backend of the group
     * exists. Caller holds the lock.
     */
    private Backend pick(Set<Backend> exclude, Group asked) {
        Group group = scope(exclude, asked);
        boolean avoid = !exclude.isEmpty() && hasUntried(group, exclude);
        Backend best = null;
        List<Backend> ties = new ArrayList<>();
        for (Backend b : backends) {
            if (!b.state().routable() || !group.has(b) || avoid && exclude.contains(b) || !b.hasRoom()) {
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
