package dev.jbuild.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as users write them to docker: {@code 10GB}, {@code 512MiB}, {@code 24h},
 * {@code 1h30m}. Shared by {@code jbuild prune} and the automatic collection's settings.
 */
final class Quantities {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
    private static final Pattern DURATION = Pattern.compile("((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?");

    private Quantities() {}

    /** Bytes, or a number with kB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (1024). */
    static long size(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size " + text + ": e.g. 10GB, 512MB, 1073741824");
        }
        double value = Double.parseDouble(m.group(1));
        double factor;
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "": case "b": factor = 1; break;
            case "k": case "kb": factor = 1e3; break;
            case "m": case "mb": factor = 1e6; break;
            case "g": case "gb": factor = 1e9; break;
            case "t": case "tb": factor = 1e12; break;
            case "kib": factor = 1024; break;
            case "mib": factor = 1024 * 1024; break;
            case "gib": factor = 1024.0 * 1024 * 1024; break;
            case "tib": factor = 1024.0 * 1024 * 1024 * 1024; break;
            default:
                throw new IllegalArgumentException("invalid size unit in " + text + ": B, kB, MB, GB, TB, KiB, MiB, GiB, TiB");
        }
        return (long) (value * factor);
    }

    /** Days, hours, minutes and seconds in that order, each optional: {@code 7d}, {@code 1h30m}, {@code 90s}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (text.isBlank() || !m.matches()) {
            throw new IllegalArgumentException("invalid duration " + text + ": e.g. 24h, 90m, 7d, 1h30m");
        }
        Duration d = Duration.ZERO;
        if (m.group(2) != null) {
            d = d.plusDays(Long.parseLong(m.group(2)));
        }
        if (m.group(4) != null) {
            d = d.plusHours(Long.parseLong(m.group(4)));
        }
        if (m.group(6) != null) {
            d = d.plusMinutes(Long.parseLong(m.group(6)));
        }
        if (m.group(8) != null) {
            d = d.plusSeconds(Long.parseLong(m.group(8)));
        }
        return d;
    }
}
