package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether an instruction's arguments are in JSON (exec) form, with the rules of Go's
 * {@code encoding/json} that BuildKit uses: the whole text must be one valid JSON document
 * starting with {@code [}; if it is not valid JSON at all the caller falls back to shell form,
 * but valid JSON whose elements are not all strings is an error.
 */
final class JsonArgs {

    /** Go's decoder gives up beyond this nesting, which makes the text "not JSON". */
    private static final int MAX_DEPTH = 10_000;

    static final String NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only";

    private final String text;
    private int pos;

    private JsonArgs(String text) {
        this.text = text;
    }

    /** The strings of a JSON array and where each element starts in the text given to {@link #parse}. */
    record Array(List<String> strings, List<Integer> offsets) {}

    /** Where each element of the top-level array starts in {@link #text}. */
    private final List<Integer> elementStarts = new ArrayList<>();

    /**
     * @return the strings of the array, or null when the text is not a valid JSON array
     * @throws SyntaxProblem when it is a valid JSON array with an element that is not a string (at
     *                       that element's offset in {@code rest})
     */
    static Array parse(String rest) throws SyntaxProblem {
        String trimmed = GoText.trimLeftSpace(rest);
        if (!trimmed.startsWith("[")) {
            return null;
        }
        int lead = rest.length() - trimmed.length();
        JsonArgs parser = new JsonArgs(trimmed);
        List<Object> top;
        try {
            parser.skipBlanks();
            Object value = parser.value();
            parser.skipBlanks();
            if (parser.pos != trimmed.length()) {
                return null;
            }
            top = asList(value);
        } catch (NotJson e) {
            return null;
        }
        List<String> strings = new ArrayList<>(top.size());
        List<Integer> offsets = new ArrayList<>(top.size());
        for (int i = 0; i < top.size(); i++) {
            int offset = lead + parser.elementStarts.get(i);
            if (!(top.get(i) instanceof String s)) {
                throw new SyntaxProblem(NOT_STRINGS, offset);
            }
            strings.add(s);
            offsets.add(offset);
        }
        return new Array(strings, offsets);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        return (List<Object>) value;
    }

    /** Thrown internally for any syntax error; cheap because the stack trace is not filled. */
    private static final class NotJson extends Exception {
        private static final long serialVersionUID = 1L;

        NotJson() {
            super(null, null, false, false);
        }
    }

    /** An explicit stack instead of recursion: deeply nested input must not overflow the JVM stack. */
    private Object value() throws NotJson {
        List<List<Object>> stack = new ArrayList<>();
        List<Boolean> isArray = new ArrayList<>();
        Object result = null;
        boolean haveResult = false;
        int elementStart = -1;
        while (true) {
            if (stack.size() == 1 && isArray.get(0)) {
                elementStart = pos; // a value of the top-level array starts here
            }
            Object scalar;
            char c = peek();
            if (c == '[' || c == '{') {
                pos++;
                if (stack.size() >= MAX_DEPTH) {
                    throw new NotJson();
                }
                stack.add(new ArrayList<>());
                isArray.add(c == '[');
                skipBlanks();
                char close = c == '[' ? ']' : '}';
                if (peek() == close) {
                    pos++;
                    scalar = popContainer(stack, isArray);
                } else {
                    if (c == '{') {
                        objectKey();
                    }
                    continue;
                }
            } else {
                scalar = scalar();
            }
            // attach the completed value and close containers as far as possible
            while (true) {
                if (stack.isEmpty()) {
                    result = scalar;
                    haveResult = true;
                    break;
                }
                int top = stack.size() - 1;
                if (isArray.get(top)) {
                    stack.get(top).add(scalar);
                    if (top == 0) {
                        elementStarts.add(elementStart);
                    }
                }
                skipBlanks();
                char next = peek();
                if (next == ',') {
                    pos++;
                    skipBlanks();
                    if (!isArray.get(top)) {
                        objectKey();
                    }
                    break;
                }
                char close = isArray.get(top) ? ']' : '}';
                if (next != close) {
                    throw new NotJson();
                }
                pos++;
                scalar = popContainer(stack, isArray);
            }
            if (haveResult) {
                return result;
            }
        }
    }

    private static Object popContainer(List<List<Object>> stack, List<Boolean> isArray) {
        int top = stack.size() - 1;
        List<Object> values = stack.remove(top);
        boolean array = isArray.remove(top);
        // objects only matter as "not a string"; their content is validated but not kept
        return array ? values : new Object();
    }

    private void objectKey() throws NotJson {
        if (peek() != '"') {
            throw new NotJson();
        }
        string();
        skipBlanks();
        if (peek() != ':') {
            throw new NotJson();
        }
        pos++;
        skipBlanks();
    }

    private Object scalar() throws NotJson {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            number();
            return Boolean.FALSE;
        }
        for (String literal : new String[] {"true", "false", "null"}) {
            if (text.startsWith(literal, pos)) {
                pos += literal.length();
                return Boolean.FALSE;
            }
        }
        throw new NotJson();
    }

    private void number() throws NotJson {
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            throw new NotJson();
        }
        if (peek() == '.') {
            pos++;
            requireDigit();
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            requireDigit();
            digits();
        }
    }

    private void requireDigit() throws NotJson {
        if (peek() < '0' || peek() > '9') {
            throw new NotJson();
        }
    }

    private void digits() {
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
    }

    private String string() throws NotJson {
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new NotJson();
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw new NotJson();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw new NotJson();
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.appendCodePoint(unicodeEscape());
                default -> throw new NotJson();
            }
        }
    }

    /** Go pairs surrogates written as two escapes and replaces a lone one with U+FFFD. */
    private int unicodeEscape() throws NotJson {
        int first = hex4();
        if (!Character.isSurrogate((char) first)) {
            return first;
        }
        if (Character.isHighSurrogate((char) first) && text.startsWith("\\u", pos)) {
            int save = pos;
            pos += 2;
            int second = hex4();
            if (Character.isLowSurrogate((char) second)) {
                return Character.toCodePoint((char) first, (char) second);
            }
            pos = save;
        }
        return 0xFFFD;
    }

    private int hex4() throws NotJson {
        if (pos + 4 > text.length()) {
            throw new NotJson();
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos++), 16);
            if (d < 0 || text.charAt(pos - 1) > 'f') {
                throw new NotJson();
            }
            value = value * 16 + d;
        }
        return value;
    }

    private void skipBlanks() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }
}
