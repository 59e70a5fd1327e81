package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A terminal for tests: applies what a program writes (printable characters, CR, LF, and the ANSI
 * sequences the tty view uses: cursor up {@code ESC[nA}, erase to end of screen {@code ESC[J}, erase
 * line {@code ESC[K}) to a screen of lines, which scrolls without limit. Writing past the last column
 * wraps, as a real terminal does, so a line that is too wide shows up as an extra screen line.
 * Anything else (another escape sequence, a control character) fails the test: the view must not send it.
 */
final class FakeTerminal {

    private final int columns;
    private final List<StringBuilder> lines = new ArrayList<>(List.of(new StringBuilder()));
    private int row;
    private int column;
    /** Columns at which text was written right after a cursor movement to column 0 or not: see {@link #startsOfWrites}. */
    private final List<String> starts = new ArrayList<>();
    private boolean pendingStart = true;

    FakeTerminal(int columns) {
        this.columns = columns;
    }

    void write(String output) {
        int i = 0;
        while (i < output.length()) {
            char c = output.charAt(i);
            if (c == '\u001b') {
                if (i + 1 >= output.length() || output.charAt(i + 1) != '[') {
                    throw new AssertionError("unexpected escape at " + i + " of " + printable(output));
                }
                int j = i + 2;
                while (j < output.length() && (Character.isDigit(output.charAt(j)) || output.charAt(j) == ';')) {
                    j++;
                }
                String argument = output.substring(i + 2, j);
                char command = output.charAt(j);
                int n = argument.isEmpty() ? 1 : Integer.parseInt(argument);
                switch (command) {
                    case 'A' -> row = Math.max(0, row - n);
                    case 'J' -> {
                        lines.get(row).setLength(Math.min(column, lines.get(row).length()));
                        while (lines.size() > row + 1) {
                            lines.remove(lines.size() - 1);
                        }
                    }
                    case 'K' -> lines.get(row).setLength(Math.min(column, lines.get(row).length()));
                    default -> throw new AssertionError("unexpected sequence ESC[" + argument + command);
                }
                i = j + 1;
                continue;
            }
            if (c == '\r') {
                column = 0;
            } else if (c == '\n') {
                newLine();
            } else if (c < ' ' || c == 0x7f) {
                throw new AssertionError("control character " + (int) c + " in " + printable(output));
            } else {
                if (column >= columns) {
                    newLine(); // auto-wrap
                }
                if (column == 0) {
                    starts.add(String.valueOf(c));
                }
                StringBuilder line = lines.get(row);
                while (line.length() < column) {
                    line.append(' ');
                }
                if (column < line.length()) {
                    line.setCharAt(column, c);
                } else {
                    line.append(c);
                }
                column++;
            }
            i++;
        }
    }

    private void newLine() {
        row++;
        column = 0;
        if (row == lines.size()) {
            lines.add(new StringBuilder());
        }
    }

    /** The screen: every line, trailing spaces removed, the empty line the cursor may sit on left out. */
    List<String> screen() {
        List<String> out = new ArrayList<>();
        for (StringBuilder line : lines) {
            out.add(line.toString().stripTrailing());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    int cursorColumn() {
        return column;
    }

    static String printable(String s) {
        return s.replace("\u001b", "<ESC>").replace("\r", "<CR>").replace("\n", "<LF>\n");
    }
}
