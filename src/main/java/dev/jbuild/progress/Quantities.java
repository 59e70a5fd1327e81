package dev.jbuild.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as users write them to docker: {@code 10GB}, {@code 512MiB}, {@code 24h},
 * {@code 1h30m}, read by {@code jbuild prune} and the automatic collection's settings; and the one way
 * every command prints a size ({@link #bytes}) or an age ({@link #ago}). Memory sizes as docker reads
 * them ({@code --shm-size}) are {@link dev.jbuild.dockerfile.MemorySize}'s.
 */
public final class Quantities {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
    private static final Pattern DURATION = Pattern.compile("((\\d+)d)?((\\d+)h)?((\\d+)m)?((\\d+)s)?");

    private Quantities() {}

    /** Bytes, or a number with kB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (1024). */
    public static long size(String text) {
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

    /**
     * {@code JBUILD_MIN_TRANSFER_RATE}'s value ({@code 16KiB}, {@code 1MB/s}, {@code 500}: a size per second, as the
     * variable is documented); a bad one is an {@link IllegalArgumentException} whose message names the variable.
     */
    public static long minTransferRate(String value) {
        String size = value.trim().replaceFirst("(?i)/s$", "");
        try {
            long rate = size(size);
            if (rate < 1) {
                throw new IllegalArgumentException("it must be at least 1 byte per second");
            }
            return rate;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid JBUILD_MIN_TRANSFER_RATE=" + value + ": " + e.getMessage()
                    + " (a size per second, e.g. 16KiB or 1MB/s)", e);
        }
    }

    /** Days, hours, minutes and seconds in that order, each optional: {@code 7d}, {@code 1h30m}, {@code 90s}. */
    public static Duration duration(String text) {
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

    /**
     * A size for people, in powers of 1000 as docker prints them (go-units' HumanSize), with one
     * decimal below 100 of a unit: {@code 312 B}, {@code 4.1 kB}, {@code 1.2 MB}, {@code 157 MB}.
     */
    public static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double value = bytes;
        int unit = -1;
        // Round first, so that 999,950 B is "1.0 MB" rather than "1000.0 kB".
        while (unit < units.length - 1 && (unit < 0 || Math.round(value * 10) / 10.0 >= 1000)) {
            value /= 1000;
            unit++;
        }
        return value < 99.95
                ? String.format(Locale.ROOT, "%.1f %s", value, units[unit])
                : String.format(Locale.ROOT, "%.0f %s", value, units[unit]);
    }

    /** Bytes per second over {@code elapsed} (at least a millisecond): {@code 48.2 MB/s}. */
    public static String rate(long bytes, Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos() / 1e9, 0.001);
        return bytes((long) (bytes / seconds)) + "/s";
    }

    /**
     * How long ago {@code then} was, in docker's words (go-units' HumanDuration with " ago", as
     * {@code docker images} prints CREATED): {@code Less than a second ago}, {@code 5 seconds ago},
     * {@code About a minute ago}, {@code 3 minutes ago}, {@code About an hour ago}, {@code 2 hours ago},
     * {@code 3 days ago}, {@code 2 weeks ago}, {@code 5 months ago}, {@code 2 years ago}.
     */
    public static String ago(Instant then, Instant now) {
        Duration d = Duration.between(then, now);
        if (d.isNegative()) {
            d = Duration.ZERO; // a clock behind the image's: as docker, count it as just made
        }
        return humanDuration(d) + " ago";
    }

    /** go-units' HumanDuration: the same thresholds and wording. */
    public static String humanDuration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toSeconds() / 3600.0); // go-units rounds to the nearest hour
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years"; // go-units: whole hours here, not rounded ones
    }
}
