package dev.jbuild.sbom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the rows of one table of an SQLite database file (the file format of
 * https://www.sqlite.org/fileformat2.html): the schema table on page 1 names the table's root page,
 * and its table B-tree is walked page by page, overflowing payloads followed. Only what rpm's
 * {@code rpmdb.sqlite} needs: rowid tables, values as Java objects (Long, Double, String, byte[], null).
 * A write-ahead log ({@code -wal}) is not applied: rpm checkpoints it when a transaction ends.
 *
 * <p>The database is untrusted: every page number is checked against the file, a page is visited once
 * (no loops), and payloads are bounded by the file's size.
 */
final class SqliteTable {

    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final ByteBuffer file;
    private final int pageSize;
    private final int usable;
    private final int pageCount;

    private SqliteTable(byte[] bytes) throws IOException {
        if (bytes.length < 100 || !Arrays.equals(bytes, 0, 16, MAGIC, 0, 16)) {
            throw new IOException("not an SQLite 3 database");
        }
        this.file = ByteBuffer.wrap(bytes);
        int size = file.getShort(16) & 0xffff;
        this.pageSize = size == 1 ? 65536 : size;
        if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
            throw new IOException("bad SQLite page size " + pageSize);
        }
        this.usable = pageSize - (file.get(20) & 0xff);
        this.pageCount = bytes.length / pageSize;
    }

    /** The rows of table {@code name} of the database in {@code bytes}, each a list of column values. */
    static List<List<Object>> rows(byte[] bytes, String name) throws IOException {
        SqliteTable db = new SqliteTable(bytes);
        // sqlite_schema: type, name, tbl_name, rootpage, sql
        for (List<Object> schema : db.table(1)) {
            if (schema.size() >= 4 && "table".equals(schema.get(0)) && name.equals(schema.get(1))
                    && schema.get(3) instanceof Long root) {
                return db.table((int) (long) root);
            }
        }
        return List.of();
    }

    private List<List<Object>> table(int root) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        Deque<Integer> pages = new ArrayDeque<>();
        pages.push(root);
        while (!pages.isEmpty()) {
            int page = pages.pop();
            if (page < 1 || page > pageCount || !seen.add(page)) {
                throw new IOException("corrupt SQLite database: page " + page);
            }
            int base = (page - 1) * pageSize;
            int header = base + (page == 1 ? 100 : 0);
            int type = file.get(header) & 0xff;
            int cells = file.getShort(header + 3) & 0xffff;
            if (type == 5) { // interior table page: children in key order, the right-most last
                List<Integer> children = new ArrayList<>();
                for (int i = 0; i < cells; i++) {
                    int cell = base + (file.getShort(header + 12 + 2 * i) & 0xffff);
                    children.add(file.getInt(cell));
                }
                children.add(file.getInt(header + 8));
                for (int i = children.size() - 1; i >= 0; i--) {
                    pages.push(children.get(i));
                }
            } else if (type == 13) { // leaf table page
                for (int i = 0; i < cells; i++) {
                    int cell = base + (file.getShort(header + 8 + 2 * i) & 0xffff);
                    rows.add(record(payload(cell)));
                }
            } else {
                throw new IOException("corrupt SQLite database: page " + page + " of type " + type + " in a table");
            }
        }
        return rows;
    }

    /** A leaf cell's payload, its overflow pages followed. */
    private byte[] payload(int cell) throws IOException {
        long[] v = varint(cell);
        long size = v[0];
        int at = cell + (int) v[1];
        at += (int) varint(at)[1]; // the rowid
        if (size < 0 || size > file.capacity()) {
            throw new IOException("corrupt SQLite database: payload of " + size + " bytes");
        }
        int max = usable - 35;
        int local;
        if (size <= max) {
            local = (int) size;
        } else {
            int min = (usable - 12) * 32 / 255 - 23;
            int k = min + (int) ((size - min) % (usable - 4));
            local = k <= max ? k : min;
        }
        byte[] out = new byte[(int) size];
        get(at, out, 0, local);
        int done = local;
        int next = local < size ? file.getInt(at + local) : 0;
        Set<Integer> seen = new HashSet<>();
        while (done < size) {
            if (next < 1 || next > pageCount || !seen.add(next)) {
                throw new IOException("corrupt SQLite database: overflow page " + next);
            }
            int base = (next - 1) * pageSize;
            int n = (int) Math.min(usable - 4, size - done);
            get(base + 4, out, done, n);
            done += n;
            next = file.getInt(base);
        }
        return out;
    }

    private void get(int at, byte[] into, int offset, int length) throws IOException {
        if (at < 0 || at + length > file.capacity()) {
            throw new IOException("corrupt SQLite database: data past the end of the file");
        }
        file.get(at, into, offset, length);
    }

    /** The values of a record: a header of serial types, then the values. */
    private static List<Object> record(byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(payload);
        long[] h = varint(b, 0);
        int headerEnd = (int) h[0];
        int at = (int) h[1];
        int data = headerEnd;
        List<Object> values = new ArrayList<>();
        while (at < headerEnd) {
            long[] t = varint(b, at);
            at += (int) t[1];
            long type = t[0];
            int length = type >= 12 ? (int) ((type - 12) / 2) : switch ((int) type) {
                case 1 -> 1;
                case 2 -> 2;
                case 3 -> 3;
                case 4 -> 4;
                case 5 -> 6;
                case 6, 7 -> 8;
                default -> 0;
            };
            if (data + length > payload.length || length < 0) {
                throw new IOException("corrupt SQLite record");
            }
            if (type == 0) {
                values.add(null);
            } else if (type >= 1 && type <= 6) {
                long value = payload[data]; // sign-extended big-endian integer
                for (int i = 1; i < length; i++) {
                    value = (value << 8) | (payload[data + i] & 0xff);
                }
                values.add(value);
            } else if (type == 7) {
                values.add(b.getDouble(data));
            } else if (type == 8 || type == 9) {
                values.add(type - 8);
            } else if (type >= 12 && type % 2 == 0) {
                values.add(Arrays.copyOfRange(payload, data, data + length));
            } else if (type >= 13) {
                values.add(new String(payload, data, length, StandardCharsets.UTF_8));
            }
            data += length;
        }
        return values;
    }

    private long[] varint(int at) throws IOException {
        return varint(file, at);
    }

    /** SQLite's varint at {@code at}: the value and its length (1 to 9 bytes, big-endian groups of 7 bits). */
    private static long[] varint(ByteBuffer b, int at) throws IOException {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            if (at + i >= b.capacity()) {
                throw new IOException("corrupt SQLite database: varint past the end");
            }
            int x = b.get(at + i) & 0xff;
            if (i == 8) {
                return new long[] {(value << 8) | x, 9};
            }
            value = (value << 7) | (x & 0x7f);
            if ((x & 0x80) == 0) {
                return new long[] {value, i + 1};
            }
        }
        throw new AssertionError();
    }
}
