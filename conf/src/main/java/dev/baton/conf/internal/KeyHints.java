package dev.baton.conf.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known key a misspelt one was probably meant to be. */
public final class KeyHints {

    private static final int MAX_DISTANCE = 2;
    private static final int MIN_PREFIX = 3;

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
