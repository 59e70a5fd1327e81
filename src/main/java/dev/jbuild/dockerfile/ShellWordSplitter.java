package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the words of a shell word while it is being expanded, the way BuildKit's lexer does:
 * blanks split only when they come from unquoted text or an unquoted variable's value; quoted
 * text and escaped characters are added as they are.
 */
final class ShellWordSplitter {

    private final StringBuilder word = new StringBuilder();
    private final List<String> words = new ArrayList<>();
    /**
     * Whether a word has been started. An empty quoted string ({@code ""}) starts one without
     * adding text; BuildKit still drops it at the end because it is empty.
     */
    private boolean inWord;

    /** Adds a character that splits when blank. */
    void add(int codePoint) {
        if (isGoSpace(codePoint)) {
            if (inWord && word.length() > 0) {
                words.add(word.toString());
                word.setLength(0);
                inWord = false;
            }
        } else {
            addRaw(codePoint);
        }
    }

    /** Adds text whose blanks split (an unquoted variable's value). */
    void add(String text) {
        text.codePoints().forEach(this::add);
    }

    /** Adds a character that never splits (an escaped one). */
    void addRaw(int codePoint) {
        word.appendCodePoint(codePoint);
        inWord = true;
    }

    /** Adds text that never splits (the content of quotes). */
    void addRaw(String text) {
        word.append(text);
        inWord = true;
    }

    List<String> words() {
        List<String> result = new ArrayList<>(words);
        if (word.length() > 0) {
            result.add(word.toString());
        }
        return List.copyOf(result);
    }

    /**
     * Go's {@code unicode.IsSpace}, which BuildKit splits on. It differs from
     * {@link Character#isWhitespace}: it includes no-break spaces and excludes the ASCII
     * separators U+001C..U+001F.
     */
    static boolean isGoSpace(int c) {
        if (c <= 0xFF) {
            return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
        }
        return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000;
    }
}
