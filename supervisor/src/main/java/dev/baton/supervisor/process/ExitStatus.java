package dev.baton.supervisor.process;

import dev.baton.conf.Signal;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a process ended: exit code, or the signal that killed it. {@code exact} is false when only NuProcess's
 * ambiguous report was available (it folds "killed by signal N" and "exit(N)" together); such a status is kept
 * as an exit code.
 */
public record ExitStatus(int code, int signal, boolean exact) {

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, true);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(-1, signal, true);
    }

    public static ExitStatus ambiguous(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus unknown() {
        return new ExitStatus(-1, 0, false);
    }

    public boolean killedBySignal() {
        return signal > 0;
    }

    /** "exited with status 1", "killed by SIGKILL", "exited (status unknown)". */
    public String describe() {
        if (signal > 0) {
            return "killed by " + signalName().map(name -> "SIG" + name).orElse("signal " + signal);
        }
        if (code < 0) {
            return "exited (status unknown)";
        }
        return "exited with status " + code;
    }

    /** For programs to read: "exit 1", "signal 9 (KILL)", "signal 11" (a signal Baton does not name), "unknown". */
    public String summary() {
        if (signal > 0) {
            return "signal " + signal + signalName().map(name -> " (" + name + ")").orElse("");
        }
        return code < 0 ? "unknown" : "exit " + code;
    }

    private Optional<String> signalName() {
        return Arrays.stream(Signal.values()).filter(s -> s.number() == signal).map(Signal::name).findFirst();
    }
}
