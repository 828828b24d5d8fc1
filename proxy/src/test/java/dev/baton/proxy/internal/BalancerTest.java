package dev.baton.proxy.internal;

import dev.baton.proxy.BackendListener;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.RecordingListener;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxySettings;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalancerTest {

    private static final ProxyLog LOG = new ProxyLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }
    };

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EventExecutor loop = channel.eventLoop();
    private final List<String> events = new ArrayList<>();
    /** The {@code max_inflight} of the backends a test creates next, and the wait of its requests. */
    private int maxInflight;
    private long waitMillis;

    private Balancer balancer(int maxInflight, int maxQueue, long waitMillis) {
        this.maxInflight = maxInflight;
        this.waitMillis = waitMillis;
        return new Balancer(() -> maxQueue);
    }

    private Backend backend(String id, BackendView.Role role) {
        return backend(id, role, BackendListener.NONE);
    }

    private Backend backend(String id, BackendView.Role role, BackendListener listener) {
        Backend b = new Backend(new BackendView(id, 1, new InetSocketAddress("127.0.0.1", 1), role,
                ProxySettings.builder("web").maxInflight(maxInflight).build()), "web", LOG, listener);
        b.role(role);
        return b;
    }

    private Backend healthy(String id) {
        return healthy(id, BackendListener.NONE);
    }

    private Backend healthy(String id, BackendListener listener) {
        Backend b = backend(id, BackendView.Role.SERVING, listener);
        b.checkPassed();
        return b;
    }

    private Backend canary(String id) {
        Backend b = backend(id, BackendView.Role.CANARY, BackendListener.NONE);
        b.checkPassed();
        return b;
    }

    private void acquire(Balancer balancer, String request, Set<Backend> exclude) {
        balancer.acquire(loop, exclude, waitMillis, b -> events.add(request + "->" + b.id()),
                refusal -> events.add(request + "->" + refusal));
        channel.runPendingTasks();
    }

    /** A retry: the request drew {@code group} when it first asked and tried {@code exclude} since. */
    private void retry(Balancer balancer, String request, Set<Backend> exclude, Balancer.Group group) {
        balancer.acquire(loop, exclude, group, waitMillis, b -> events.add(request + "->" + b.id()),
                refusal -> events.add(request + "->" + refusal));
        channel.runPendingTasks();
    }

    /** How many of {@code requests} requests, each released at once, went to {@code target}. */
    private int sentTo(Balancer balancer, Backend target, int requests) {
        int[] hits = {0};
        for (int i = 0; i < requests; i++) {
            balancer.acquire(loop, Set.of(), waitMillis, b -> {
                if (b == target) {
                    hits[0]++;
                }
                balancer.release(b);
            }, refusal -> events.add("refused " + refusal));
        }
        channel.runPendingTasks();
        assertEquals(List.of(), events);
        return hits[0];
    }

    @Test
    void leastInFlightWinsAndTiesRotate() {
        Balancer balancer = balancer(0, 10, 1000);
        Backend a = healthy("a");
        Backend b = healthy("b");
        balancer.backends(List.of(a, b), null, 0);
        acquire(balancer, "r1", Set.of());
        acquire(balancer, "r2", Set.of());
        balancer.release(a);
        acquire(balancer, "r3", Set.of());
        assertEquals(List.of("r1->a", "r2->b", "r3->a"), events);
    }

    @Test
    void onlyHealthyBackendsGetRequests() {
        Balancer balancer = balancer(0, 10, 1000);
        Backend pending = backend("p", BackendView.Role.SERVING);
        Backend ejected = healthy("e");
        ejected.eject("connection refused");
        Backend ok = healthy("ok");
        balancer.backends(List.of(pending, ejected, ok), null, 0);
        for (int i = 0; i < 3; i++) {
            acquire(balancer, "r" + i, Set.of());
        }
        assertEquals(List.of("r0->ok", "r1->ok", "r2->ok"), events);
    }

    @Test
    void requestsBeyondMaxInflightWaitInArrivalOrderAndGoWhenASlotFrees() {
        Balancer balancer = balancer(1, 10, 10_000);
        Backend a = healthy("a");
        balancer.backends(List.of(a), null, 0);
        acquire(balancer, "r1", Set.of());
        acquire(balancer, "r2", Set.of());
        acquire(balancer, "r3", Set.of());
        assertEquals(List.of("r1->a"), events);
        assertEquals(2, balancer.queued());
        balancer.release(a);
        channel.runPendingTasks();
        balancer.release(a);
        channel.runPendingTasks();
        assertEquals(List.of("r1->a", "r2->a", "r3->a"), events);
        assertEquals(0, balancer.queued());
    }

    @Test
    void aFullQueueRefusesAtOnceAndAWaitTimesOut() {
        // The wait is long enough that r2 cannot time out before r3 arrives, even on a loaded machine.
        Balancer balancer = balancer(1, 1, 1_000);
        Backend a = healthy("a");
        balancer.backends(List.of(a), null, 0);
        acquire(balancer, "r1", Set.of());
        acquire(balancer, "r2", Set.of());
        acquire(balancer, "r3", Set.of());
        assertEquals(List.of("r1->a", "r3->QUEUE_FULL"), events);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!events.contains("r2->QUEUE_TIMEOUT") && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            channel.runScheduledPendingTasks();
            Thread.onSpinWait();
        }
        assertTrue(events.contains("r2->QUEUE_TIMEOUT"), events.toString());
        assertEquals(0, balancer.queued());
    }

    @Test
    void waitingRequestsGoToAWorkerThatBecomesHealthy() {
        Balancer balancer = balancer(1, 10, 10_000);
        Backend starting = backend("s", BackendView.Role.SERVING);
        balancer.backends(List.of(starting), null, 0);
        acquire(balancer, "r1", Set.of());
        assertEquals(List.of(), events);
        starting.checkPassed();
        balancer.wake();
        channel.runPendingTasks();
        assertEquals(List.of("r1->s"), events);
    }

    @Test
    void heldBackendGetsNoTrafficUntilServing() {
        Balancer balancer = balancer(1, 10, 10_000);
        Backend old = healthy("old");
        Backend next = backend("next", BackendView.Role.HELD);
        balancer.backends(List.of(old, next), null, 0);
        next.checkPassed();
        assertEquals(BackendState.READY, next.state());
        acquire(balancer, "r1", Set.of());
        acquire(balancer, "r2", Set.of());
        assertEquals(List.of("r1->old"), events, "the ready but held backend takes nothing; r2 waits");
        next.role(BackendView.Role.SERVING);
        balancer.backends(List.of(old, next), null, 0);
        channel.runPendingTasks();
        assertEquals(List.of("r1->old", "r2->next"), events);
    }

    @Test
    void drainedIsAnnouncedOnceWhenTheLastInFlightRequestOfADrainingBackendIsReleased() {
        Balancer balancer = balancer(0, 10, 10_000);
        RecordingListener listener = new RecordingListener();
        Backend a = healthy("a", listener);
        balancer.backends(List.of(a), null, 0);
        acquire(balancer, "r1", Set.of());
        acquire(balancer, "r2", Set.of());
        a.role(BackendView.Role.DRAINING);
        a.maybeDrained();
        balancer.release(a);
        assertEquals(List.of("ready a@1"), listener.texts(), "one request still in flight");
        balancer.release(a);
        a.maybeDrained();
        assertEquals(List.of("ready a@1", "drained a@1"), listener.texts());
    }

    @Test
    void aBackendRemovedWithoutDrainingIsNeverAnnouncedDrained() {
        Balancer balancer = balancer(0, 10, 10_000);
        RecordingListener listener = new RecordingListener();
        Backend a = healthy("a", listener);
        balancer.backends(List.of(a), null, 0);
        acquire(balancer, "r1", Set.of());
        a.transitionTo(BackendState.REMOVED, "worker gone");
        balancer.release(a);
        a.maybeDrained();
        assertEquals(List.of("ready a@1"), listener.texts());
    }

    @Test
    void aRetryAvoidsTriedWorkersUnlessNoOtherIsHealthy() {
        Balancer balancer = balancer(0, 10, 10_000);
        Backend a = healthy("a");
        Backend b = healthy("b");
        balancer.backends(List.of(a, b), null, 0);
        acquire(balancer, "retry", Set.of(a));
        balancer.backends(List.of(a), null, 0);
        acquire(balancer, "lonely", Set.of(a));
        assertEquals(List.of("retry->b", "lonely->a"), events);
    }

    @Test
    void aCanaryGetsItsWeightsShareOfTheRequests() {
        Balancer balancer = balancer(0, 10, 10_000);
        Backend canary = canary("new");
        balancer.backends(List.of(healthy("a"), healthy("b"), canary, healthy("c")), null, 10);
        int n = 10_000;
        int hits = sentTo(balancer, canary, n);
        // binomial(10000, 0.1): mean 1000, sigma 30; six sigma apart happens about once in a billion runs
        double sigma = Math.sqrt(n * 0.1 * 0.9);
        assertTrue(Math.abs(hits - 1000) <= 6 * sigma, hits + " of " + n + " requests went to the 10% canary");
    }

    @Test
    void aCanaryWeightOf0SendsItNothingAndOf100EverythingWhileTheOthersCanServe() {
        Balancer balancer = balancer(0, 10, 10_000);
        Backend canary = canary("new");
        List<Backend> all = List.of(healthy("a"), canary, healthy("b"));
        balancer.backends(all, null, 0);
        assertEquals(0, sentTo(balancer, canary, 1000));
        balancer.backends(all, null, 100);
        assertEquals(1000, sentTo(balancer, canary, 1000));
    }

    @Test
    void withoutACanaryThereIsNoDraw() {
        Balancer balancer = balancer(0, 10, 10_000);
        balancer.backends(List.of(healthy("a")), null, 50);
        assertEquals(Balancer.Group.ANY, balancer.draw());
        Backend ejected = canary("new");
        ejected.eject("connection refused");
        balancer.backends(List.of(healthy("a"), ejected), null, 50);
        assertEquals(Balancer.Group.ANY, balancer.draw(), "no routable canary");
    }

    @Test
    void aQueuedRequestWaitsForABackendOfItsOwnGroup() {
        Balancer balancer = balancer(1, 10, 10_000);
        Backend canary = canary("new");
        Backend old = healthy("old");
        balancer.backends(List.of(old, canary), null, 100);
        acquire(balancer, "r1", Set.of());
        acquire(balancer, "r2", Set.of());
        assertEquals(List.of("r1->new"), events, "r2 drew the canary: it waits although old is free");
        balancer.release(canary);
        channel.runPendingTasks();
        assertEquals(List.of("r1->new", "r2->new"), events);
        balancer.backends(List.of(old, canary), null, 0);
        acquire(balancer, "r3", Set.of());
        balancer.release(canary);
        acquire(balancer, "r4", Set.of());
        assertEquals(List.of("r1->new", "r2->new", "r3->old"), events, "r4 waits for old although new is free");
        balancer.release(old);
        channel.runPendingTasks();
        assertEquals(List.of("r1->new", "r2->new", "r3->old", "r4->old"), events);
    }

    @Test
    void aRequestWhoseGroupHasNoRoutableBackendTakesTheOther() {
        Balancer balancer = balancer(1, 10, 10_000);
        Backend canary = canary("new");
        Backend old = healthy("old");
        old.eject("connection refused");
        balancer.backends(List.of(old, canary), null, 0);
        acquire(balancer, "r1", Set.of());
        assertEquals(List.of("r1->new"), events, "drew the others, none of which is routable");
        balancer.release(canary);
        old.checkPassed();
        old.checkPassed();
        balancer.backends(List.of(old, canary), null, 100);
        acquire(balancer, "r2", Set.of());
        acquire(balancer, "r3", Set.of());
        assertEquals(List.of("r1->new", "r2->new"), events, "r3 waits for the canary");
        canary.eject("connection refused");
        balancer.wake();
        channel.runPendingTasks();
        assertEquals(List.of("r1->new", "r2->new", "r3->old"), events, "the canary ejected, r3 takes the others");
    }

    @Test
    void aRetryOfARequestTheCanaryFailedGoesToTheOthersAndWaitsForThem() {
        Balancer balancer = balancer(1, 10, 10_000);
        Backend canary = canary("new");
        Backend old = healthy("old");
        balancer.backends(List.of(old, canary), null, 100);
        retry(balancer, "retry1", Set.of(canary), Balancer.Group.CANARY);
        retry(balancer, "retry2", Set.of(canary), Balancer.Group.CANARY);
        assertEquals(List.of("retry1->old"), events, "retry2 waits for old although the canary is free");
        balancer.release(old);
        channel.runPendingTasks();
        balancer.release(old);
        retry(balancer, "triedBoth", Set.of(canary, old), Balancer.Group.CANARY);
        assertEquals(List.of("retry1->old", "retry2->old", "triedBoth->new"), events,
                "every routable backend tried: its own group again");
    }
}
