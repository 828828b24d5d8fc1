package dev.baton.conf;

/** When a worker that exited is started again (supervisord's {@code autorestart}). */
public enum AutoRestart {
    /** Always restart. TOML {@code true}. */
    ALWAYS,
    /** Never restart. TOML {@code false}. */
    NEVER,
    /** Restart unless the exit code is one of {@code exitcodes}. TOML {@code "unexpected"}. */
    UNEXPECTED
}
