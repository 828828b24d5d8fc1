package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;

/**
 * One generation of a program: the configuration its workers run (command, environment and proxy settings, an
 * immutable snapshot), and where it stands in the program's life. Loop thread only.
 *
 * <pre>
 *  STARTING ──switch──▶ SERVING ──replaced, or program removed──▶ RETIRING ──last worker gone──▶ RETIRED
 *     │
 *     └──a new worker failed, or Baton shuts down──▶ ABANDONED
 * </pre>
 *
 * A program's first generation is SERVING from the start. A reload's generation is STARTING while its workers are
 * held out of traffic; with {@code reload_strategy = "rolling"} it is SERVING from its first batch's switch, while
 * the generation it replaces serves the other slots until the last batch switches.
 */
public final class Generation {

    /** Where a generation stands. */
    public enum State {
        /** A reload's new workers are starting, held out of traffic. */
        STARTING,
        /** Its workers get traffic; its proxy settings are the program's. */
        SERVING,
        /** Replaced by a newer generation (or its program removed): its workers drain and stop. */
        RETIRING,
        /** Its last worker is gone. */
        RETIRED,
        /** Rolled back before it served: its workers were stopped, the generation before it still serves. */
        ABANDONED
    }

    private final int number;
    private ProgramConfig config;
    private State state;

    private Generation(ProgramConfig config, int number, State state) {
        this.config = config;
        this.number = number;
        this.state = state;
    }

    /** A program's first generation (at boot, or added by a reload): serving at once. */
    static Generation first(ProgramConfig config, int number) {
        return new Generation(config, number, State.SERVING);
    }

    /** A reload's generation, STARTING until its first batch switches in. */
    static Generation next(ProgramConfig config, int number) {
        return new Generation(config, number, State.STARTING);
    }

    public int number() {
        return number;
    }

    public ProgramConfig config() {
        return config;
    }

    public String program() {
        return config.name();
    }

    public State state() {
        return state;
    }

    /** Only {@code numprocs} changed: the generation runs on, with more or fewer slots. */
    void scaled(ProgramConfig next) {
        if (!config.withNumprocs(next.numprocs()).equals(next)) {
            throw new IllegalArgumentException(program() + ": more than numprocs changed: that is a new generation");
        }
        config = next;
    }

    /** Changes the state and logs it; a generation never leaves RETIRED or ABANDONED. */
    void transitionTo(State next, String why) {
        State previous = state;
        if (previous == next || previous == State.RETIRED || previous == State.ABANDONED) {
            return;
        }
        state = next;
        Log.info(program() + ": generation " + number + " " + previous + " -> " + next
                + (why.isEmpty() ? "" : ": " + why));
    }

    @Override
    public String toString() {
        return program() + " generation " + number + " (" + state + ")";
    }
}
