package dev.baton.supervisor;

import java.io.PrintStream;
import java.time.Instant;
import java.util.function.Consumer;

/** Baton's own log: one line per event on stderr, also published to {@code baton logs} as source "baton". */
public final class Log {

    private static volatile PrintStream out = System.err;
    private static volatile Consumer<String> tap = line -> { };
    private static volatile boolean debug = Boolean.getBoolean("baton.debug");

    private Log() {
    }

    /** Also hands every info/warn/error message to {@code sink} (the log hub). */
    public static void tap(Consumer<String> sink) {
        tap = sink;
    }

    public static void info(String message) {
        write("INFO", message);
    }

    public static void warn(String message) {
        write("WARN", message);
    }

    public static void error(String message, Throwable cause) {
        write("ERROR", message);
        if (debug && cause != null) {
            cause.printStackTrace(out);
        }
    }

    public static void debug(String message) {
        if (debug) {
            write("DEBUG", message);
        }
    }

    private static void write(String level, String message) {
        PrintStream stream = out;
        synchronized (stream) {
            stream.println(Instant.now() + " " + level + " " + message);
        }
        if (!"DEBUG".equals(level)) {
            try {
                tap.accept(level.equals("INFO") ? message : level + " " + message);
            } catch (RuntimeException ignored) {
                // the log must never take the daemon down
            }
        }
    }
}
