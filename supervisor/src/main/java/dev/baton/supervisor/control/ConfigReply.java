package dev.baton.supervisor.control;

import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/config}: the configuration file as it is on disk now (includes too), compared with what the
 * daemon runs; nothing is applied ({@code baton avail}, {@code baton reread}). An invalid file is a 400 with its
 * errors, one per line.
 *
 * @param file     the configuration file read
 * @param programs every program of the file, then every running program no longer in it, in start order
 * @param groups   every group of the file, then every running group no longer in it
 */
public record ConfigReply(String file, List<ProgramState> programs, List<GroupState> groups) {

    /** In the file and run with that configuration. */
    public static final String IN_USE = "in_use";
    /** In the file and running, with another configuration. */
    public static final String CHANGED = "changed";
    /** In the file, not running yet (supervisorctl's "avail"). */
    public static final String ADDED = "added";
    /** Running, no longer in the file. */
    public static final String REMOVED = "removed";

    public ConfigReply {
        programs = List.copyOf(programs);
        groups = List.copyOf(groups);
    }

    /** True when the file is what runs. */
    public boolean unchanged() {
        return programs.stream().allMatch(p -> p.state().equals(IN_USE))
                && groups.stream().allMatch(g -> g.state().equals(IN_USE));
    }

    /**
     * One program. Its settings are the file's, or the running ones when removed.
     *
     * @param group   its group, if any
     * @param state   {@link #IN_USE}, {@link #CHANGED}, {@link #ADDED} or {@link #REMOVED}
     * @param changes for {@link #CHANGED}, the keys that differ ({@code command}, {@code numprocs}...)
     */
    public record ProgramState(String name, Optional<String> group, String state, List<String> changes,
                               boolean autostart, int priority, int numprocs) {

        public ProgramState {
            changes = List.copyOf(changes);
        }
    }

    /**
     * One group.
     *
     * @param state   as a program's
     * @param changes for {@link #CHANGED}: {@code programs}, {@code priority}
     */
    public record GroupState(String name, String state, List<String> changes, List<String> programs, int priority) {

        public GroupState {
            changes = List.copyOf(changes);
            programs = List.copyOf(programs);
        }
    }
}
