package dev.baton.proxy;

/** A backend as the proxy sees it: its routing state and the requests it is serving now. */
public record BackendStats(String id, int generation, String state, int inflight) {
}
