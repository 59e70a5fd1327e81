package dev.jbuild.dockerfile;

import java.util.List;
import java.util.Objects;

/**
 * Where the parts of one {@link Node} were written: its keyword, each flag and each argument, as
 * offsets into the instruction's joined text ({@link Node#original()}), and the map from there to
 * lines and columns of the file. Errors found after parsing (by the planner, by the build) use it
 * to point at the flag or the word they are about.
 */
public final class SourcePositions {

    private final LineMap map;
    private final String text;
    private final int keyword;
    private final List<Integer> flags;
    private final List<String> rawFlags;
    private final List<String> resolvedFlags;
    private final List<Integer> args;
    private final boolean rawArgs;

    /**
     * @param text     the joined text the offsets are in
     * @param rawFlags each flag exactly as written (quotes and escapes still in it)
     * @param resolvedFlags each flag as {@link Node#flags()} has it
     * @param args     the offset of each argument; -1 where an argument has no place of its own
     * @param rawArgs  whether the arguments are the written text (shell form), so that an offset in
     *                 an argument is one in {@code text}; not so for JSON-decoded ones
     */
    SourcePositions(LineMap map, String text, int keyword, List<Integer> flags, List<String> rawFlags,
            List<String> resolvedFlags, List<Integer> args, boolean rawArgs) {
        this.map = map;
        this.text = text;
        this.keyword = keyword;
        this.flags = List.copyOf(flags);
        this.rawFlags = List.copyOf(rawFlags);
        this.resolvedFlags = List.copyOf(resolvedFlags);
        this.args = List.copyOf(args);
        this.rawArgs = rawArgs;
    }

    /** The caret at an offset of the joined text; null for a negative one. */
    Caret at(int offset) {
        return map.at(offset);
    }

    int keywordOffset() {
        return keyword;
    }

    /** The offset of flag {@code index} (as in {@link Node#flags()}), or -1. */
    int flagOffset(int index) {
        return index >= 0 && index < flags.size() ? flags.get(index) : -1;
    }

    /** The offset of argument {@code index} (as in {@link Node#args()}), or -1. */
    int argOffset(int index) {
        return index >= 0 && index < args.size() ? args.get(index) : -1;
    }

    public Caret keyword() {
        return map.at(keyword);
    }

    /** The argument {@code index} of {@link Node#args()}; null when there is none. */
    public Caret arg(int index) {
        return map.at(argOffset(index));
    }

    /**
     * The character {@code offset} of argument {@code index}; the argument's start when the argument
     * is not the written text (JSON form) or the offset is outside it.
     */
    public Caret inArg(int index, int offset) {
        int start = argOffset(index);
        if (start < 0 || !rawArgs || offset < 0) {
            return map.at(start);
        }
        return map.at(Math.min(start + offset, text.length()));
    }

    /**
     * The {@code occurrence}-th (0-based) flag {@code --name}, with or without a value; null when the
     * instruction has no such flag.
     */
    public Caret flag(String name, int occurrence) {
        return map.at(flagOffset(flagIndex(name, occurrence)));
    }

    /**
     * The character {@code offset} of the value of the {@code occurrence}-th flag {@code --name};
     * the flag's start when its value was written with quotes or escapes (the value is not the
     * written text then) or the offset is outside it.
     */
    public Caret inFlagValue(String name, int occurrence, int offset) {
        int index = flagIndex(name, occurrence);
        int start = flagOffset(index);
        if (start < 0) {
            return null;
        }
        String resolved = resolvedFlags.get(index);
        String prefix = "--" + name + "=";
        if (offset < 0 || !resolved.equals(rawFlags.get(index)) || !resolved.startsWith(prefix)
                || offset > resolved.length() - prefix.length()) {
            return map.at(start);
        }
        return map.at(start + prefix.length() + offset);
    }

    /** The offset of the {@code occurrence}-th (0-based) flag {@code --name}, or -1. */
    int flagOffset(String name, int occurrence) {
        return flagOffset(flagIndex(name, occurrence));
    }

    /** The index in {@link Node#flags()} of the {@code occurrence}-th {@code --name}, or -1. */
    private int flagIndex(String name, int occurrence) {
        int seen = 0;
        for (int i = 0; i < resolvedFlags.size(); i++) {
            String flag = resolvedFlags.get(i);
            if (flag.equals("--" + name) || flag.startsWith("--" + name + "=")) {
                if (seen++ == occurrence) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The character {@code offset} of {@code word} where the word is written in the instruction
     * (its first occurrence after the keyword); null when the instruction's text does not hold it
     * as written, such as a word that came from JSON or from a heredoc body.
     */
    Caret inText(String word, int offset) {
        if (word == null || word.isEmpty()) {
            return null;
        }
        // after the keyword: from the first flag, or the first argument (ENV's key E is not the E of ENV)
        int from = !flags.isEmpty() ? flags.get(0) : args.stream().filter(o -> o >= 0).findFirst().orElse(keyword);
        int at = text.indexOf(word, from);
        if (at < 0) {
            return null;
        }
        return map.at(at + Math.max(0, Math.min(offset, word.length())));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourcePositions other && map.equals(other.map) && text.equals(other.text)
                && keyword == other.keyword && flags.equals(other.flags) && rawFlags.equals(other.rawFlags)
                && resolvedFlags.equals(other.resolvedFlags)
                && args.equals(other.args) && rawArgs == other.rawArgs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(map, text, keyword, flags, args);
    }
}
