package dev.jbuild.layer;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The POSIX PAX extended header of a tar member ({@code 'x'}), for {@link TarReader}: its records as raw
 * bytes, their numbers and times, and the GNU sparse maps that PAX formats 0.0, 0.1 and 1.0 carry.
 */
final class PaxRecords {
    private PaxRecords() {
    }

    /**
     * PAX sparse files: 0.0 and 0.1 carry the map in {@code GNU.sparse.map} (0.0's repeated offset and
     * numbytes records are joined into it by {@link #decode}), 1.0 ({@code GNU.sparse.major=1}) at the
     * start of the data. Null for a member that is not sparse; unknown versions are refused, not guessed.
     */
    static SparseMap sparseMap(String name, Map<String, byte[]> pax, InputStream data) throws IOException {
        String major = text(pax, "GNU.sparse.major");
        String minor = text(pax, "GNU.sparse.minor");
        String map = text(pax, "GNU.sparse.map");
        boolean dataMap;
        if ("1".equals(major) && "0".equals(minor)) {
            dataMap = true;
        } else if (major != null || minor != null) {
            if (!"0".equals(major) || !("0".equals(minor) || "1".equals(minor))) {
                throw new LayerException("unsupported tar member: sparse format " + major + "." + minor + " for "
                        + name);
            }
            dataMap = false;
        } else if (map != null) {
            dataMap = false;
        } else {
            if (pax.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
                throw new LayerException("corrupt tar: sparse records without a map for " + name);
            }
            return null;
        }
        String size = text(pax, "GNU.sparse.size");
        if (size == null) {
            size = text(pax, "GNU.sparse.realsize");
        }
        if (size == null) {
            throw new LayerException("corrupt tar: sparse file " + name + " without its size");
        }
        long realSize = number("GNU.sparse.size", size);
        if (dataMap) {
            return SparseMap.fromDataMap(name, data, realSize, TarReader.MAX_METADATA);
        }
        if (map == null) {
            throw new LayerException("corrupt tar: sparse records without a map for " + name);
        }
        SparseMap m = SparseMap.fromPaxMap(name, map, realSize);
        String blocks = text(pax, "GNU.sparse.numblocks");
        if (blocks != null && number("GNU.sparse.numblocks", blocks) != m.offsets().length) {
            throw new LayerException("corrupt tar: GNU.sparse.numblocks does not match the map of " + name);
        }
        return m;
    }

    private static String text(Map<String, byte[]> pax, String key) {
        byte[] v = pax.get(key);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** PAX records: "len key=value\n", len in bytes including itself; values stay raw bytes. */
    static Map<String, byte[]> decode(byte[] data) throws LayerException {
        Map<String, byte[]> out = new TreeMap<>();
        StringBuilder sparseMap = new StringBuilder(); // "offset,length;offset,length;" from format 0.0
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break; // some writers pad with NULs
            }
            int space = pos;
            long len = 0;
            while (space < data.length && data[space] != ' ') {
                int d = data[space] - '0';
                if (d < 0 || d > 9 || len > data.length) {
                    throw new LayerException("corrupt tar: bad PAX record length");
                }
                len = len * 10 + d;
                space++;
            }
            if (space >= data.length || len <= space - pos || pos + len > data.length
                    || data[(int) (pos + len - 1)] != '\n') {
                throw new LayerException("corrupt tar: malformed PAX record");
            }
            int end = (int) (pos + len - 1);
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new LayerException("corrupt tar: PAX record without '='");
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, eq + 1, end);
            if (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes")) {
                // Sparse format 0.0 repeats these two keys, alternating, once per fragment (not valid PAX,
                // where a later record replaces an earlier one): joined into 0.1's GNU.sparse.map.
                boolean offsetExpected = sparseMap.isEmpty() || sparseMap.charAt(sparseMap.length() - 1) == ';';
                String v = new String(value, StandardCharsets.US_ASCII);
                if (offsetExpected != key.equals("GNU.sparse.offset") || v.contains(",") || v.contains(";")) {
                    throw new LayerException("corrupt tar: GNU.sparse.offset and numbytes records out of order");
                }
                sparseMap.append(v).append(offsetExpected ? ',' : ';');
                pos = end + 1;
                continue;
            }
            if (value.length == 0) {
                out.remove(key); // an empty value unsets the key
            } else {
                out.put(key, value);
            }
            pos = end + 1;
        }
        if (sparseMap.length() > 0) {
            if (sparseMap.charAt(sparseMap.length() - 1) != ';') {
                throw new LayerException("corrupt tar: GNU.sparse.offset without its numbytes");
            }
            String joined = sparseMap.substring(0, sparseMap.length() - 1).replace(';', ',');
            out.put("GNU.sparse.map", joined.getBytes(StandardCharsets.US_ASCII));
        }
        return out;
    }

    static long number(String key, String text) throws LayerException {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new LayerException("corrupt tar: PAX " + key + " is not a number: " + text);
        }
    }

    static Instant time(String text) throws LayerException {
        try {
            BigDecimal seconds = new BigDecimal(text.trim());
            long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9)
                    .setScale(0, RoundingMode.FLOOR).longValueExact();
            return Instant.ofEpochSecond(whole, nanos);
        } catch (ArithmeticException | NumberFormatException | DateTimeException e) {
            throw new LayerException("corrupt tar: PAX mtime out of range: " + text);
        }
    }
}
