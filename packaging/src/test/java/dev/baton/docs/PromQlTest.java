package dev.baton.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void readsMetricNamesAndTheirMatchersLabelsPastFunctionsAggregationsAndStrings() {
        PromQl.Parsed parsed = PromQl.parse("histogram_quantile(0.99, sum by (le, program) (rate("
                + "a_seconds_bucket{program=~\"$program\", code=~\"5..\", x=\"{y=\\\"z\\\"}\"}[$__rate_interval])))"
                + " / on (program) group_left sum without (worker) (b_total offset 5m) > bool 1e3"
                + " or vector(0) * on (instance, job) c {instance=\"$instance\"} and count(d[${__range}])");

        assertEquals(List.of(new PromQl.Selector("a_seconds_bucket", Set.of("program", "code", "x")),
                        new PromQl.Selector("b_total", Set.of()),
                        new PromQl.Selector("c", Set.of("instance")),
                        new PromQl.Selector("d", Set.of())),
                parsed.selectors());
        assertEquals(Set.of("le", "program", "worker", "instance", "job"), parsed.grouping());
    }

    @Test
    void aMatcherBlockAfterAnythingButANameIsASelectorWithoutOne() {
        assertEquals(List.of(new PromQl.Selector("", Set.of("__name__"))),
                PromQl.parse("sum({__name__=~\"baton_.*\"})").selectors());
    }
}
