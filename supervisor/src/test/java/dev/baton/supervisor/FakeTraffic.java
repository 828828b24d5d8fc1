package dev.baton.supervisor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A {@link Traffic} for unit tests: records what the supervisor tells the proxy, and answers what a test sets. */
final class FakeTraffic implements Traffic {

    /** In-flight requests per worker key ({@code web:0@1}), as the test sets them. */
    final Map<String, Integer> inflight = new HashMap<>();
    /** The last roster published per program. */
    final Map<String, Roster> published = new HashMap<>();
    /** {@code switched web 2}, {@code abandoned web}, {@code stopAccepting web}, {@code removed web}, in order. */
    final List<String> calls = new ArrayList<>();
    /** What {@link #stopAccepting} answers per program; completed at once unless the test put its own. */
    final Map<String, CompletableFuture<Void>> quiet = new HashMap<>();

    @Override
    public void publish(Roster roster) {
        published.put(roster.program(), roster);
    }

    @Override
    public int inflight(Worker w) {
        return inflight.getOrDefault(w.name() + "@" + w.generation(), 0);
    }

    @Override
    public void switched(String program, Generation serving) {
        calls.add("switched " + program + " " + serving.number());
    }

    @Override
    public void abandoned(String program) {
        calls.add("abandoned " + program);
    }

    @Override
    public CompletableFuture<Void> stopAccepting(String program) {
        calls.add("stopAccepting " + program);
        return quiet.computeIfAbsent(program, p -> CompletableFuture.completedFuture(null));
    }

    @Override
    public void removed(String program) {
        calls.add("removed " + program);
    }

    /** What {@link #workers} answers per program, as the test sets it. */
    final Map<String, List<WorkerTraffic>> workers = new HashMap<>();

    @Override
    public List<WorkerTraffic> workers(String program) {
        return workers.getOrDefault(program, List.of());
    }

    /** The roles of the last roster of {@code program}: {@code web:0@1=SERVING}, in roster order. */
    List<String> roles(String program) {
        Roster r = published.get(program);
        return r == null ? List.of() : r.members().stream()
                .map(m -> m.status().name() + "@" + m.status().generation() + "=" + m.role()).toList();
    }
}
