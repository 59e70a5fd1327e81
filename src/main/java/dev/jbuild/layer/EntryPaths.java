package dev.jbuild.layer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Path rules shared by the writer and the extractor. Paths here are always '/'-separated and relative. */
final class EntryPaths {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE_MARKER = ".wh..wh..opq";

    /**
     * The order entries are written in: component by component, each component compared as unsigned UTF-8
     * bytes. This is the order of a depth-first walk with each directory's names sorted, so a parent always
     * precedes its children and a directory's whole subtree comes before its next sibling ("a", "a/b",
     * "a-c"), like a sorted {@code filepath.Walk} in BuildKit. Equivalent to comparing whole paths byte-wise
     * with '/' ranked below every other byte.
     */
    static final Comparator<String> ORDER = EntryPaths::compare;

    private EntryPaths() {
    }

    /**
     * The canonical form of a path given to a layer entry: no leading '/' or "./", no empty or "."
     * components, no trailing '/'. Rejects ".." (an entry we write must never point out of the layer)
     * and NUL.
     */
    static String normalize(String path) {
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL in path: " + path.replace('\0', '?'));
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new IllegalArgumentException("'..' in layer entry path: " + path);
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    private static int compare(String a, String b) {
        byte[] x = RawNames.encode(a);
        byte[] y = RawNames.encode(b);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int cx = rank(x[i]);
            int cy = rank(y[i]);
            if (cx != cy) {
                return Integer.compare(cx, cy);
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static int rank(byte b) {
        return b == '/' ? -1 : b & 0xff;
    }
}
