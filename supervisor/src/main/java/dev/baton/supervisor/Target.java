package dev.baton.supervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * A TARGET: {@code all}, a program ({@code web}, also written {@code web:*}) or one worker ({@code web:2}).
 * Program names never contain ':' (the configuration allows letters, digits, '_', '-' and '.'), so the first ':'
 * ends the name.
 *
 * @param program the program, or null for {@code all}
 * @param index   the worker's index, or {@link #ANY} for every worker of the program (and for {@code all})
 */
public record Target(String program, int index) {

    /** The index of a target that selects every worker of its program. */
    public static final int ANY = -1;

    /** Every worker of every program, and Baton's own log lines. */
    public static final Target ALL = new Target(null, ANY);

    public Target {
        if (program == null ? index != ANY : program.isEmpty() || program.indexOf(':') >= 0 || index < ANY) {
            throw new IllegalArgumentException("invalid target: program " + program + ", index " + index);
        }
    }

    /** Every worker of {@code program}. */
    public static Target program(String program) {
        return new Target(program, ANY);
    }

    /** Parses {@code all}, {@code NAME}, {@code NAME:*} or {@code NAME:N}; the message says what is wrong. */
    public static Target parse(String text) {
        if (text.equals("all")) {
            return ALL;
        }
        int colon = text.indexOf(':');
        String program = colon < 0 ? text : text.substring(0, colon);
        if (program.isEmpty()) {
            throw invalid(text, text.isEmpty() ? "empty" : "no program name before ':'");
        }
        String index = colon < 0 ? "*" : text.substring(colon + 1);
        if (index.equals("*")) {
            return program(program);
        }
        if (!isIndex(index)) {
            throw invalid(text, "after ':' comes a worker index (" + program + ":0) or * (" + program + ":*)");
        }
        return new Target(program, Integer.parseInt(index));
    }

    /** One to nine digits (a loop, not a lambda: each lambda costs a CLI command time to start). */
    private static boolean isIndex(String text) {
        if (text.isEmpty() || text.length() > 9) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Parses each text in order; fails on the first that is not a target. */
    public static List<Target> parseAll(List<String> texts) {
        List<Target> targets = new ArrayList<>(texts.size());
        for (String text : texts) {
            targets.add(parse(text));
        }
        return targets;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid target \"" + text + "\": " + why
                + " (use all, NAME, NAME:* or NAME:N)");
    }

    public boolean isAll() {
        return program == null;
    }

    public boolean isProgram() {
        return program != null && index == ANY;
    }

    public boolean isWorker() {
        return index != ANY;
    }

    /** Does this target select worker {@code program:index}? */
    public boolean matches(String program, int index) {
        return isAll() || this.program.equals(program) && (this.index == ANY || this.index == index);
    }

    /** Does this target select a log line from {@code source} ({@code web:2}, or {@code baton}: only all does)? */
    public boolean matchesSource(String source) {
        if (isAll()) {
            return true;
        }
        return isProgram() ? source.startsWith(program + ":") : source.equals(toString());
    }

    /** Canonical text: {@code all}, {@code web} ({@code all:*} for a program named all), {@code web:2}. */
    @Override
    public String toString() {
        if (isAll()) {
            return "all";
        }
        if (isProgram()) {
            return program.equals("all") ? "all:*" : program;
        }
        return program + ":" + index;
    }
}
