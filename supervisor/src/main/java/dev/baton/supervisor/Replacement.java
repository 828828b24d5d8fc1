package dev.baton.supervisor;

/**
 * One worker replaced in its slot within its generation, surge-style (recycling, {@link Recycler}). Loop thread
 * only.
 *
 * <pre>
 *  STARTING ──successor ready──▶ SWITCHED
 *     │
 *     └──successor failed, start_timeout, cancelled──▶ FAILED
 * </pre>
 *
 * <p>The successor starts held out of traffic; once ready (health check passed and warm-up done, or RUNNING for a
 * program without {@code listen}) it takes the slot, and only then does the old worker drain and stop: capacity
 * never drops. A hung worker ({@link Recycler.Cause#UNHEALTHY}) is not drained but stopped at once: its stop signal,
 * then SIGKILL after {@code stopwaitsecs}. A successor that fails is stopped; the old worker serves on, untouched.
 */
final class Replacement {

    /** Where a replacement stands. */
    enum State {
        /** The successor is starting, held out of traffic. */
        STARTING,
        /** The successor took the slot; the old worker drains or stops. */
        SWITCHED,
        /** The successor failed or was stopped; the old worker keeps the slot. */
        FAILED
    }

    private final Supervisor supervisor;
    private final Program program;
    private final Worker old;
    private final Worker next;
    private final Recycler.Cause cause;
    private final String why;
    private State state = State.STARTING;
    private EventLoop.Timer deadline;

    Replacement(Supervisor supervisor, Program program, Worker old, Recycler.Cause cause, String detail) {
        this.supervisor = supervisor;
        this.program = program;
        this.old = old;
        this.cause = cause;
        this.why = cause.key() + (detail.isEmpty() ? "" : " (" + detail + ")");
        this.next = old.successor(program.nextIncarnation(), why);
    }

    Worker old() {
        return old;
    }

    /** The worker that will take the slot: held until it is ready. */
    Worker next() {
        return next;
    }

    Recycler.Cause cause() {
        return cause;
    }

    State state() {
        return state;
    }

    void start() {
        Log.info(old.name() + " [gen " + old.generation() + "]: replacing it: " + why + "; starting its successor");
        long timeout = next.config().reload().startTimeout().toMillis();
        deadline = supervisor.loop().schedule(() -> fail("not ready within start_timeout ("
                + Rollout.seconds(timeout) + ")"), timeout);
        next.start();
    }

    /** After every transition of one of the program's workers. */
    void workerChanged(Worker w) {
        if (w != next || state != State.STARTING) {
            return;
        }
        switch (w.state()) {
            case RUNNING -> {
                if (!Supervisor.proxied(w)) {
                    ready(w);
                }
            }
            case BACKOFF, EXITED, FATAL, STOPPED -> fail(w.whyNotReady());
            default -> { }
        }
    }

    /** The successor is ready: it takes the slot, then the old worker drains (or, hung, stops). */
    void ready(Worker w) {
        if (w != next || state != State.STARTING) {
            return;
        }
        if (program.workers().get(old.slot()) != old) {
            fail("its slot no longer holds " + old.name() + " [gen " + old.generation() + "]");
            return;
        }
        cancelDeadline();
        program.swap(next);
        supervisor.keepServing(old); // listed to the proxy until it drains: its requests in flight go on
        transitionTo(State.SWITCHED, "its successor is ready after "
                + Rollout.seconds(supervisor.loop().nowMillis() - next.status().startedAt()));
        program.replacements().remove(this);
        supervisor.recycler().switched(program.name(), cause);
        supervisor.publish(program.name()); // the successor serves before the old worker drains
        boolean drain = Supervisor.proxied(old) && cause != Recycler.Cause.UNHEALTHY;
        supervisor.retire(old, drain, "replaced: " + why);
    }

    /** The successor stops; the old worker keeps its slot. Baton is shutting down, or a reload begins. */
    void cancel(String reason) {
        if (state == State.STARTING) {
            end(reason);
        }
    }

    private void fail(String reason) {
        if (state != State.STARTING) {
            return;
        }
        Log.warn(old.name() + " [gen " + old.generation() + "]: its replacement (" + why + ") failed: " + reason
                + "; it keeps serving");
        old.wear().replacementFailed(supervisor.loop().nowMillis());
        end("replacement failed: " + reason);
    }

    private void end(String reason) {
        cancelDeadline();
        transitionTo(State.FAILED, reason);
        program.replacements().remove(this);
        supervisor.retire(next, false, reason);
        supervisor.publish(program.name());
    }

    private void transitionTo(State to, String reason) {
        State from = state;
        state = to;
        Log.info(old.name() + " [gen " + old.generation() + "]: replacement (" + cause.key() + ") " + from + " -> "
                + to + (reason.isEmpty() ? "" : ": " + reason));
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }
}
