package dev.baton.supervisor.metrics;

import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.TrafficStats;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.metrics.ProcessTable.Usage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one scrape shows, gathered before it is written: the supervisor's workers (taken on its loop), the
 * proxy's programs and counters, the reload counters and what {@code /proc} says.
 *
 * @param programs   every configured program, in start order
 * @param workers    every worker, of every generation running
 * @param proxied    the proxy's view of each program it serves
 * @param traffic    the request counters of each program it serves
 * @param groups     usage by process group (a worker's pid)
 * @param daemon     the daemon process's own usage
 * @param startedAt  when the daemon process started, epoch milliseconds
 * @param recycled   workers replaced while running, per program and reason (max_requests, max_memory...)
 */
public record MetricsInput(List<String> programs, List<WorkerStatus> workers, Map<String, ProgramStats> proxied,
                           Map<String, TrafficStats> traffic, ReloadCounters reloads, Map<Integer, Usage> groups,
                           Optional<Usage> daemon, long startedAt, String version,
                           Map<String, Map<String, Long>> recycled) {

    public MetricsInput(List<String> programs, List<WorkerStatus> workers, Map<String, ProgramStats> proxied,
                        Map<String, TrafficStats> traffic, ReloadCounters reloads, Map<Integer, Usage> groups,
                        Optional<Usage> daemon, long startedAt, String version) {
        this(programs, workers, proxied, traffic, reloads, groups, daemon, startedAt, version, Map.of());
    }
}
