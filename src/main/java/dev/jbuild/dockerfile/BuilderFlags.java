package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --name=value} flags of one instruction, checked against the flags that instruction
 * declares, with BuildKit's rules: a bool flag may be bare ({@code --link}) or {@code =true}/
 * {@code =false} in any case; a string flag needs {@code =}; only list flags may repeat; a bare
 * {@code --} ends the flags.
 */
final class BuilderFlags {

    private enum Kind { BOOL, STRING, STRINGS }

    /** One declared flag and, after {@link #parse}, its value. */
    static final class Flag {
        private final String name;
        private final Kind kind;
        private String value;
        private final List<String> values = new ArrayList<>();
        private boolean used;
        /** Where the flag was given in the instruction's text (its last time, for a list flag); -1 when not given. */
        private int offset = -1;

        private Flag(String name, Kind kind, String value) {
            this.name = name;
            this.kind = kind;
            this.value = value;
        }

        String name() {
            return name;
        }

        /** The value; the declared default when the flag was not given. */
        String value() {
            return value;
        }

        /** The value, or null when the flag was not given or given empty. */
        String valueOrNull() {
            return value == null || value.isEmpty() ? null : value;
        }

        boolean isTrue() {
            return "true".equals(value);
        }

        List<String> values() {
            return List.copyOf(values);
        }

        boolean used() {
            return used;
        }

        /** Where the flag was written, for an error about its value; -1 when it was not given. */
        int offset() {
            return offset;
        }
    }

    private final List<String> args;
    private final SourcePositions positions;
    private final Map<String, Flag> declared = new LinkedHashMap<>();

    /** @param positions where each of {@code args} was written, for errors that point at one */
    BuilderFlags(List<String> args, SourcePositions positions) {
        this.args = args;
        this.positions = positions;
    }

    Flag addBool(String name, boolean defaultValue) {
        return add(new Flag(name, Kind.BOOL, Boolean.toString(defaultValue)));
    }

    Flag addString(String name, String defaultValue) {
        return add(new Flag(name, Kind.STRING, defaultValue));
    }

    Flag addStrings(String name) {
        return add(new Flag(name, Kind.STRINGS, null));
    }

    private Flag add(Flag flag) {
        declared.put(flag.name, flag);
        return flag;
    }

    void parse() throws SyntaxProblem {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int at = positions == null ? -1 : positions.flagOffset(i);
            if (!arg.startsWith("--")) {
                throw new SyntaxProblem("arg should start with -- : " + arg, at);
            }
            if (arg.equals("--")) {
                return;
            }
            String name = arg.substring(2);
            String value = "";
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag flag = declared.get(name);
            if (flag == null) {
                throw new SyntaxProblem(Suggestions.withSuggestion("unknown flag: " + name, name, declared.keySet(), true), at);
            }
            if (flag.used && flag.kind != Kind.STRINGS) {
                throw new SyntaxProblem("duplicate flag specified: " + name, at);
            }
            flag.used = true;
            flag.offset = at;
            switch (flag.kind) {
                case BOOL -> {
                    if (eq >= 0 && value.isEmpty()) {
                        throw new SyntaxProblem("missing a value on flag: " + name, at);
                    }
                    String lower = value.toLowerCase(Locale.ROOT);
                    if (lower.isEmpty() || lower.equals("true")) {
                        flag.value = "true";
                    } else if (lower.equals("false")) {
                        flag.value = "false";
                    } else {
                        throw new SyntaxProblem("expecting boolean value for flag " + name + ", not: " + value, at);
                    }
                }
                case STRING -> {
                    if (eq < 0) {
                        throw new SyntaxProblem("missing a value on flag: " + name, at);
                    }
                    flag.value = value;
                }
                case STRINGS -> {
                    if (eq < 0) {
                        throw new SyntaxProblem("missing a value on flag: " + name, at);
                    }
                    flag.values.add(value);
                }
            }
        }
    }
}
