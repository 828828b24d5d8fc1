package dev.baton.supervisor;

import dev.baton.proxy.HistogramSnapshot;

/**
 * What the proxy counted for one worker since its backend appeared (a value from the proxy, read on the loop).
 *
 * @param worker      the worker's name, {@code web:2}
 * @param incarnation which worker of that slot and generation ({@link Worker#incarnation()})
 * @param requests    tries that ended on it: answered, or failed (refused, reset, timed out)
 * @param errors      the failed ones and the answers with a 5xx status
 * @param latency     answered tries, from the grant to the answer's last byte
 */
public record WorkerTraffic(String worker, int generation, int incarnation, long requests, long errors,
                            HistogramSnapshot latency) {

    /** True when this is {@code w}'s count. */
    boolean is(Worker w) {
        return worker.equals(w.name()) && generation == w.generation() && incarnation == w.incarnation();
    }
}
