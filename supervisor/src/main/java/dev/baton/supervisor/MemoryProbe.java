package dev.baton.supervisor;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads how much memory worker process groups hold, for {@code max_memory} ({@link Recycler}). Reading
 * {@code /proc} is file I/O over every process of the machine: it runs off the supervisor loop, which only gets
 * the answer.
 */
@FunctionalInterface
public interface MemoryProbe {

    /** Reads nothing: no worker is ever over {@code max_memory}. */
    MemoryProbe NONE = groups -> CompletableFuture.completedFuture(Map.of());

    /** The resident bytes of each of these process groups (a worker's pid is its group's id); absent when gone. */
    CompletableFuture<Map<Integer, Long>> residentBytes(Set<Integer> groups);
}
