package dev.baton.proxy;

import java.io.Closeable;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One program served by the proxy. It lives across the program's generations: its client connections, queue and
 * backends outlive a reload, and a reload changes its settings and listeners in place.
 */
public interface ProxiedProgram extends Closeable {

    /**
     * Replaces the program's settings, backends, down state and canary weight with this view (safe from any
     * thread). A {@code SERVING} backend gets traffic once a health check passes; a {@code CANARY} one too, but only
     * the view's {@link ProgramView#canaryWeight() canaryWeight} percent of the requests; a {@code HELD} one is
     * checked but gets none until published {@code SERVING} or {@code CANARY}; a {@code DRAINING} one gets no new
     * requests; a {@code STOPPING} one also has its WebSocket tunnels closed. A backend no longer listed (by
     * {@link BackendView#key() key}) is out of routing at once, and its {@link #backendTraffic() counters} are gone.
     */
    void publish(ProgramView view);

    /** {@link #publish(ProgramView)} with the program's current settings and canary weight, and no down state. */
    void publish(List<BackendView> backends);

    /**
     * Serves exactly these listeners from now on: those new to the program start accepting, and those it served
     * and no longer lists close (unless another program took them). Any thread; never blocks.
     */
    void listenOn(List<Listener> listeners);

    /**
     * Stops accepting, like HAProxy's soft-stop: the program's listeners close, idle keep-alive connections close,
     * a connection accepted but not yet used gets its first answer, and the answer in progress on each busy
     * connection carries {@code Connection: close}. Requests in flight and queued are still served. Completes once
     * no HTTP client connection is left (WebSocket tunnels are not waited for). Idempotent.
     */
    CompletableFuture<Void> stopAccepting();

    ProgramStats stats();

    /** What the program's proxy has done since it started: requests by status, durations, retries, failed tries. */
    TrafficStats traffic();

    /**
     * The tries each backend listed now got, answered or failed, with their errors and durations, in the order of
     * the last publish. A backend's counters start when its key is first published and follow it across
     * publishes; a key no longer listed is gone with its counts. Any thread.
     */
    List<BackendTraffic> backendTraffic();

    /** Stops listening and closes every client and worker connection at once. */
    @Override
    void close();
}
