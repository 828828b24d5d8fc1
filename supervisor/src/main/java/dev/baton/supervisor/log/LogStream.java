package dev.baton.supervisor.log;

/** Which output stream of a worker a line came from. */
public enum LogStream {
    STDOUT,
    STDERR
}
