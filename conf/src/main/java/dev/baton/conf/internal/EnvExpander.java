package dev.baton.conf.internal;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} from Baton's environment when the configuration is read. {@code $$} is a literal
 * {@code $}; any other {@code $} is kept as it is. Text in plain braces, such as the per-worker placeholders
 * {@code {port}}, is left alone.
 */
public final class EnvExpander {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> env;

    public EnvExpander(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * Expands {@code text}; every problem (unset variable, bad or unclosed reference) goes to {@code problems},
     * and the reference is then dropped from the result.
     */
    public String expand(String text, Consumer<String> problems) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (c == '$' && next == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$' && next == '{') {
                i = reference(text, i + 2, out, problems);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Expands the reference whose name starts at {@code start}; returns the index after its closing brace. */
    private int reference(String text, int start, StringBuilder out, Consumer<String> problems) {
        int end = text.indexOf('}', start);
        if (end < 0) {
            problems.accept("unclosed \"${\"");
            return text.length();
        }
        String name = text.substring(start, end);
        if (!NAME.matcher(name).matches()) {
            problems.accept("invalid variable name \"${" + name + "}\"");
        } else if (!env.containsKey(name)) {
            problems.accept("environment variable " + name + " is not set");
        } else {
            out.append(env.get(name));
        }
        return end + 1;
    }
}
