package dev.jbuild.context;

import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Go's {@code \p{Name}} tables for {@link GoRegex}: the Unicode general categories and scripts, and
 * {@code Any}, mapped onto Java's {@link Character} types and scripts.
 */
final class GoUnicodeClasses {

    private GoUnicodeClasses() {}

    /** The members of class {@code name} ({@code Greek}, {@code Lu}, {@code Any}); null for a name Go does not know. */
    static IntPredicate named(String name) {
        if (name.equals("Any")) {
            return ch -> true;
        }
        int categories = categories(name);
        if (categories != 0) {
            return ch -> (categories & (1 << Character.getType(ch))) != 0;
        }
        Character.UnicodeScript script = script(name);
        if (script != null) {
            return ch -> Character.UnicodeScript.of(ch) == script;
        }
        return null;
    }

    /** The Java general-category bits for a Go category name, 0 for none. */
    private static int categories(String name) {
        int[] types = switch (name) {
            // Go's C has no Cn (unassigned)
            case "C" -> new int[] {Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE};
            case "Cc" -> new int[] {Character.CONTROL};
            case "Cf" -> new int[] {Character.FORMAT};
            case "Co" -> new int[] {Character.PRIVATE_USE};
            case "Cs" -> new int[] {Character.SURROGATE};
            case "L" -> new int[] {Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                Character.MODIFIER_LETTER, Character.OTHER_LETTER};
            case "Ll" -> new int[] {Character.LOWERCASE_LETTER};
            case "Lm" -> new int[] {Character.MODIFIER_LETTER};
            case "Lo" -> new int[] {Character.OTHER_LETTER};
            case "Lt" -> new int[] {Character.TITLECASE_LETTER};
            case "Lu" -> new int[] {Character.UPPERCASE_LETTER};
            case "M" -> new int[] {Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK, Character.NON_SPACING_MARK};
            case "Mc" -> new int[] {Character.COMBINING_SPACING_MARK};
            case "Me" -> new int[] {Character.ENCLOSING_MARK};
            case "Mn" -> new int[] {Character.NON_SPACING_MARK};
            case "N" -> new int[] {Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER};
            case "Nd" -> new int[] {Character.DECIMAL_DIGIT_NUMBER};
            case "Nl" -> new int[] {Character.LETTER_NUMBER};
            case "No" -> new int[] {Character.OTHER_NUMBER};
            case "P" -> new int[] {Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.END_PUNCTUATION,
                Character.FINAL_QUOTE_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                Character.START_PUNCTUATION};
            case "Pc" -> new int[] {Character.CONNECTOR_PUNCTUATION};
            case "Pd" -> new int[] {Character.DASH_PUNCTUATION};
            case "Pe" -> new int[] {Character.END_PUNCTUATION};
            case "Pf" -> new int[] {Character.FINAL_QUOTE_PUNCTUATION};
            case "Pi" -> new int[] {Character.INITIAL_QUOTE_PUNCTUATION};
            case "Po" -> new int[] {Character.OTHER_PUNCTUATION};
            case "Ps" -> new int[] {Character.START_PUNCTUATION};
            case "S" -> new int[] {Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.MATH_SYMBOL,
                Character.OTHER_SYMBOL};
            case "Sc" -> new int[] {Character.CURRENCY_SYMBOL};
            case "Sk" -> new int[] {Character.MODIFIER_SYMBOL};
            case "Sm" -> new int[] {Character.MATH_SYMBOL};
            case "So" -> new int[] {Character.OTHER_SYMBOL};
            case "Z" -> new int[] {Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR};
            case "Zl" -> new int[] {Character.LINE_SEPARATOR};
            case "Zp" -> new int[] {Character.PARAGRAPH_SEPARATOR};
            case "Zs" -> new int[] {Character.SPACE_SEPARATOR};
            default -> new int[0];
        };
        int bits = 0;
        for (int t : types) {
            bits |= 1 << t;
        }
        return bits;
    }

    /**
     * A script by Go's name ({@code Greek}, {@code Old_Italic}): Unicode's, with each word
     * capitalised; Java names the same scripts in capitals.
     */
    private static Character.UnicodeScript script(String name) {
        if (name.isEmpty() || !Character.isUpperCase(name.charAt(0))) {
            return null;
        }
        try {
            Character.UnicodeScript script = Character.UnicodeScript.valueOf(name.toUpperCase(Locale.ROOT));
            return script == Character.UnicodeScript.UNKNOWN ? null : script;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
