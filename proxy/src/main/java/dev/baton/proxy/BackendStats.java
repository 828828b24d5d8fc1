package dev.baton.proxy;

import dev.baton.proxy.internal.BackendState;

/**
 * A backend as the proxy sees it: its routing state, the requests it is serving now and its open WebSocket
 * tunnels.
 */
public record BackendStats(String id, int generation, int incarnation, String state, int inflight, int tunnels) {

    /** A backend of incarnation 0: a generation's first worker in its slot. */
    public BackendStats(String id, int generation, String state, int inflight, int tunnels) {
        this(id, generation, 0, state, inflight, tunnels);
    }

    /** Does the proxy send this backend new requests now (passed its health check, not held or draining)? */
    public boolean routable() {
        return BackendState.valueOf(state).routable();
    }
}
