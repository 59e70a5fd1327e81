package dev.jbuild.dockerfile;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An amount of memory as docker reads it (go-units v0.5.0 {@code RAMInBytes}, which BuildKit uses for
 * {@code RUN --mount=type=tmpfs,size=} and the CLI for {@code --shm-size}): a number, then optionally one
 * space and a unit {@code b}, or {@code k}, {@code m}, {@code g}, {@code t}, {@code p} followed by nothing,
 * {@code b} or {@code ib}, in any case and all in powers of 1024 ({@code 64m}, {@code 1.5GiB}, {@code 512kb}).
 * The number is a Go float ({@code 1e3}, {@code .5}, {@code +5}); a fraction of a byte is dropped. It lives
 * here, the lowest package that reads one, so the CLI and the Dockerfile read sizes the same way.
 */
public final class MemorySize {

    /** Go's {@code strconv.ParseFloat} for decimal text (hexadecimal floats and "Inf" never reach it here). */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private MemorySize() {}

    /** The size in bytes; IllegalArgumentException saying what is wrong with {@code text}. */
    public static long parse(String text) {
        // go-units splits after the last digit, dot or space: a space there separates the unit.
        int sep = -1;
        for (int i = text.length() - 1; i >= 0 && sep < 0; i--) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' || c == '.' || c == ' ') {
                sep = i;
            }
        }
        if (sep < 0) {
            throw malformed();
        }
        String number = text.charAt(sep) == ' ' ? text.substring(0, sep) : text.substring(0, sep + 1);
        String suffix = text.substring(sep + 1).toLowerCase(Locale.ROOT);
        if (!NUMBER.matcher(number).matches()) {
            throw malformed();
        }
        BigDecimal value = new BigDecimal(number.startsWith("+") ? number.substring(1) : number);
        if (value.signum() < 0) {
            throw malformed();
        }
        int power = 0;
        if (!suffix.isEmpty() && !suffix.equals("b")) {
            power = "kmgtp".indexOf(suffix.charAt(0)) + 1;
            boolean tail = suffix.length() == 1 || suffix.length() == 2 && suffix.charAt(1) == 'b'
                    || suffix.length() == 3 && suffix.endsWith("ib");
            if (power == 0 || !tail) {
                throw malformed();
            }
        }
        BigDecimal bytes = value.multiply(BigDecimal.valueOf(1024).pow(power));
        if (bytes.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("too large");
        }
        return bytes.longValue(); // a fraction of a byte is dropped, as go-units truncates
    }

    private static IllegalArgumentException malformed() {
        return new IllegalArgumentException("want bytes, or a number with b, k, m, g, t or p (e.g. 64m, 1g)");
    }
}
