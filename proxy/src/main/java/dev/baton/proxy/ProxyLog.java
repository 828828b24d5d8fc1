package dev.baton.proxy;

/** Where the proxy reports what an operator should see: one line per event, context first. */
public interface ProxyLog {

    void info(String message);

    void warn(String message);

    /** True when {@code program} has an access log: only then are lines formatted. */
    default boolean logsAccess(String program) {
        return false;
    }

    /** Receives an access log line of {@code program}. */
    default void access(String program, String line) {
    }
}
