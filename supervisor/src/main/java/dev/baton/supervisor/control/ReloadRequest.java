package dev.baton.supervisor.control;

import java.util.List;

/**
 * What {@code baton reload} asks for ({@code POST /v1/reload?program=P...&wait=1&canary=1}).
 *
 * @param programs   the programs to reload; every one when empty
 * @param waitIfBusy when one of them is reloading, wait for that to end instead of refusing
 * @param canary     reload them as {@code reload_strategy = "canary"} whatever their configuration says
 */
public record ReloadRequest(List<String> programs, boolean waitIfBusy, boolean canary) {

    public ReloadRequest {
        programs = List.copyOf(programs);
    }
}
