package dev.baton.proxy;

/**
 * What the proxy tells the supervisor about a program's backends, each named by its {@link BackendView.Key}. Called
 * from proxy threads, outside any lock of the proxy's; implementations must only hand the event off (e.g. enqueue),
 * never block. A listener that throws is logged and the proxy goes on. One backend's events come one at a time, in
 * the order they happened.
 */
public interface BackendListener {

    /** Does nothing. */
    BackendListener NONE = new BackendListener() {
        @Override
        public void ready(BackendView.Key key) {
        }

        @Override
        public void drained(BackendView.Key key) {
        }
    };

    /**
     * The backend passed its first health check (and its warm-up requests, if configured); called once per backend
     * key, whether HELD, SERVING or CANARY.
     */
    void ready(BackendView.Key key);

    /**
     * The backend is DRAINING (or STOPPING) and has no request in flight and no open WebSocket tunnel; called once
     * per backend key.
     */
    void drained(BackendView.Key key);

    /**
     * A SERVING or CANARY backend was ejected from routing ({@code routable} false: failed health checks, failed
     * requests, or a refused or reset connection) or re-admitted after passing {@code health_rise} checks
     * ({@code routable} true); called once per change. Not called for a HELD (ready) backend's checks, nor for a
     * draining one, nor when a backend first becomes routable ({@link #ready}).
     */
    default void health(BackendView.Key key, boolean routable) {
    }
}
