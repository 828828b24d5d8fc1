package dev.baton.supervisor;

import java.util.Map;
import java.util.Set;

/** Reads how much memory worker process groups hold, for {@code max_memory} ({@link Recycler}). */
@FunctionalInterface
public interface MemoryProbe {

    /** Reads nothing: no worker is ever over {@code max_memory}. */
    MemoryProbe NONE = groups -> Map.of();

    /** The resident bytes of each of these process groups (a worker's pid is its group's id); absent when gone. */
    Map<Integer, Long> residentBytes(Set<Integer> groups);
}
