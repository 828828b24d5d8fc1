package dev.baton.supervisor.events;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What went wrong delivering events, told to the operator at most once per interval: the first failure at once,
 * then one line per interval with how many failed (and how many events were dropped) since the last line. So a
 * webhook that is down costs one log line a minute, not one per event. One thread only (the runner's).
 */
final class Complaints {

    private final long intervalMillis;
    private final LongSupplier clock;
    private final Consumer<String> warn;
    private boolean reported;
    private long lastReport;
    private int failures;
    private String lastFailure;
    private long dropped;

    /**
     * @param clock milliseconds from any fixed origin
     * @param warn  where the lines go ({@code Log::warn})
     */
    Complaints(long intervalMillis, LongSupplier clock, Consumer<String> warn) {
        this.intervalMillis = intervalMillis;
        this.clock = clock;
        this.warn = warn;
    }

    /** A run of the command failed; {@code what} says how ({@code event exited web:1: exit status 7; ...}). */
    void failed(String what) {
        failures++;
        lastFailure = what;
        reportIfDue();
    }

    /** A run of the command worked: failures not yet told are told if the interval has passed. */
    void succeeded() {
        if (failures > 0 || dropped > 0) {
            reportIfDue();
        }
    }

    /** {@code n} events were dropped: the queue was full. */
    void dropped(long n) {
        dropped += n;
        reportIfDue();
    }

    /** Reports what is still untold, whether or not the interval has passed (Baton exits). */
    void flush() {
        if (failures > 0 || dropped > 0) {
            report();
        }
    }

    private void reportIfDue() {
        if (!reported || clock.getAsLong() - lastReport >= intervalMillis) {
            report();
        }
    }

    private void report() {
        StringBuilder line = new StringBuilder("event_command: ");
        if (failures > 0) {
            line.append(failures == 1 ? "failed" : "failed " + failures + " times")
                    .append(reported ? " since the last report" : "").append(failures == 1 ? ": " : ", the last: ")
                    .append(lastFailure);
        }
        if (dropped > 0) {
            line.append(failures > 0 ? "; " : "").append(dropped).append(dropped == 1 ? " event" : " events")
                    .append(" dropped: the command did not keep up and the queue was full");
        }
        warn.accept(line.toString());
        reported = true;
        lastReport = clock.getAsLong();
        failures = 0;
        lastFailure = null;
        dropped = 0;
    }
}
