package dev.baton.supervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * A resolved TARGET: {@code all}, a program ({@code web}, also written {@code web:*}) or one worker ({@code web:2}).
 * Program names never contain ':' (the configuration allows letters, digits, '_', '-' and '.'), so the first ':'
 * ends the name.
 *
 * <p>What an operator types may also be a group ({@code app}, {@code app:*}, {@code app:web}) or a worker's name as
 * {@code process_name} makes it ({@code web_08}, {@code web:web_08}): only the daemon, which knows the
 * configuration, can resolve those into targets ({@code daemon.TargetResolver}). The CLI checks the text's shape
 * with {@link #checkText} and sends it as typed; {@link #parse} reads the common forms fast.
 *
 * @param program the program, or null for {@code all}
 * @param index   the worker's number ({@code numprocs_start} + slot), or {@link #ANY} for every worker of the
 *                program (and for {@code all})
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

    /**
     * Checks the shape of a TARGET as typed, before the daemon resolves it: not empty, no blank or control
     * character, and a name on both sides of the first ':' ({@code web:}, {@code :2} are malformed). Answers the
     * text; the message says what is wrong.
     */
    public static String checkText(String text) {
        if (text.isEmpty()) {
            throw malformed(text, "empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw malformed(text, "blank or control character");
            }
        }
        int colon = text.indexOf(':');
        if (colon == 0) {
            throw malformed(text, "no program or group name before ':'");
        }
        if (colon == text.length() - 1) {
            throw malformed(text, "nothing after ':'");
        }
        return text;
    }

    /** Checks each text in order with {@link #checkText}; fails on the first malformed one. */
    public static List<String> checkTexts(List<String> texts) {
        texts.forEach(Target::checkText);
        return List.copyOf(texts);
    }

    /** True when {@code text} is {@code all}, {@code NAME}, {@code NAME:*} or {@code NAME:N}. */
    public static boolean isCommonForm(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
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

    /** Worker {@code number} of {@code program}. */
    public static Target worker(String program, int number) {
        return new Target(program, number);
    }

    private static IllegalArgumentException malformed(String text, String why) {
        return new IllegalArgumentException("invalid target \"" + text + "\": " + why + " (use all, a program or"
                + " group NAME, NAME:*, NAME:N, GROUP:PROGRAM or a worker's name)");
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
