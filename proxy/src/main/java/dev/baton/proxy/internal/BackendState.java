package dev.baton.proxy.internal;

/** Whether a backend gets new requests. */
public enum BackendState {
    /** Published, not yet passed a health check: no traffic. */
    PENDING,
    /** Passed its checks while held (a reload's new worker before the switch): no traffic, still checked. */
    READY,
    /** Passed its checks and serving: gets traffic. */
    HEALTHY,
    /** Failed checks, or refused/reset a connection: no traffic until the checks pass again. */
    UNHEALTHY,
    /** The worker is draining or stopping: no new requests; in-flight ones finish. */
    DRAINING,
    /** No longer published: gone from routing; its idle connections are closed. */
    REMOVED;

    public boolean routable() {
        return this == HEALTHY;
    }

    public boolean checked() {
        return this == PENDING || this == READY || this == HEALTHY || this == UNHEALTHY;
    }
}
