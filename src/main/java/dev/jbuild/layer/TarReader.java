package dev.jbuild.layer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads tar members from untrusted input: the one tar reader of jbuild (layers, context tars, {@code ADD}
 * archives). It reads ustar (with its name prefix, and star's shorter one), POSIX PAX (path, linkpath, size,
 * uid, gid, mtime, {@code SCHILY.devmajor}/{@code devminor}, {@code SCHILY.xattr.*} and libarchive's
 * {@code LIBARCHIVE.xattr.*}), GNU long names and link targets ('L'/'K'), GNU sparse files in all four forms
 * (the old GNU header and PAX 0.0, 0.1 and 1.0; content comes out with its holes as zeros, {@link SparseMap}),
 * GNU dump directories ('D', read as directories), base-256 numbers and old v7 headers. Global PAX headers
 * are ignored, as Go's archive/tar (and so Docker and containerd) ignores them. PAX records and their sparse
 * maps are decoded by {@link PaxRecords}.
 *
 * <p>Written here rather than taken from commons-compress because PAX values must stay raw bytes
 * (commons-compress decodes them as UTF-8, which mangles binary xattrs), names are bytes ({@link RawNames}),
 * and every length that comes from the stream is bounded before anything is buffered.
 */
final class TarReader {
    /** Upper bound for buffered metadata (PAX records, GNU long names); real ones are tiny. */
    static final int MAX_METADATA = 1 << 20;

    private final InputStream in;
    private final byte[] block = new byte[TarFormat.BLOCK];
    private long remaining; // content bytes of the current member not yet consumed
    private long padding;   // padding after the current member's content
    private InputStream content = InputStream.nullInputStream();
    private boolean endMarkerSeen;
    private boolean eof;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** True when the archive ended with a zero block rather than just running out of bytes. */
    boolean endMarkerSeen() {
        return endMarkerSeen;
    }

    /** The next member, or null at the end of the archive. */
    TarHeader next() throws IOException {
        skipRest();
        Map<String, byte[]> pax = null;
        String longName = null;
        String longLink = null;
        while (true) {
            if (!readHeaderBlock()) {
                if (pax != null || longName != null || longLink != null) {
                    throw new LayerException("truncated tar: extended header without a member after it");
                }
                return null;
            }
            byte type = block[156];
            long size = number(block, 124, 12, "size");
            if (type == TarHeader.PAX_HEADER || type == TarHeader.PAX_GLOBAL || type == TarHeader.GNU_LONG_NAME
                    || type == TarHeader.GNU_LONG_LINK) {
                byte[] data = readMetadata(size, (char) type);
                switch (type) {
                    case TarHeader.PAX_HEADER -> pax = PaxRecords.decode(data);
                    // Global headers would change every later member; Go's reader ignores them too.
                    case TarHeader.PAX_GLOBAL -> { }
                    case TarHeader.GNU_LONG_NAME -> longName = cString(data);
                    default -> longLink = cString(data);
                }
                continue;
            }
            TarHeader h = parse(type, size, pax, longName, longLink);
            // Link, device, directory and fifo headers carry no data whatever their size field says (as in
            // Go's reader); a GNU dump directory carries its listing, which is skipped.
            long stored = carriesData(type) ? h.size() : 0;
            if (h.type() == TarHeader.DIRECTORY && h.size() != 0) {
                h = new TarHeader(h.name(), h.type(), h.mode(), h.uid(), h.gid(), 0, h.mtime(), h.linkName(),
                        h.devMajor(), h.devMinor(), h.xattrs());
            }
            SparseMap sparse = null;
            if (type == TarHeader.GNU_SPARSE) {
                sparse = oldGnuSparseMap(h.name());
            }
            remaining = stored;
            padding = (TarFormat.BLOCK - stored % TarFormat.BLOCK) % TarFormat.BLOCK;
            InputStream data = stored();
            if (sparse == null && pax != null && carriesData(type)) {
                sparse = PaxRecords.sparseMap(h.name(), pax, data);
            }
            if (sparse != null) {
                String name = pax != null && pax.containsKey("GNU.sparse.name")
                        ? RawNames.decode(pax.get("GNU.sparse.name")) : h.name();
                sparse = sparse.checked(name, remaining);
                h = new TarHeader(name, TarHeader.REGULAR, h.mode(), h.uid(), h.gid(), sparse.realSize(), h.mtime(),
                        "", 0, 0, h.xattrs());
                content = sparse.expand(data);
            } else {
                content = type == TarHeader.GNU_DUMPDIR ? InputStream.nullInputStream() : data;
            }
            return h;
        }
    }

    /** The current member's content; ends after exactly {@code size} bytes, fails if the input ends early. */
    InputStream content() {
        return content;
    }

    private static boolean carriesData(byte type) {
        return type != TarHeader.HARDLINK && type != TarHeader.SYMLINK && type != TarHeader.CHAR_DEVICE
                && type != TarHeader.BLOCK_DEVICE && type != TarHeader.DIRECTORY && type != TarHeader.FIFO;
    }

    /** The current member's stored bytes. */
    private InputStream stored() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new LayerException("truncated tar: input ended inside a member's content ("
                            + remaining + " bytes missing)");
                }
                remaining -= n;
                return n;
            }
        };
    }

    /**
     * The old GNU sparse header ('S'): four fragments in the header block at 386, a flag at 482 saying that
     * extension blocks of 21 fragments follow (each with its own flag at 504), the file's size at 483.
     */
    private SparseMap oldGnuSparseMap(String name) throws IOException {
        long realSize = number(block, 483, 12, "realsize");
        List<long[]> fragments = new ArrayList<>();
        byte[] current = block.clone();
        int entriesAt = 386;
        int entries = SparseMap.HEADER_ENTRIES;
        int extendedAt = 482;
        long extensionBytes = 0;
        while (true) {
            for (int i = 0; i < entries; i++) {
                int at = entriesAt + 24 * i;
                if (current[at] == 0) {
                    break; // GNU and BSD tar end the list at an empty offset field
                }
                fragments.add(new long[] {number(current, at, 12, "sparse offset"),
                        number(current, at + 12, 12, "sparse length")});
            }
            if (current[extendedAt] == 0) {
                break;
            }
            extensionBytes += TarFormat.BLOCK;
            if (extensionBytes > MAX_METADATA) {
                throw new LayerException("tar sparse map of " + name + " exceeds the " + MAX_METADATA + "-byte limit");
            }
            if (readBlock() < TarFormat.BLOCK) {
                throw new LayerException("truncated tar: input ended inside the sparse map of " + name);
            }
            current = block.clone();
            entriesAt = 0;
            entries = SparseMap.EXTENSION_ENTRIES;
            extendedAt = 504;
        }
        long[] offsets = new long[fragments.size()];
        long[] lengths = new long[fragments.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = fragments.get(i)[0];
            lengths[i] = fragments.get(i)[1];
        }
        return new SparseMap(offsets, lengths, realSize);
    }

    private void skipRest() throws IOException {
        skipFully(remaining, "member content");
        remaining = 0;
        skipFully(padding, "padding");
        padding = 0;
    }

    private void skipFully(long n, String what) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new LayerException("truncated tar: input ended inside " + what);
            }
            n -= r;
        }
    }

    /** Reads one header block; false at the end marker or a clean end of input at a block boundary. */
    private boolean readHeaderBlock() throws IOException {
        if (eof || endMarkerSeen) {
            return false;
        }
        int got = readBlock();
        if (got == 0) {
            eof = true; // no end marker; tolerated like Go's archive/tar, the digest check covers truncation
            return false;
        }
        if (got < TarFormat.BLOCK) {
            throw new LayerException("truncated tar: input ended inside a header");
        }
        if (TarFormat.isZeroBlock(block)) {
            endMarkerSeen = true;
            return false;
        }
        verifyChecksum();
        return true;
    }

    private int readBlock() throws IOException {
        int got = 0;
        while (got < TarFormat.BLOCK) {
            int n = in.read(block, got, TarFormat.BLOCK - got);
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got;
    }

    private void verifyChecksum() throws LayerException {
        long stored = number(block, 148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < TarFormat.BLOCK; i++) {
            byte b = (i >= 148 && i < 156) ? (byte) ' ' : block[i];
            unsigned += b & 0xff;
            signed += b;
        }
        // Some old writers summed signed chars; accept either.
        if (stored != unsigned && stored != signed) {
            throw new LayerException("corrupt tar: header checksum mismatch at member " + fieldName());
        }
    }

    private byte[] readMetadata(long size, char type) throws IOException {
        if (size < 0 || size > MAX_METADATA) {
            throw new LayerException("tar extended header '" + type + "' of " + size + " bytes exceeds the "
                    + MAX_METADATA + "-byte limit");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new LayerException("truncated tar: input ended inside an extended header");
        }
        skipFully((TarFormat.BLOCK - size % TarFormat.BLOCK) % TarFormat.BLOCK, "padding");
        return data;
    }

    private TarHeader parse(byte type, long size, Map<String, byte[]> pax, String longName, String longLink)
            throws LayerException {
        String magic = new String(block, 257, 6, StandardCharsets.ISO_8859_1);
        String name = cString(block, 0, 100);
        // Only POSIX ustar has a prefix field; GNU headers keep other data at that offset, and star's
        // (its "tar" trailer at 508) a shorter prefix followed by atime and ctime.
        if (magic.equals("ustar\0") && block[345] != 0) {
            boolean star = block[508] == 't' && block[509] == 'a' && block[510] == 'r' && block[511] == 0;
            name = cString(block, 345, star ? 131 : 155) + "/" + name;
        }
        if (longName != null) {
            name = longName;
        }
        String link = longLink != null ? longLink : cString(block, 157, 100);
        long uid = number(block, 108, 8, "uid");
        long gid = number(block, 116, 8, "gid");
        long mtimeSeconds = number(block, 136, 12, "mtime");
        Instant mtime = Instant.ofEpochSecond(mtimeSeconds);
        int mode = (int) (number(block, 100, 8, "mode") & 07777);
        int devMajor = 0;
        int devMinor = 0;
        if (magic.startsWith("ustar")) {
            devMajor = (int) number(block, 329, 8, "devmajor");
            devMinor = (int) number(block, 337, 8, "devminor");
        }
        Map<String, byte[]> xattrs = new TreeMap<>();
        if (pax != null) {
            for (Map.Entry<String, byte[]> r : pax.entrySet()) {
                String key = r.getKey();
                byte[] value = r.getValue();
                String text = new String(value, StandardCharsets.UTF_8);
                switch (key) {
                    // Names keep bytes that are not UTF-8 (RawNames), so they are written back unchanged.
                    case "path" -> name = RawNames.decode(value);
                    case "linkpath" -> link = RawNames.decode(value);
                    case "size" -> size = PaxRecords.number(key, text);
                    case "uid" -> uid = PaxRecords.number(key, text);
                    case "gid" -> gid = PaxRecords.number(key, text);
                    case "mtime" -> mtime = PaxRecords.time(text);
                    case "SCHILY.devmajor" -> devMajor = (int) PaxRecords.number(key, text);
                    case "SCHILY.devminor" -> devMinor = (int) PaxRecords.number(key, text);
                    default -> {
                        if (key.startsWith(TarFormat.XATTR_PREFIX)) {
                            xattrs.put(key.substring(TarFormat.XATTR_PREFIX.length()), value);
                        } else if (key.startsWith("LIBARCHIVE.xattr.")) {
                            String xname = URLDecoder.decode(key.substring(17), StandardCharsets.UTF_8);
                            try {
                                xattrs.put(xname, Base64.getDecoder().decode(text.trim()));
                            } catch (IllegalArgumentException e) {
                                throw new LayerException("corrupt tar: bad base64 in PAX record " + key);
                            }
                        }
                        // atime, ctime, uname, gname, comment, charset...: deliberately ignored.
                    }
                }
            }
        }
        if (size < 0) {
            throw new LayerException("corrupt tar: negative size for " + name);
        }
        if (uid < 0 || gid < 0) {
            throw new LayerException("corrupt tar: negative uid/gid for " + name);
        }
        if (name.isEmpty()) {
            throw new LayerException("corrupt tar: member without a name");
        }
        if (name.indexOf('\0') >= 0 || link.indexOf('\0') >= 0) {
            throw new LayerException("corrupt tar: NUL in a name");
        }
        // v7 archives mark directories by a trailing slash on a regular-file entry. A GNU dump directory
        // (incremental archives) is a directory whose data lists its contents; tar extracts it as a directory.
        if ((type == TarHeader.REGULAR_OLD) && name.endsWith("/") || type == TarHeader.GNU_DUMPDIR) {
            type = TarHeader.DIRECTORY;
        }
        return new TarHeader(name, type, mode, uid, gid, size, mtime, link, devMajor, devMinor, xattrs);
    }

    /** Octal (space/NUL padded) or GNU base-256 (high bit set) numeric field. */
    private long number(byte[] b, int off, int len, String field) throws LayerException {
        if ((b[off] & 0x80) != 0) {
            boolean negative = (b[off] & 0x40) != 0;
            long v = negative ? -1 : 0;
            v = (v << 6) | (b[off] & 0x3f);
            for (int i = 1; i < len; i++) {
                if (!negative && (v >>> 55) != 0) {
                    throw new LayerException("corrupt tar: " + field + " field overflows");
                }
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        for (; i < end && b[i] != 0 && b[i] != ' '; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 7) {
                throw new LayerException("corrupt tar: bad octal digit in " + field + " field");
            }
            if ((v >>> 60) != 0) {
                throw new LayerException("corrupt tar: " + field + " field overflows");
            }
            v = (v << 3) | d;
        }
        return v;
    }

    private String fieldName() {
        return "'" + cString(block, 0, 100) + "'";
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return RawNames.decode(b, off, end - off);
    }

    private static String cString(byte[] data) {
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        return RawNames.decode(data, 0, end);
    }
}
