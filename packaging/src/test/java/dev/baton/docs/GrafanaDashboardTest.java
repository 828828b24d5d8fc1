package dev.baton.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.supervisor.control.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/grafana-dashboard.json honest against the metric families Baton exports on {@code GET /metrics}
 * (issue 14), listed here: every query names only their series with their labels, and every family has a query.
 * A family renamed or added on one side and not the other fails here, not as an empty panel in someone's Grafana.
 */
class GrafanaDashboardTest {

    private enum Kind { COUNTER, GAUGE, HISTOGRAM }

    private record Family(String name, Kind kind, List<String> labels) {

        /** The series a scrape holds: a histogram's _bucket (with le), _sum and _count; the name alone for the rest. */
        Map<String, Set<String>> series() {
            Set<String> labels = new HashSet<>(this.labels);
            labels.addAll(List.of("instance", "job")); // what Prometheus adds to every series it scrapes
            Map<String, Set<String>> series = new LinkedHashMap<>();
            if (kind == Kind.HISTOGRAM) {
                Set<String> bucket = new HashSet<>(labels);
                bucket.add("le");
                series.put(name + "_bucket", bucket);
                series.put(name + "_sum", labels);
                series.put(name + "_count", labels);
            } else {
                series.put(name, labels);
            }
            return series;
        }
    }

    private static final List<Family> FAMILIES = List.of(
            new Family("baton_http_requests_total", Kind.COUNTER, List.of("program", "code")),
            new Family("baton_http_request_duration_seconds", Kind.HISTOGRAM, List.of("program")),
            new Family("baton_http_queue_wait_seconds", Kind.HISTOGRAM, List.of("program")),
            new Family("baton_http_queued_requests", Kind.GAUGE, List.of("program")),
            new Family("baton_http_inflight_requests", Kind.GAUGE, List.of("program", "worker")),
            new Family("baton_http_retries_total", Kind.COUNTER, List.of("program")),
            new Family("baton_upstream_errors_total", Kind.COUNTER, List.of("program", "worker", "reason")),
            new Family("baton_worker_up", Kind.GAUGE, List.of("program", "worker", "generation")),
            new Family("baton_worker_restarts_total", Kind.COUNTER, List.of("program", "worker")),
            new Family("baton_worker_state", Kind.GAUGE, List.of("program", "worker", "state")),
            new Family("baton_worker_resident_memory_bytes", Kind.GAUGE, List.of("program", "worker")),
            new Family("baton_worker_cpu_seconds_total", Kind.COUNTER, List.of("program", "worker")),
            new Family("baton_reloads_total", Kind.COUNTER, List.of("program", "result")),
            new Family("baton_reload_duration_seconds", Kind.HISTOGRAM, List.of("program")),
            new Family("baton_workers_recycled_total", Kind.COUNTER, List.of("program", "reason")),
            new Family("baton_generation", Kind.GAUGE, List.of("program")),
            new Family("process_resident_memory_bytes", Kind.GAUGE, List.of()),
            new Family("process_cpu_seconds_total", Kind.COUNTER, List.of()),
            new Family("process_start_time_seconds", Kind.GAUGE, List.of()),
            new Family("baton_build_info", Kind.GAUGE, List.of("version", "java")));

    /** Series name to the labels it may carry. */
    private static final Map<String, Set<String>> SERIES = FAMILIES.stream()
            .flatMap(f -> f.series().entrySet().stream())
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));

    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\)");

    /** One PromQL expression of the dashboard: where it is, the expression, and its legend's label names. */
    private record Query(String where, String expr, Set<String> legendLabels) {
    }

    private static Map<String, Object> dashboard;
    private static List<Query> queries;

    @BeforeAll
    static void readDashboard() throws IOException {
        Path file = Path.of(System.getProperty("baton.docs", "../docs"), "grafana-dashboard.json");
        try {
            dashboard = map(Json.parse(Files.readString(file)));
        } catch (IllegalArgumentException e) {
            throw new AssertionError(file + ": " + e.getMessage(), e);
        }
        queries = new ArrayList<>();
        collect(dashboard, "dashboard", queries);
        for (Object v : list(map(dashboard.get("templating")).get("list"))) {
            Map<String, Object> variable = map(v);
            if ("query".equals(variable.get("type"))) {
                Matcher m = LABEL_VALUES.matcher((String) variable.get("definition"));
                assertTrue(m.matches(), "variable " + variable.get("name") + ": expected label_values(METRIC, LABEL)");
                queries.add(new Query("variable " + variable.get("name"), m.group(1), Set.of(m.group(2))));
            }
        }
    }

    @Test
    void everyQueryNamesOnlySeriesOfBatonsMetricFamilies() {
        List<String> unknown = new ArrayList<>();
        for (Query q : queries) {
            for (PromQl.Selector s : PromQl.parse(q.expr()).selectors()) {
                if (!SERIES.containsKey(s.metric())) {
                    unknown.add(q.where() + ": " + (s.metric().isEmpty() ? "a selector without a metric name"
                            : s.metric()) + " in " + q.expr());
                }
            }
        }
        assertEquals(List.of(), unknown, "not a series Baton exports (a histogram's end in _bucket, _sum or _count)");
    }

    @Test
    void everyLabelAQueryOrLegendNamesIsALabelOfItsSeries() {
        List<String> wrong = new ArrayList<>();
        for (Query q : queries) {
            PromQl.Parsed parsed = PromQl.parse(q.expr());
            Set<String> anyOfItsSeries = new TreeSet<>();
            boolean unknownSeries = false; // reported by everyQueryNamesOnlySeriesOfBatonsMetricFamilies
            for (PromQl.Selector s : parsed.selectors()) {
                Set<String> labels = SERIES.get(s.metric());
                if (labels == null) {
                    unknownSeries = true;
                    continue;
                }
                anyOfItsSeries.addAll(labels);
                for (String label : s.labels()) {
                    if (!labels.contains(label)) {
                        wrong.add(q.where() + ": " + s.metric() + " has no label " + label);
                    }
                }
            }
            Set<String> named = new LinkedHashSet<>(parsed.grouping());
            named.addAll(q.legendLabels());
            for (String label : unknownSeries ? Set.<String>of() : named) {
                if (!anyOfItsSeries.contains(label)) {
                    wrong.add(q.where() + ": no series of " + q.expr() + " has a label " + label);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyMetricFamilyHasAPanel() {
        Set<String> used = new HashSet<>();
        for (Query q : queries) {
            if (q.where().startsWith("panel")) {
                PromQl.parse(q.expr()).selectors().forEach(s -> used.add(s.metric()));
            }
        }
        List<String> missing = FAMILIES.stream()
                .filter(f -> f.series().keySet().stream().noneMatch(used::contains))
                .map(Family::name)
                .toList();
        assertEquals(List.of(), missing, "metric families no panel shows");
    }

    @Test
    void everyPanelAndQueryUsesTheDataSourceVariableAndPanelIdsAreDistinct() {
        Map<String, Object> variable = list(map(dashboard.get("templating")).get("list")).stream()
                .map(GrafanaDashboardTest::map)
                .filter(v -> "datasource".equals(v.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no datasource variable"));
        assertEquals(List.of("datasource", "prometheus"), List.of(variable.get("type"), variable.get("query")));

        List<String> wrong = new ArrayList<>();
        Set<Object> ids = new HashSet<>();
        for (Object p : list(dashboard.get("panels"))) {
            Map<String, Object> panel = map(p);
            String where = "panel " + panel.get("title");
            if (!ids.add(panel.get("id"))) {
                wrong.add(where + ": id " + panel.get("id") + " is taken");
            }
            if ("row".equals(panel.get("type"))) {
                continue;
            }
            List<Object> sources = new ArrayList<>(List.of(panel.getOrDefault("datasource", Map.of())));
            list(panel.getOrDefault("targets", List.of())).forEach(t -> sources.add(map(t).get("datasource")));
            for (Object source : sources) {
                if (!Map.of("type", "prometheus", "uid", "${datasource}").equals(source)) {
                    wrong.add(where + ": data source " + source);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** Every object with an "expr" below node: panel targets and annotations, named by their panel or annotation. */
    private static void collect(Object node, String where, List<Query> into) {
        if (node instanceof Map<?, ?> m) {
            if (m.get("title") instanceof String title) {
                where = "panel " + title;
            } else if (m.get("name") instanceof String name && m.containsKey("expr")) {
                where = "annotation " + name;
            }
            if (m.get("expr") instanceof String expr) {
                Set<String> legend = new LinkedHashSet<>();
                for (Object key : List.of("legendFormat", "titleFormat", "textFormat")) {
                    if (m.get(key) instanceof String format) {
                        Matcher l = LEGEND_LABEL.matcher(format);
                        while (l.find()) {
                            legend.add(l.group(1));
                        }
                    }
                }
                if (m.get("tagKeys") instanceof String tags && !tags.isBlank()) {
                    legend.addAll(List.of(tags.split("\\s*,\\s*")));
                }
                into.add(new Query(where, expr, legend));
            }
            for (Object value : m.values()) {
                collect(value, where, into);
            }
        } else if (node instanceof List<?> l) {
            for (Object value : l) {
                collect(value, where, into);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}
