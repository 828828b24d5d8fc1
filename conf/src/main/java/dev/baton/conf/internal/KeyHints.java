package dev.baton.conf.internal;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to tell a user about a key Baton does not know: Baton's counterpart of a supervisord key or section, or
 * the known key a misspelt one was probably meant to be.
 */
public final class KeyHints {

    private static final int MAX_DISTANCE = 2;
    private static final int MIN_PREFIX = 3;

    /** Keys of supervisord's {@code [program:x]} that Baton has not, and what Baton does instead. */
    public static final Map<String, String> SUPERVISORD_PROGRAM_KEYS = Map.of(
            "stdout_capture_maxbytes", "supervisord key; Baton has none: there is no capture mode (events are"
                    + " [baton] event_command)",
            "stderr_capture_maxbytes", "supervisord key; Baton has none: there is no capture mode (events are"
                    + " [baton] event_command)",
            "stdout_events_enabled", "supervisord key; Baton's is [baton] event_command, run for each worker"
                    + " exit, restart and reload (not for output lines)",
            "stderr_events_enabled", "supervisord key; Baton's is [baton] event_command, run for each worker"
                    + " exit, restart and reload (not for output lines)",
            "stdout_syslog", "supervisord key; Baton has none: under systemd set [baton] log_to_stdout = true"
                    + " and journald keeps every worker line",
            "stderr_syslog", "supervisord key; Baton has none: under systemd set [baton] log_to_stdout = true"
                    + " and journald keeps every worker line",
            "serverurl", "supervisord key; Baton has none: workers do not talk to Baton, and the baton CLI finds"
                    + " the daemon by [baton] socket");

    /** supervisord's sections, written as TOML tables, and Baton's counterparts. */
    public static final Map<String, String> SUPERVISORD_SECTIONS = Map.of(
            "supervisord", "supervisord section; Baton's daemon settings are [baton] (socket, log_dir,"
                    + " log_to_stdout...)",
            "supervisorctl", "supervisord section; Baton has none: the baton CLI reads [baton] socket from this"
                    + " file (--config)",
            "unix_http_server", "supervisord section; Baton's control socket is [baton] socket, with"
                    + " socket_group for its permissions",
            "inet_http_server", "supervisord section; Baton has no control over TCP (the control API is on"
                    + " [baton] socket); metrics over HTTP are [baton] metrics_listen",
            "include", "supervisord section; Baton's is [baton] include = [\"conf.d/*.toml\"]",
            "eventlistener", "supervisord section; Baton's is [baton] event_command, run with each event as"
                    + " JSON on its standard input",
            "fcgi-program", "supervisord section; Baton has no FastCGI: run the workers as a [program.NAME]"
                    + " with listen, and Baton proxies HTTP to them",
            "rpcinterface", "supervisord section; Baton's control API is built in (the baton CLI over [baton]"
                    + " socket), nothing to configure");

    /** The start of a supervisord section header that TOML cannot parse, such as {@code [program:web]}. */
    private static final Pattern SUPERVISORD_HEADER = Pattern.compile(
            "\\s*\\[(program|group|eventlistener|fcgi-program|rpcinterface):.*|\\s*\\[supervisord]\\s*");

    private KeyHints() {
    }

    /**
     * The known key closest to {@code unknown}: within {@value #MAX_DISTANCE} edits (ignoring case), or one of the
     * two a prefix of the other (at least {@value #MIN_PREFIX} characters). Ties go to the earlier known key.
     */
    public static Optional<String> closest(String unknown, Collection<String> known) {
        String u = unknown.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            String k = candidate.toLowerCase(Locale.ROOT);
            int distance = levenshtein(u, k);
            if ((distance <= MAX_DISTANCE || isPrefix(u, k)) && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The line (1-based) of the first supervisord section header in {@code text}, such as {@code [program:web]},
     * if any: a file that TOML cannot parse is then probably a supervisord configuration.
     */
    public static Optional<Integer> supervisordHeader(String text) {
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            if (SUPERVISORD_HEADER.matcher(lines[i]).matches()) {
                return Optional.of(i + 1);
            }
        }
        return Optional.empty();
    }

    /** What {@code baton check} says about a supervisord configuration given as a Baton file. */
    public static String supervisordFile(Path file) {
        return "this looks like a supervisord configuration: convert it with baton import " + file;
    }

    private static boolean isPrefix(String a, String b) {
        return Math.min(a.length(), b.length()) >= MIN_PREFIX && (a.startsWith(b) || b.startsWith(a));
    }

    /** The edit distance (insertions, deletions, substitutions) between two strings. */
    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
