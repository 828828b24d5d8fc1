package dev.baton.docs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the metric names and label names out of a PromQL expression, as far as a dashboard's check needs: not a
 * parser (it accepts much that Prometheus would not), a scanner that knows which words are selectors.
 *
 * <p>A word is a selector's metric name unless it is a function or aggregation (followed by {@code (}, or an
 * aggregation followed by {@code by}/{@code without}), a keyword, a number or duration, or a Grafana variable.
 * Strings, range brackets ({@code [5m]}, {@code [$__rate_interval]}) and the insides of matchers are skipped;
 * the label names of matchers go to their selector, those of {@code by}, {@code without}, {@code on},
 * {@code ignoring} and {@code group_left}/{@code group_right} lists to {@link Parsed#grouping}.
 */
final class PromQl {

    /** One vector selector: its metric name and the label names its matchers name. */
    record Selector(String metric, Set<String> labels) {
    }

    record Parsed(List<Selector> selectors, Set<String> grouping) {
    }

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2");
    private static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private PromQl() {
    }

    static Parsed parse(String expr) {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        int i = 0;
        int n = expr.length();
        Selector last = null; // the last selector named, and where its name ends: a matcher block right after is its
        int lastEnd = -1;
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(expr, i);
            } else if (c == '[') {
                i = closing(expr, i, ']') + 1;
            } else if (c == '{') {
                int end = closing(expr, i, '}');
                Set<String> labels = matcherLabels(expr.substring(i + 1, end));
                if (last != null && expr.substring(lastEnd, i).isBlank()) {
                    last.labels().addAll(labels);
                } else {
                    selectors.add(new Selector("", labels)); // {__name__="..."}: no metric name to check
                }
                i = end + 1;
            } else if (c == '$') { // a Grafana variable outside a string or range: $__interval, ${name}
                i++;
                if (i < n && expr.charAt(i) == '{') {
                    i = closing(expr, i, '}') + 1;
                } else {
                    i = wordEnd(expr, i);
                }
            } else if (Character.isDigit(c) || c == '.') { // a number, or a duration after offset: 0.99, 1e3, 5m
                i = wordEnd(expr, i + 1);
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int end = wordEnd(expr, i);
                String word = expr.substring(i, end);
                int next = skipSpace(expr, end);
                boolean paren = next < n && expr.charAt(next) == '(';
                if (LABEL_LISTS.contains(word)) {
                    if (paren) {
                        int close = closing(expr, next, ')');
                        Matcher m = LABEL.matcher(expr.substring(next + 1, close));
                        while (m.find()) {
                            grouping.add(m.group());
                        }
                        end = close + 1;
                    }
                } else if (!paren && !AGGREGATIONS.contains(word) && !KEYWORDS.contains(word)) {
                    Selector s = new Selector(word, new LinkedHashSet<>());
                    selectors.add(s);
                    last = s;
                    lastEnd = end;
                }
                i = end;
            } else {
                i++;
            }
        }
        return new Parsed(selectors, grouping);
    }

    private static Set<String> matcherLabels(String inside) {
        Set<String> labels = new LinkedHashSet<>();
        StringBuilder outsideStrings = new StringBuilder();
        for (int i = 0; i < inside.length(); ) {
            char c = inside.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(inside, i);
                outsideStrings.append(' ');
            } else {
                outsideStrings.append(c);
                i++;
            }
        }
        Matcher m = MATCHER.matcher(outsideStrings);
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    private static int afterString(String s, int start) {
        char quote = s.charAt(start);
        int i = start + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        if (i >= s.length()) {
            throw new IllegalArgumentException("unterminated string at " + start + ": " + s);
        }
        return i + 1;
    }

    /** The index of the bracket that closes the one at start, strings skipped. */
    private static int closing(String s, int start, char close) {
        char open = s.charAt(start);
        int depth = 0;
        for (int i = start; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(s, i);
                continue;
            }
            if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i;
            }
            i++;
        }
        throw new IllegalArgumentException("no '" + close + "' for the '" + open + "' at " + start + ": " + s);
    }

    private static int wordEnd(String s, int i) {
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                || s.charAt(i) == ':')) {
            i++;
        }
        return i;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
