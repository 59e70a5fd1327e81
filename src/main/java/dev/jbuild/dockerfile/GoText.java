package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Text rules of Go's standard library that BuildKit's parser relies on. Java's own notions of
 * "whitespace" and "printable" differ in small ways, and those differences would show up as
 * different parse trees or differently escaped output, so the Go definitions are spelled out here.
 */
final class GoText {

    private GoText() {}

    /** Go's {@code unicode.IsSpace}: Latin-1 blanks plus the Unicode White_Space property. */
    static boolean isSpace(int cp) {
        if (cp <= 0xFF) {
            return switch (cp) {
                case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0 -> true;
                default -> false;
            };
        }
        return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** The characters of the parser's {@code [\t\v\f\r ]} class, which splits arguments. */
    static boolean isTokenBlank(int cp) {
        return cp == '\t' || cp == 0x0B || cp == '\f' || cp == '\r' || cp == ' ';
    }

    /** Go's {@code strings.TrimSpace}. */
    static String trimSpace(String s) {
        return trimRightSpace(trimLeftSpace(s));
    }

    /** Go's {@code strings.TrimLeftFunc(s, unicode.IsSpace)}. */
    static String trimLeftSpace(String s) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!isSpace(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    static String trimRightSpace(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    /** Go's {@code strings.TrimRight(s, "\r\n")}: how the parser drops line terminators. */
    static String trimNewline(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * Go's {@code strconv.Quote}: double quotes, C-style escapes for control characters,
     * printable characters (by Go's definition) kept as they are.
     */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0B -> out.append("\\v");
                default -> appendOther(out, cp);
            }
        }
        return out.append('"').toString();
    }

    private static void appendOther(StringBuilder out, int cp) {
        if (isPrint(cp)) {
            out.appendCodePoint(cp);
        } else if (cp < ' ' || cp == 0x7F) {
            out.append("\\x").append(hex(cp, 2));
        } else if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
            out.append("\\ufffd");
        } else if (cp < 0x10000) {
            out.append("\\u").append(hex(cp, 4));
        } else {
            out.append("\\U").append(hex(cp, 8));
        }
    }

    private static String hex(int value, int digits) {
        String h = Integer.toHexString(value);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }

    /** Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
    static boolean isPrint(int cp) {
        if (cp <= 0xFF) {
            if (cp >= 0x20 && cp <= 0x7E) {
                return true;
            }
            return cp >= 0xA1 && cp != 0xAD;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                    Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                    Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                    Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** Splits at runs of {@code [\t\v\f\r ]}, like Go's {@code regexp.Split(s, -1)} on non-blank-edged input. */
    static List<String> splitTokenBlanks(String s, int limit) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            if (limit > 0 && parts.size() == limit - 1) {
                break;
            }
            if (isTokenBlank(s.charAt(i))) {
                int end = i;
                while (i < s.length() && isTokenBlank(s.charAt(i))) {
                    i++;
                }
                parts.add(s.substring(start, end));
                start = i;
            } else {
                i++;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }
}
