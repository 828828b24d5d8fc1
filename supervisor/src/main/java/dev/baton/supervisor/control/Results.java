package dev.baton.supervisor.control;

import java.util.List;

/** {@code POST /v1/start}, {@code stop}, {@code restart} and {@code signal}: one result per worker concerned. */
public record Results(List<WorkerResult> results) {

    /**
     * What happened to one worker.
     *
     * @param worker  {@code web:2}
     * @param message {@code started}, or why not: {@code exited with status 1}
     */
    public record WorkerResult(String worker, boolean ok, String message) {
    }
}
