package dev.baton.supervisor.events;

import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The events of one reload: {@code reload_started} when a program starts moving to a new generation (its
 * {@code reloading} step), and one {@code reloaded}, {@code rolled_back} or {@code reload_failed} per program once
 * it has ended, whose {@code reason} is what the failing step said. Only enqueues.
 */
public final class ReloadEvents {

    private final Consumer<Event> sink;
    private final LongSupplier clock;
    /** Per program, the message of its failed step, if one failed. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    /**
     * @param sink  where the events go ({@link EventRunner#emit})
     * @param clock epoch milliseconds
     */
    public ReloadEvents(Consumer<Event> sink, LongSupplier clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** {@code progress}, with the reload's steps also watched for events. */
    public Consumer<ReloadEvent> watching(Consumer<ReloadEvent> progress) {
        return step -> {
            switch (step.event()) {
                case "reloading" -> sink.accept(Event.reloadStarted(step, clock.getAsLong()));
                case "failed" -> failures.putIfAbsent(step.program(), step.message());
                default -> { }
            }
            progress.accept(step);
        };
    }

    /** The reload has ended with {@code results}, one per program. */
    public void ended(List<ReloadResult> results) {
        for (ReloadResult r : results) {
            sink.accept(Event.reloadEnded(r, failures.get(r.program()), clock.getAsLong()));
        }
    }
}
