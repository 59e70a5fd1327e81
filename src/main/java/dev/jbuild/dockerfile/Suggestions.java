package dev.jbuild.dockerfile;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean ...?" hints for misspelled keywords and flags: the closest candidate within an
 * edit distance below 3, as BuildKit suggests. Candidates are tried in the order given, so ties
 * are resolved the same way on every run.
 */
public final class Suggestions {

    private static final int MAX_DISTANCE = 3;

    private Suggestions() {}

    /** The closest candidate to {@code value} (BuildKit's suggest.Search), or null when none is close or one is equal. */
    public static String closest(String value, Collection<String> candidates, boolean caseSensitive) {
        String suggested = withSuggestion("", value, candidates, caseSensitive);
        return suggested.isEmpty() ? null : suggested.substring(" (did you mean ".length(), suggested.length() - "?)".length());
    }

    /** {@code message} with {@code " (did you mean X?)"} appended when a close candidate exists. */
    static String withSuggestion(String message, String value, Collection<String> candidates, boolean caseSensitive) {
        String wanted = caseSensitive ? value : value.toLowerCase(Locale.ROOT);
        String match = null;
        int best = MAX_DISTANCE;
        for (String candidate : candidates) {
            String option = caseSensitive ? candidate : candidate.toLowerCase(Locale.ROOT);
            if (option.equals(wanted)) {
                return message;
            }
            int distance = distance(wanted, option);
            if (distance < best) {
                best = distance;
                match = caseSensitive ? option : matchCase(option, value);
            }
        }
        return match == null ? message : message + " (did you mean " + match + "?)";
    }

    private static String matchCase(String option, String original) {
        if (original.equals(original.toLowerCase(Locale.ROOT))) {
            return option.toLowerCase(Locale.ROOT);
        }
        if (original.equals(original.toUpperCase(Locale.ROOT))) {
            return option.toUpperCase(Locale.ROOT);
        }
        return option;
    }

    /** Levenshtein distance over code points; inputs are short (keywords and flag names). */
    static int distance(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        if (x.length > 64 || y.length > 64) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[y.length + 1];
        int[] current = new int[y.length + 1];
        for (int j = 0; j <= y.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length; i++) {
            current[0] = i;
            for (int j = 1; j <= y.length; j++) {
                int cost = x[i - 1] == y[j - 1] ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length];
    }
}
