package dev.baton.proxy;

import java.util.List;

/** A served program: its listen addresses, the requests waiting in Baton's queue, and its backends. */
public record ProgramStats(String name, List<String> listen, int queued, List<BackendStats> backends) {
}
