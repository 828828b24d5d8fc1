package dev.baton.proxy;

import java.util.List;
import java.util.Map;

/**
 * What a program's proxy has done since it started (it lives across reloads), for metrics.
 *
 * @param responses      requests by the status Baton sent the client (a worker's, or Baton's own 502, 503, 504);
 *                       a client that left before any answer counts as 499, like nginx's log
 * @param duration       from a request's arrival to its answer's last byte (or the client leaving)
 * @param queueWait      from a request's arrival to the worker slot it got (or the queue's refusal)
 * @param retries        requests sent again, to another worker or to the queue
 * @param upstreamErrors failed tries, by worker and cause
 */
public record TrafficStats(Map<Integer, Long> responses, HistogramSnapshot duration, HistogramSnapshot queueWait,
                           long retries, List<UpstreamErrors> upstreamErrors) {

    /** Why a try on a worker failed. */
    public enum UpstreamError {
        /** The connection could not be made: refused, or nothing listening. */
        REFUSED,
        /** The worker closed or reset the connection before its answer was whole, or a write to it failed. */
        RESET,
        /** No connection within {@code connect_timeout}, no answer within {@code response_timeout}, or stopped. */
        TIMEOUT
    }

    /** The failed tries on one worker for one cause. */
    public record UpstreamErrors(String worker, UpstreamError reason, long count) {
    }

    public TrafficStats {
        responses = Map.copyOf(responses);
        upstreamErrors = List.copyOf(upstreamErrors);
    }
}
