package dev.jbuild.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme such as
 * {@code Bearer} and its parameters ({@code realm}, {@code service}, {@code scope}, {@code error}).
 * Scheme and parameter names are case-insensitive and kept in lower case.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    String param(String name) {
        return params.get(name);
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    /** All challenges of all the header values, in order; malformed parts are skipped. */
    static List<AuthChallenge> parseAll(List<String> headerValues) {
        List<AuthChallenge> all = new ArrayList<>();
        for (String value : headerValues) {
            all.addAll(parse(value));
        }
        return all;
    }

    /** The challenges of one header value. */
    static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> result = new ArrayList<>();
        Lexer lx = new Lexer(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            lx.skipSpaceAndCommas();
            if (lx.atEnd()) {
                break;
            }
            String token = lx.token();
            if (token.isEmpty()) {
                lx.pos++; // stray character: skip it
                continue;
            }
            lx.skipSpace();
            if (scheme != null && lx.peek() == '=' && lx.isToken68Padding()) {
                while (lx.peek() == '=') {
                    lx.pos++; // a token68 credential value: nothing registries use
                }
            } else if (scheme != null && lx.peek() == '=') {
                lx.pos++;
                lx.skipSpace();
                String value = lx.peek() == '"' ? lx.quoted() : lx.token();
                params.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) {
                    result.add(new AuthChallenge(scheme, params));
                }
                scheme = token;
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            result.add(new AuthChallenge(scheme, params));
        }
        return result;
    }

    private static final class Lexer {
        private final String s;
        private int pos;

        Lexer(String s) {
            this.s = s == null ? "" : s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            return atEnd() ? 0 : s.charAt(pos);
        }

        // token68 values (Basic's base64) end in '='; "abc==" is not a parameter named abc.
        boolean isToken68Padding() {
            int p = pos;
            while (p < s.length() && s.charAt(p) == '=') {
                p++;
            }
            int equalsSigns = p - pos;
            while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
                p++;
            }
            return equalsSigns > 1 || p >= s.length() || s.charAt(p) == ',';
        }

        void skipSpace() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
                pos++;
            }
        }

        void skipSpaceAndCommas() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == ',')) {
                pos++;
            }
        }

        String token() {
            int start = pos;
            while (!atEnd() && isTokenChar(peek())) {
                pos++;
            }
            return s.substring(start, pos);
        }

        String quoted() {
            StringBuilder out = new StringBuilder();
            pos++; // opening quote
            while (!atEnd()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\' && !atEnd()) {
                    c = s.charAt(pos++);
                }
                out.append(c);
            }
            return out.toString();
        }

        private static boolean isTokenChar(char c) {
            return c > ' ' && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0
                    || c == '/' || c == ':' // lenient: realms in unquoted values
                    ;
        }
    }
}
