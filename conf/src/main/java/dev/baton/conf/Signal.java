package dev.baton.conf;

import java.util.Locale;
import java.util.Optional;

/** The POSIX signals Baton can send to workers, with their Linux numbers. */
public enum Signal {
    HUP(1), INT(2), QUIT(3), KILL(9), USR1(10), USR2(12), TERM(15), CONT(18), STOP(19), TSTP(20), WINCH(28);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** Parses {@code TERM}, {@code SIGTERM}, {@code term} or {@code 15}. */
    public static Optional<Signal> parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        for (Signal signal : values()) {
            if (signal.name().equals(s) || Integer.toString(signal.number).equals(s)) {
                return Optional.of(signal);
            }
        }
        return Optional.empty();
    }
}
