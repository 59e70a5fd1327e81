package dev.jbuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a logical line into keyword, leading {@code --flags} and the rest, the way BuildKit's
 * {@code splitCommand} does. Flags are only recognised directly after the keyword; a bare
 * {@code --} ends them. Quotes and backslash escapes inside a flag are resolved (always with
 * backslash, whatever the escape directive says), so {@code --from="a b"} becomes {@code --from=a b}.
 */
final class CommandSplitter {

    /**
     * @param keyword the instruction word as written (case kept)
     * @param flags   the flags, quotes resolved
     * @param rest    everything after the flags, trimmed
     * @param keywordOffset where the keyword starts in the line
     * @param flagOffsets   where each flag starts in the line
     * @param rawFlags      each flag as written
     * @param restOffset    where {@code rest} starts in the line
     */
    record Split(String keyword, List<String> flags, String rest, int keywordOffset, List<Integer> flagOffsets,
                 List<String> rawFlags, int restOffset) {}

    private CommandSplitter() {}

    static Split split(String line) {
        String trimmed = GoText.trimSpace(line);
        int lead = line.length() - GoText.trimLeftSpace(line).length();
        List<String> head = GoText.splitTokenBlanks(trimmed, 2);
        String keyword = head.get(0);
        if (head.size() < 2) {
            return new Split(keyword, List.of(), "", lead, List.of(), List.of(), lead + trimmed.length());
        }
        // the second part is the rest of the trimmed line after the keyword's blanks
        int base = lead + trimmed.length() - head.get(1).length();
        List<String> flags = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        String rest = extractFlags(head.get(1), flags, starts, ends);
        List<Integer> flagOffsets = new ArrayList<>();
        List<String> rawFlags = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            flagOffsets.add(base + starts.get(i));
            rawFlags.add(head.get(1).substring(starts.get(i), ends.get(i)));
        }
        int restOffset = base + head.get(1).length() - GoText.trimLeftSpace(rest).length();
        return new Split(keyword, flags, GoText.trimSpace(rest), lead, flagOffsets, rawFlags, restOffset);
    }

    private enum Phase { SPACES, WORD, QUOTE }

    /** Fills {@code flags} and each one's start and end in {@code line}; returns the text after them. */
    private static String extractFlags(String line, List<String> flags, List<Integer> starts, List<Integer> ends) {
        Phase phase = Phase.SPACES;
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean blankOk = false;
        int start = 0;
        int n = line.length();
        for (int pos = 0; pos <= n; pos++) {
            char ch = pos < n ? line.charAt(pos) : 0;
            if (phase == Phase.SPACES) {
                if (pos == n) {
                    break;
                }
                if (GoText.isSpace(ch)) {
                    continue;
                }
                if (ch != '-' || pos + 1 == n || line.charAt(pos + 1) != '-') {
                    return line.substring(pos);
                }
                phase = Phase.WORD;
                start = pos;
            }
            if (pos == n) {
                if (!word.toString().equals("--") && (blankOk || word.length() > 0)) {
                    flags.add(word.toString());
                    starts.add(start);
                    ends.add(n);
                }
                break;
            }
            if (phase == Phase.WORD) {
                if (GoText.isSpace(ch)) {
                    phase = Phase.SPACES;
                    if (word.toString().equals("--")) {
                        return line.substring(pos);
                    }
                    if (blankOk || word.length() > 0) {
                        flags.add(word.toString());
                        starts.add(start);
                        ends.add(pos);
                    }
                    word.setLength(0);
                    blankOk = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.QUOTE;
                    continue;
                }
                if (ch == '\\') {
                    if (pos + 1 == n) {
                        continue;
                    }
                    ch = line.charAt(++pos);
                }
                word.append(ch);
                continue;
            }
            // inside quotes
            if (ch == quote) {
                phase = Phase.WORD;
                continue;
            }
            if (ch == '\\') {
                if (pos + 1 == n) {
                    phase = Phase.WORD;
                    continue;
                }
                ch = line.charAt(++pos);
            }
            word.append(ch);
        }
        return "";
    }
}
