package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Log;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's own lifecycle, as a load balancer sees it through {@code GET /ready}. Any thread: signal handlers,
 * the control socket and the upgrade change it; {@code /ready} reads it without asking the supervisor loop, so
 * that it turns 503 at once however busy the loop is.
 */
final class Lifecycle {

    enum State {
        /** Serving; {@code /ready} answers from the workers. */
        SERVING(true),
        /**
         * Asked to shut down, for {@code shutdown_delay}: {@code /ready} answers 503 while Baton still accepts and
         * serves, so that load balancers stop sending to this host before its listeners close.
         */
        LEAVING(false),
        /** Stops accepting, drains and stops every worker ({@code Shutdown}): {@code /ready} answers 503. */
        STOPPING(false),
        /**
         * After {@code baton upgrade}: the new daemon accepts on the same sockets and answers {@code /ready} itself;
         * this one drains and exits. The host never leaves the pool, so {@code /ready} here answers 200 too.
         */
        HANDED_OVER(true);

        /** Whether {@code /ready} may answer 200 in this state. */
        final boolean inPool;

        State(boolean inPool) {
            this.inPool = inPool;
        }

        /** The states that may follow this one. */
        Set<State> next() {
            return switch (this) {
                case SERVING -> Set.of(LEAVING, STOPPING, HANDED_OVER);
                case LEAVING -> Set.of(STOPPING);
                case STOPPING, HANDED_OVER -> Set.of();
            };
        }
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.SERVING);

    State state() {
        return state.get();
    }

    /**
     * Moves to {@code next} if it may follow the current state, logging {@code line}; false (and nothing logged)
     * when it may not: a second shutdown request, a shutdown after the hand-over.
     */
    boolean transitionTo(State next, String line) {
        while (true) {
            State now = state.get();
            if (!now.next().contains(next)) {
                return false;
            }
            if (state.compareAndSet(now, next)) {
                Log.info(line);
                return true;
            }
        }
    }
}
