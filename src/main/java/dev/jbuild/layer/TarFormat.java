package dev.jbuild.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes tar members the deterministic way: ustar headers with numeric ids and empty uname/gname, and a
 * PAX extended header before a member only when something does not fit ustar (names or link targets over
 * 100 bytes or not ASCII, ids over 07777777, sizes or times beyond 11 octal digits, xattrs). PAX records
 * are written here by hand, sorted by key, because values such as {@code security.capability} are
 * arbitrary bytes and must not pass through a String.
 */
final class TarFormat {
    static final int BLOCK = 512;
    static final String XATTR_PREFIX = "SCHILY.xattr.";

    private static final int NAME_LEN = 100;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;
    private static final byte[] ZERO_BLOCK = new byte[BLOCK];

    private TarFormat() {
    }

    /** Writes the header (and a PAX header before it when needed); the caller writes content and padding. */
    static void writeHeader(OutputStream out, TarHeader h) throws IOException {
        // Names are written byte for byte (RawNames), as Go's archive/tar does: PAX does not require UTF-8.
        byte[] name = RawNames.encode(h.name());
        byte[] link = RawNames.encode(h.linkName());
        long mtime = h.mtime().getEpochSecond();
        Map<String, byte[]> pax = new TreeMap<>();
        if (name.length > NAME_LEN || !isAscii(h.name())) {
            pax.put("path", name);
        }
        if (link.length > NAME_LEN || !isAscii(h.linkName())) {
            pax.put("linkpath", link);
        }
        if (h.uid() > MAX_OCTAL_7) {
            pax.put("uid", utf8(Long.toString(h.uid())));
        }
        if (h.gid() > MAX_OCTAL_7) {
            pax.put("gid", utf8(Long.toString(h.gid())));
        }
        if (h.size() > MAX_OCTAL_11) {
            pax.put("size", utf8(Long.toString(h.size())));
        }
        if (mtime < 0 || mtime > MAX_OCTAL_11) {
            pax.put("mtime", utf8(Long.toString(mtime)));
        }
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            pax.put(XATTR_PREFIX + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            byte[] records = encodePax(pax);
            // A fixed name, like Go's archive/tar, rather than GNU tar's pid-based one: determinism.
            String paxName = truncate("PaxHeaders.0/" + LayerPaths.baseName(stripSlash(h.name())));
            byte[] block = ustar(paxName, TarHeader.PAX_HEADER, 0644, 0, 0, records.length, 0, "", 0, 0);
            out.write(block);
            out.write(records);
            pad(out, records.length);
        }
        out.write(ustar(truncate(h.name()), h.type(), h.mode(), clamp(h.uid(), MAX_OCTAL_7),
                clamp(h.gid(), MAX_OCTAL_7), clamp(h.size(), MAX_OCTAL_11),
                mtime < 0 ? 0 : clamp(mtime, MAX_OCTAL_11), truncate(h.linkName()), h.devMajor(), h.devMinor()));
    }

    static void pad(OutputStream out, long contentLength) throws IOException {
        int rest = (int) (contentLength % BLOCK);
        if (rest != 0) {
            out.write(ZERO_BLOCK, 0, BLOCK - rest);
        }
    }

    /** Two zero blocks end the archive. No padding to a 10 KiB record, like Go's writer. */
    static void writeEnd(OutputStream out) throws IOException {
        out.write(ZERO_BLOCK);
        out.write(ZERO_BLOCK);
    }

    /** "len key=value\n" records, len counting its own digits. */
    static byte[] encodePax(Map<String, byte[]> records) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = utf8(r.getKey());
            int rest = 1 + key.length + 1 + r.getValue().length + 1; // ' ' key '=' value '\n'
            int len = rest + Integer.toString(rest).length();
            if (Integer.toString(len).length() != Integer.toString(rest).length()) {
                len = rest + Integer.toString(len).length();
            }
            buf.writeBytes(utf8(Integer.toString(len)));
            buf.write(' ');
            buf.writeBytes(key);
            buf.write('=');
            buf.writeBytes(r.getValue());
            buf.write('\n');
        }
        return buf.toByteArray();
    }

    static boolean isZeroBlock(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ustar(String name, byte type, int mode, long uid, long gid, long size, long mtime,
            String linkName, int devMajor, int devMinor) {
        byte[] b = new byte[BLOCK];
        putString(b, 0, 100, name);
        putOctal(b, 100, 8, mode);
        putOctal(b, 108, 8, uid);
        putOctal(b, 116, 8, gid);
        putOctal(b, 124, 12, size);
        putOctal(b, 136, 12, mtime);
        b[156] = type;
        putString(b, 157, 100, linkName);
        putString(b, 257, 6, "ustar"); // "ustar\0"
        b[263] = '0';
        b[264] = '0';
        // uname (265) and gname (297) stay empty: numeric ids only.
        putOctal(b, 329, 8, devMajor);
        putOctal(b, 337, 8, devMinor);
        // The prefix field (345) is never used: long names go to PAX, so there is one way to spell a name.
        for (int i = 148; i < 156; i++) {
            b[i] = ' ';
        }
        long sum = 0;
        for (byte x : b) {
            sum += x & 0xff;
        }
        String digits = String.format("%06o", sum);
        putString(b, 148, 6, digits);
        b[154] = 0;
        b[155] = ' ';
        return b;
    }

    private static void putString(byte[] b, int off, int len, String s) {
        byte[] bytes = RawNames.encode(s);
        System.arraycopy(bytes, 0, b, off, Math.min(len, bytes.length));
    }

    /** len-1 zero-padded octal digits and a NUL. */
    private static void putOctal(byte[] b, int off, int len, long value) {
        String digits = Long.toOctalString(value);
        int width = len - 1;
        if (digits.length() > width) {
            throw new IllegalStateException("octal overflow: " + value);
        }
        for (int i = 0; i < width - digits.length(); i++) {
            b[off + i] = '0';
        }
        putString(b, off + width - digits.length(), digits.length(), digits);
        b[off + width] = 0;
    }

    private static long clamp(long value, long max) {
        return value > max ? 0 : value;
    }

    /** At most 100 bytes, cut at a character boundary; the full value is then in a PAX record. */
    private static String truncate(String s) {
        if (RawNames.encode(s).length <= NAME_LEN) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = RawNames.encode(new String(Character.toChars(cp))).length;
            if (bytes + n > NAME_LEN) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static String stripSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
