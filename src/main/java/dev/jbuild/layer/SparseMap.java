package dev.jbuild.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The data fragments of a GNU sparse tar member and the file they make: {@code offsets[i]} is where
 * {@code lengths[i]} stored bytes go in a file of {@code realSize} bytes; everything else is a hole that
 * reads as zeros. The four ways GNU tar writes the map (the old GNU header, PAX 0.0, 0.1 and 1.0) are
 * parsed by {@link TarReader} into this one form; Go's archive/tar and commons-compress read all four, and
 * context tars and {@code ADD} archives made with {@code tar --sparse} must unpack as they do elsewhere.
 * Every map is checked (fragments in order, inside the file, adding up to the stored data) before any
 * content is read.
 */
record SparseMap(long[] offsets, long[] lengths, long realSize) {

    /** Fragments of one old-GNU sparse header block: 4 in the member header, 21 in each extension block. */
    static final int HEADER_ENTRIES = 4;
    static final int EXTENSION_ENTRIES = 21;

    /** Checks the map against the stored data it describes; the caller's member has {@code stored} bytes. */
    SparseMap checked(String member, long stored) throws LayerException {
        if (offsets.length != lengths.length || realSize < 0) {
            throw corrupt(member, "malformed sparse map");
        }
        long end = 0;
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            long offset = offsets[i];
            long length = lengths[i];
            if (offset < end || length < 0 || offset > realSize || length > realSize - offset) {
                throw corrupt(member, "sparse map fragment " + offset + "+" + length
                        + " overlaps another or lies beyond the file's " + realSize + " bytes");
            }
            end = offset + length;
            total += length;
        }
        if (total != stored) {
            throw corrupt(member, "sparse map names " + total + " data bytes, the member stores " + stored);
        }
        return this;
    }

    /** The file's bytes: {@code data} (the member's stored bytes, in map order) with the holes as zeros. */
    InputStream expand(InputStream data) {
        return new InputStream() {
            private long position;
            private int fragment;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (fragment < offsets.length && position >= offsets[fragment] + lengths[fragment]) {
                    fragment++;
                }
                if (position >= realSize) {
                    return -1;
                }
                long holeEnd = fragment < offsets.length ? offsets[fragment] : realSize;
                if (position < holeEnd) {
                    int n = (int) Math.min(len, holeEnd - position);
                    Arrays.fill(b, off, off + n, (byte) 0);
                    position += n;
                    return n;
                }
                long dataEnd = offsets[fragment] + lengths[fragment];
                int n = data.read(b, off, (int) Math.min(len, dataEnd - position));
                if (n < 0) {
                    throw new LayerException("truncated tar: input ended inside a sparse file's data");
                }
                position += n;
                return n;
            }
        };
    }

    /** PAX 0.0 and 0.1: {@code GNU.sparse.map} is "offset,length,offset,length,…". */
    static SparseMap fromPaxMap(String member, String map, long realSize) throws LayerException {
        String[] parts = map.isEmpty() ? new String[0] : map.split(",", -1);
        if (parts.length % 2 != 0) {
            throw corrupt(member, "GNU.sparse.map has an odd number of values");
        }
        long[] offsets = new long[parts.length / 2];
        long[] lengths = new long[parts.length / 2];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = decimal(member, parts[2 * i]);
            lengths[i] = decimal(member, parts[2 * i + 1]);
        }
        return new SparseMap(offsets, lengths, realSize);
    }

    /**
     * PAX 1.0: the map leads the member's data as decimal numbers, one a line (the count, then offset and
     * length pairs), padded to whole blocks. Reads only the blocks the map needs, at most {@code limit} bytes.
     */
    static SparseMap fromDataMap(String member, InputStream data, long realSize, int limit) throws IOException {
        byte[] buffer = new byte[0];
        int parsed = 0; // bytes of buffer already turned into numbers
        long count = -1;
        long[] offsets = null;
        long[] lengths = null;
        int numbers = 0;
        while (count < 0 || numbers < 2 * count) {
            int newline = indexOf(buffer, parsed, (byte) '\n');
            if (newline < 0) {
                if (buffer.length + TarFormat.BLOCK > limit) {
                    throw new LayerException("tar sparse map of " + member + " exceeds the " + limit + "-byte limit");
                }
                byte[] block = data.readNBytes(TarFormat.BLOCK);
                if (block.length != TarFormat.BLOCK) {
                    throw new LayerException("truncated tar: input ended inside the sparse map of " + member);
                }
                buffer = Arrays.copyOf(buffer, buffer.length + TarFormat.BLOCK);
                System.arraycopy(block, 0, buffer, buffer.length - TarFormat.BLOCK, TarFormat.BLOCK);
                continue;
            }
            long value = decimal(member, new String(buffer, parsed, newline - parsed, StandardCharsets.US_ASCII));
            parsed = newline + 1;
            if (count < 0) {
                // Each fragment costs at least four bytes of map ("0\n0\n"), so the limit bounds the count too.
                if (value > limit / 4) {
                    throw new LayerException("tar sparse map of " + member + " declares " + value
                            + " fragments, more than its " + limit + "-byte limit allows");
                }
                count = value;
                offsets = new long[(int) count];
                lengths = new long[(int) count];
            } else if (numbers % 2 == 0) {
                offsets[numbers++ / 2] = value;
            } else {
                lengths[numbers++ / 2] = value;
            }
        }
        return new SparseMap(offsets, lengths, realSize);
    }

    private static int indexOf(byte[] b, int from, byte value) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static long decimal(String member, String text) throws LayerException {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw corrupt(member, "bad number in sparse map: " + text);
        }
    }

    private static LayerException corrupt(String member, String what) {
        return new LayerException("corrupt tar: " + what + " (" + member + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseMap m && Arrays.equals(offsets, m.offsets) && Arrays.equals(lengths, m.lengths)
                && realSize == m.realSize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(offsets) * 31 + Arrays.hashCode(lengths) + Long.hashCode(realSize);
    }

    @Override
    public String toString() {
        return "SparseMap" + Arrays.toString(offsets) + Arrays.toString(lengths) + "/" + realSize;
    }
}
