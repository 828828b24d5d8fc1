package dev.baton.proxy;

/**
 * A backend as the proxy sees it: its routing state, the requests it is serving now and its open WebSocket
 * tunnels.
 */
public record BackendStats(String id, int generation, String state, int inflight, int tunnels) {
}
