package dev.baton.supervisor;

import dev.baton.conf.RecycleConfig;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replaces worn-out workers while they run, without a moment of lost capacity: once a second it looks at every
 * program that is not reloading and starts a {@link Replacement} for each slot worker past one of its limits, at
 * most {@code max_surge} replacements per program at a time (so a memory storm cannot start {@code numprocs} new
 * workers at once). Hung workers go first, then memory, requests, and age. Loop thread only.
 *
 * <p>The readings: requests from the proxy's count per worker ({@link Traffic#workers}); resident memory of each
 * worker's process group every {@code memory_check_interval} ({@link MemoryProbe}); the age of the current
 * process; how long the proxy has kept the worker out of traffic ({@link Supervisor#backendHealth}).
 */
final class Recycler {

    /** Why a worker is replaced; {@link #key()} names it in logs, status and metrics. */
    enum Cause {
        /** Kept out of traffic by its health checks for {@code replace_unhealthy_after}. */
        UNHEALTHY,
        /** Resident memory above {@code max_memory} at two readings in a row. */
        MAX_MEMORY,
        /** Served {@code max_requests} (plus its jitter). */
        MAX_REQUESTS,
        /** Older than {@code max_lifetime} (less its jitter). */
        MAX_LIFETIME;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final long TICK_MILLIS = 1000;

    private final Supervisor supervisor;
    private final MemoryProbe memory;
    private final Map<String, Long> memoryReadAt = new HashMap<>();
    private final Map<String, Map<Cause, Long>> switched = new TreeMap<>();
    private EventLoop.Timer timer;

    Recycler(Supervisor supervisor, MemoryProbe memory) {
        this.supervisor = supervisor;
        this.memory = memory;
    }

    /** Starts the once-a-second look. */
    void start() {
        timer = supervisor.loop().schedule(this::tick, TICK_MILLIS);
    }

    /** A replacement for {@code cause} switched in: counted for status and metrics. */
    void switched(String program, Cause cause) {
        switched.computeIfAbsent(program, p -> new EnumMap<>(Cause.class)).merge(cause, 1L, Long::sum);
    }

    /** How many workers were replaced, per program and cause ({@link Cause#key()}), since Baton started. */
    Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        switched.forEach((program, byCause) -> {
            Map<String, Long> keyed = new TreeMap<>();
            byCause.forEach((cause, n) -> keyed.put(cause.key(), n));
            counts.put(program, keyed);
        });
        return counts;
    }

    void stop() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void tick() {
        timer = null;
        if (supervisor.shuttingDown()) {
            return;
        }
        try {
            for (Program p : List.copyOf(supervisor.programs().values())) {
                if (p.rollout() == null) {
                    look(p);
                }
            }
        } catch (RuntimeException e) {
            Log.warn("recycling: " + e); // a bug here must not end the looking
        }
        start();
    }

    /** One look at one program: readings, then replacements while {@code max_surge} allows. */
    private void look(Program p) {
        long now = supervisor.loop().nowMillis();
        List<Worker> running = p.workers().stream()
                .filter(w -> w.state() == WorkerState.RUNNING && !p.replacing(w) && w.wear().mayReplace(now)).toList();
        if (running.isEmpty()) {
            return;
        }
        readMemory(p, running, now);
        Map<Worker, Long> requests = readRequests(p, running);
        int room = p.config().reload().maxSurge() - p.replacements().size();
        for (Cause cause : Cause.values()) {
            for (Worker w : running) {
                if (room <= 0) {
                    return;
                }
                if (p.replacing(w)) {
                    continue;
                }
                String detail = wornOut(w, cause, now, requests);
                if (detail != null) {
                    Replacement r = new Replacement(supervisor, p, w, cause, detail);
                    p.replacements().add(r);
                    r.start();
                    supervisor.publish(p.name());
                    room--;
                }
            }
        }
    }

    /** Why {@code w} is worn out by {@code cause} ({@code 1012 requests}), or null. */
    private static String wornOut(Worker w, Cause cause, long now, Map<Worker, Long> requests) {
        RecycleConfig c = w.config().recycle();
        Wear wear = w.wear();
        return switch (cause) {
            case UNHEALTHY -> {
                long out = wear.ejectedFor(now, w.startedAt());
                long limit = c.replaceUnhealthyAfter().toMillis();
                yield limit > 0 && out >= limit ? "out of traffic for " + Rollout.seconds(out) : null;
            }
            case MAX_MEMORY -> wear.memoryOver() ? mib(wear.resident()) + " resident, max_memory "
                    + mib(c.maxMemory()) : null;
            case MAX_REQUESTS -> {
                long served = requests.getOrDefault(w, 0L);
                yield wear.requestLimit() > 0 && served >= wear.requestLimit() ? served + " requests" : null;
            }
            case MAX_LIFETIME -> {
                long age = now - w.startedAt();
                yield wear.lifetimeMillis() > 0 && age >= wear.lifetimeMillis() ? "up " + Rollout.seconds(age) : null;
            }
        };
    }

    /**
     * Asks for the workers' memory when the program's interval has passed. The answer comes back to the loop: each
     * worker still running the process that was read gets its reading, and the program is looked at again at once
     * when one is now over {@code max_memory} at two readings in a row.
     */
    private void readMemory(Program p, List<Worker> running, long now) {
        RecycleConfig c = p.config().recycle();
        Long last = memoryReadAt.get(p.name());
        if (c.maxMemory() == 0 || last != null && now - last < c.memoryCheckInterval().toMillis()) {
            return;
        }
        memoryReadAt.put(p.name(), now);
        Map<Integer, Worker> byPid = new HashMap<>();
        running.forEach(w -> byPid.put(w.status().pid(), w));
        memory.residentBytes(Set.copyOf(byPid.keySet())).whenCompleteAsync((resident, e) -> {
            if (e != null) {
                Log.warn(p.name() + ": max_memory: cannot read the workers' memory: " + e);
                return;
            }
            boolean over = false;
            for (Map.Entry<Integer, Worker> read : byPid.entrySet()) {
                Worker w = read.getValue();
                Long bytes = resident.get(read.getKey());
                if (bytes != null && w.status().pid() == read.getKey()) {
                    w.wear().memoryRead(bytes, c.maxMemory());
                    over |= w.wear().memoryOver();
                }
            }
            if (over && !supervisor.shuttingDown() && supervisor.programs().get(p.name()) == p
                    && p.rollout() == null) {
                look(p);
            }
        }, supervisor.loop()::execute);
    }

    private Map<Worker, Long> readRequests(Program p, List<Worker> running) {
        if (running.stream().allMatch(w -> w.wear().requestLimit() == 0)) {
            return Map.of();
        }
        Map<Worker, Long> served = new HashMap<>();
        List<WorkerTraffic> traffic = supervisor.traffic().workers(p.name());
        for (Worker w : running) {
            for (WorkerTraffic t : traffic) {
                if (t.is(w)) {
                    served.put(w, t.requests());
                }
            }
        }
        return served;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }
}
