package dev.baton.proxy;

/**
 * What the proxy tells the supervisor about a program's backends. Called from proxy threads; implementations must
 * only hand the event off (e.g. enqueue), never block.
 */
public interface BackendListener {

    /** Does nothing. */
    BackendListener NONE = new BackendListener() {
        @Override
        public void ready(String id, int generation) {
        }

        @Override
        public void drained(String id, int generation) {
        }
    };

    /**
     * The backend passed its first health check (and its warm-up requests, if configured); called once per backend
     * key, whether HELD or SERVING.
     */
    void ready(String id, int generation);

    /**
     * The backend is DRAINING (or STOPPING) and has no request in flight and no open WebSocket tunnel; called once
     * per backend key.
     */
    void drained(String id, int generation);
}
