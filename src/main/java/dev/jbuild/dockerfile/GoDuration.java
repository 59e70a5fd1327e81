package dev.jbuild.dockerfile;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration}, which defines what HEALTHCHECK accepts: a signed sequence of
 * decimal numbers with units ({@code 1h30m}, {@code 1.5s}, {@code 300ms}); units are ns, us
 * (or µs), ms, s, m, h; a bare {@code 0} needs no unit. Totals beyond Go's int64 range are errors.
 */
final class GoDuration {

    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L,
            "\u03bcs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TEN = BigInteger.TEN;

    private GoDuration() {}

    static Duration parse(String original) throws SyntaxProblem {
        String s = original;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(original);
        }
        BigInteger total = BigInteger.ZERO;
        int i = 0;
        while (i < s.length()) {
            if (!(s.charAt(i) == '.' || isDigit(s.charAt(i)))) {
                throw invalid(original);
            }
            int start = i;
            BigInteger whole = BigInteger.ZERO;
            while (i < s.length() && isDigit(s.charAt(i))) {
                whole = whole.multiply(TEN).add(BigInteger.valueOf(s.charAt(i) - '0'));
                if (whole.compareTo(LIMIT) > 0) {
                    throw invalid(original);
                }
                i++;
            }
            boolean digitsBefore = i != start;
            long fraction = 0;
            double scale = 1;
            boolean digitsAfter = false;
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                int fractionStart = i;
                boolean overflow = false;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    int digit = s.charAt(i) - '0';
                    // like Go, digits past the precision of an int64 are read but ignored
                    if (!overflow && fraction <= (Long.MAX_VALUE - digit) / 10) {
                        fraction = fraction * 10 + digit;
                        scale *= 10;
                    } else {
                        overflow = true;
                    }
                    i++;
                }
                digitsAfter = i != fractionStart;
            }
            if (!digitsBefore && !digitsAfter) {
                throw invalid(original);
            }
            int unitStart = i;
            while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            if (unitStart == i) {
                throw new SyntaxProblem("time: missing unit in duration " + GoText.quote(original));
            }
            String unitName = s.substring(unitStart, i);
            Long unit = UNITS.get(unitName);
            if (unit == null) {
                throw new SyntaxProblem("time: unknown unit " + GoText.quote(unitName) + " in duration "
                        + GoText.quote(original));
            }
            BigInteger value = whole.multiply(BigInteger.valueOf(unit));
            if (value.compareTo(LIMIT) > 0) {
                throw invalid(original);
            }
            if (fraction > 0) {
                value = value.add(BigInteger.valueOf((long) ((double) fraction * (unit / scale))));
                if (value.compareTo(LIMIT) > 0) {
                    throw invalid(original);
                }
            }
            total = total.add(value);
            if (total.compareTo(LIMIT) > 0) {
                throw invalid(original);
            }
        }
        if (negative) {
            return Duration.ofNanos(total.negate().longValueExact());
        }
        if (total.compareTo(LIMIT) >= 0) {
            throw invalid(original);
        }
        return Duration.ofNanos(total.longValueExact());
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static SyntaxProblem invalid(String original) {
        return new SyntaxProblem("time: invalid duration " + GoText.quote(original));
    }
}
