package dev.jbuild.cli;

import java.io.PrintWriter;
import java.util.List;

/** The CLI's tables ({@code images}, {@code history}): each column as wide as its widest cell, three spaces apart, as docker prints them. */
final class TextTable {

    private TextTable() {}

    /** Prints {@code rows} (the header first), the last column unpadded. */
    static void print(List<List<String>> rows, PrintWriter out) {
        if (rows.isEmpty()) {
            return;
        }
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 3));
                }
            }
            out.println(line);
        }
    }
}
