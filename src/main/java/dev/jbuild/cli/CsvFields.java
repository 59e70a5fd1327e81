package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a buildx flag value ({@code type=image,"name=a,b",push=true}) into its comma-separated
 * fields as buildx does (a CSV record): a field that starts with a double quote runs to the
 * closing quote, commas included, and {@code ""} inside it is one quote; quotes elsewhere are
 * literal.
 */
final class CsvFields {

    private CsvFields() {}

    static List<String> split(String value) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (true) {
            if (i < value.length() && value.charAt(i) == '"') {
                i++;
                while (i < value.length()) {
                    char c = value.charAt(i++);
                    if (c != '"') {
                        field.append(c);
                    } else if (i < value.length() && value.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
            }
            while (i < value.length() && value.charAt(i) != ',') {
                field.append(value.charAt(i++));
            }
            fields.add(field.toString());
            field.setLength(0);
            if (i >= value.length()) {
                return fields;
            }
            i++; // the comma
        }
    }
}
