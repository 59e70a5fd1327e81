package dev.jbuild.api;

import dev.jbuild.dockerfile.GoCsv;
import java.util.List;

/**
 * The comma-separated fields of a buildx flag value ({@code type=image,"name=a,b",push=true}) by the one
 * splitter, {@link GoCsv} (Go's {@code encoding/csv}, as buildx reads them): a quoted field keeps its commas
 * and {@code ""} is one quote in it; a quote anywhere else is refused, as buildx refuses it. Each option
 * keeps its own keys, records and checks; this only turns Go's error into a usage error naming the flag.
 */
final class CsvFields {

    private CsvFields() {}

    static List<String> split(String flag, String value) {
        if (value.isEmpty()) {
            return List.of(""); // one empty field, which each option refuses in its own words
        }
        try {
            return GoCsv.fields(value);
        } catch (GoCsv.ParseException e) {
            throw Problem.invalid("invalid " + flag + " " + value + ": " + e.getMessage());
        }
    }
}
