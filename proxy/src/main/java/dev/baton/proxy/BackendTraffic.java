package dev.baton.proxy;

/**
 * What one backend did since the proxy first saw its key: the tries of requests it got, for {@code max_requests}
 * and for comparing a canary with the old generation over the same window (take two snapshots and subtract:
 * {@link HistogramSnapshot#minus}). The counters live as long as the backend: they follow it across publishes and
 * are gone once a publish no longer lists its key.
 *
 * @param key      the backend
 * @param requests the tries on it that ended with an outcome: answered by the worker (any status, a WebSocket's
 *                 101 included), or failed (connection refused or reset, no answer within {@code response_timeout},
 *                 closed in the middle of the answer, stopped answering). A try the client gave up first is not
 *                 counted
 * @param errors   the failed tries, plus the answers with a status of 500 or more from the worker
 * @param duration the answered tries only, from the worker slot's grant to the answer's last byte (to the end of
 *                 the head for a 101), in {@link Histogram#LATENCY_BUCKETS}
 */
public record BackendTraffic(BackendView.Key key, long requests, long errors, HistogramSnapshot duration) {
}
