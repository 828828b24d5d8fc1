package dev.baton.conf;

/** The line format of a program's access log ({@code access_log_format}). */
public enum AccessLogFormat {
    /** The Apache/nginx "combined" format. TOML {@code "combined"}. */
    COMBINED,
    /** One JSON object per line. TOML {@code "json"}. */
    JSON
}
