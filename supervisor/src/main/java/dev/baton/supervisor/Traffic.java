package dev.baton.supervisor;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the supervisor needs of the proxy in front of its programs. Every method is called on the supervisor loop
 * and must not block it. A program is proxied by a generation whose configuration has {@code listen}: then a new
 * worker is ready once its health check passes, and a replaced one drains before it is stopped.
 */
public interface Traffic {

    /** No proxy at all: nothing to publish, nothing in flight, nothing to stop accepting. */
    Traffic NONE = new Traffic() {
        @Override
        public void publish(Roster roster) {
        }

        @Override
        public int inflight(Worker w) {
            return 0;
        }

        @Override
        public void switched(String program, Generation serving) {
        }

        @Override
        public void abandoned(String program) {
        }

        @Override
        public CompletableFuture<Void> stopAccepting(String program) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void removed(String program) {
        }

        @Override
        public List<WorkerTraffic> workers(String program) {
            return List.of();
        }
    };

    /** The program's workers, their roles or its serving generation changed. */
    void publish(Roster roster);

    /** The requests the proxy is serving on {@code w} now. */
    int inflight(Worker w);

    /**
     * A reload's first batch switched in: {@code serving}'s proxy settings become the program's, and its listen
     * addresses are served (new ones accept from now on; those it no longer lists close, after the new ones).
     */
    void switched(String program, Generation serving);

    /** A reload of {@code program} ended before any switch: what was prepared for it (bound listeners) is let go. */
    void abandoned(String program);

    /**
     * Closes the program's listeners and asks its client connections to close once their current answer is out;
     * completes once no request is in flight or waiting for a worker (at once for a program without a proxy).
     */
    CompletableFuture<Void> stopAccepting(String program);

    /** The program is gone (removed by a reload, or Baton stopped): its proxy, if any, closes. */
    void removed(String program);

    /** What the proxy counted for each worker it lists now (requests, errors, latency); empty without a proxy. */
    List<WorkerTraffic> workers(String program);
}
