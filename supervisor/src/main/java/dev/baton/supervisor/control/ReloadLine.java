package dev.baton.supervisor.control;

import java.util.Map;

/**
 * One NDJSON line of a started {@code POST /v1/reload} or {@code POST /v1/upgrade}: a {@link ReloadStep} per step
 * as it happens, then the {@link ReloadSummary} (or {@link UpgradeSummary}) last, or an {@link ErrorReply} when
 * it broke down inside Baton.
 */
public sealed interface ReloadLine permits ReloadStep, ReloadSummary, UpgradeSummary, ErrorReply {

    /** Reads one line; {@link IllegalArgumentException} when it is none of the three. */
    static ReloadLine read(String json) {
        Object parsed = Json.parse(json);
        Map<?, ?> object = parsed instanceof Map<?, ?> m ? m : Map.of();
        Class<? extends ReloadLine> type = object.containsKey("summary") ? ReloadSummary.class
                : object.containsKey("upgrade") ? UpgradeSummary.class
                : object.containsKey("error") ? ErrorReply.class : ReloadStep.class;
        return Json.as(parsed, type);
    }
}
