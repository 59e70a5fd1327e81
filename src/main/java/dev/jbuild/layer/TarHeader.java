package dev.jbuild.layer;

import java.time.Instant;
import java.util.Map;

/**
 * One tar member as the tar stream describes it, after PAX and GNU long-name records are applied. Shared by
 * the writer (which builds it from a {@link LayerEntry}) and the reader.
 *
 * @param name     member name as stored (directories may end in '/')
 * @param type     ustar typeflag ('0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo)
 * @param mode     permission bits (07777)
 * @param linkName symlink or hardlink target, "" otherwise
 * @param xattrs   raw extended attribute values, from {@code SCHILY.xattr.*} records
 */
record TarHeader(String name, byte type, int mode, long uid, long gid, long size, Instant mtime, String linkName,
        int devMajor, int devMinor, Map<String, byte[]> xattrs) {

    static final byte REGULAR = '0';
    static final byte REGULAR_OLD = 0;
    static final byte CONTIGUOUS = '7';
    static final byte HARDLINK = '1';
    static final byte SYMLINK = '2';
    static final byte CHAR_DEVICE = '3';
    static final byte BLOCK_DEVICE = '4';
    static final byte DIRECTORY = '5';
    static final byte FIFO = '6';
    static final byte PAX_HEADER = 'x';
    static final byte PAX_GLOBAL = 'g';
    static final byte GNU_LONG_NAME = 'L';
    static final byte GNU_LONG_LINK = 'K';
    static final byte GNU_SPARSE = 'S';
    static final byte GNU_DUMPDIR = 'D';

    boolean isRegularFile() {
        return type == REGULAR || type == REGULAR_OLD || type == CONTIGUOUS;
    }

    String typeName() {
        return switch (type) {
            case REGULAR, REGULAR_OLD, CONTIGUOUS -> "file";
            case HARDLINK -> "hardlink";
            case SYMLINK -> "symlink";
            case CHAR_DEVICE -> "char device";
            case BLOCK_DEVICE -> "block device";
            case DIRECTORY -> "directory";
            case FIFO -> "fifo";
            default -> "type '" + (char) type + "'";
        };
    }
}
