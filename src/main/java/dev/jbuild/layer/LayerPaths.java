package dev.jbuild.layer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lexical operations on paths inside an image: relative, '/'-separated, no leading or trailing
 * slash, "" for the root. Shared by the layer code, the sandbox and the build's file tree so that
 * every part of jbuild agrees on what a path means. Symlinks are not considered here.
 *
 * <p>Two forms of one path are in use: the <em>relative</em> form {@code a/b} ({@code ""} for the root) of
 * layer entries, file views and the sandbox, and the <em>absolute</em> form {@code /a/b} ({@code /} for the
 * root) of context trees ({@code context.SourceFile}) and of what users read in messages. {@link #relative}
 * and {@link #absolute} are the one conversion between them (and clean any path on the way).
 */
public final class LayerPaths {

    /**
     * The one order of names and paths in layers and file trees: component by component, each name compared as
     * unsigned bytes ({@link RawNames#encode}: UTF-8, escapes as the bytes they stand for), which is Go's order
     * of byte strings and so of BuildKit's and containerd's sorted walks. Comparing whole paths byte-wise with
     * '/' ranked below every other byte is the same thing: a parent precedes its children and a directory's
     * whole subtree comes before its next sibling ("a", "a/b", "a-c"), the order the layer writer writes in.
     * For single names it is plain byte order. NUL, which no name holds, ranks lower still, so a key
     * {@code "dir\0x"} sorts right after {@code "dir"} and before its children (the sandbox's differ keys a
     * directory's opaque marker so).
     */
    public static final Comparator<String> ORDER = LayerPaths::compare;

    private LayerPaths() {}

    /** Drops empty and "." elements and applies ".." lexically, never above the root. */
    public static String clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    /** Any path in the relative form: {@code "/a/./b/"} and {@code "a/b"} are {@code "a/b"}, the root is {@code ""}. */
    public static String relative(String path) {
        if (path.startsWith("/") && isClean(path, 1)) {
            return path.substring(1);
        }
        return isClean(path, 0) ? path : clean(path);
    }

    /**
     * Any path in the absolute form: {@code "a/b"} and {@code "/a/../a/b/"} are {@code "/a/b"}, the root is
     * {@code "/"}; Go's {@code path.Clean("/" + p)}.
     */
    public static String absolute(String path) {
        if (path.startsWith("/") && isClean(path, 1)) {
            return path;
        }
        return "/" + relative(path);
    }

    /**
     * Whether {@code name} (a tar member name or link target, not cleaned) climbs above where it starts
     * with {@code ..}: "a/../../x" does, "/../x" does not (".." stops at "/", as Go's path.Clean does).
     * Where {@link #clean} would clamp such a name, strict callers refuse it.
     */
    static boolean climbsOut(String name) {
        if (name.startsWith("/")) {
            return false;
        }
        int depth = 0;
        for (String part : name.split("/", -1)) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    /** The parent of a clean path; "" for a top-level name and for the root. */
    public static String parent(String cleanPath) {
        int slash = cleanPath.lastIndexOf('/');
        return slash < 0 ? "" : cleanPath.substring(0, slash);
    }

    /** The last element of a clean path. */
    public static String baseName(String cleanPath) {
        return cleanPath.substring(cleanPath.lastIndexOf('/') + 1);
    }

    /** {@code parent/name}, or {@code name} below the root. */
    public static String join(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }

    /** Whether {@code path} from {@code start} on is in relative form already (so cleaning would not change it). */
    private static boolean isClean(String path, int start) {
        int n = path.length();
        if (start == n) {
            return true;
        }
        int element = start;
        for (int i = start; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                int length = i - element;
                boolean dot = length == 1 && path.charAt(element) == '.';
                boolean dotDot = length == 2 && path.charAt(element) == '.' && path.charAt(element + 1) == '.';
                if (length == 0 || dot || dotDot) {
                    return false;
                }
                element = i + 1;
            }
        }
        return true;
    }

    private static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // Below the surrogates, UTF-16 order is code point order is UTF-8 byte order, and '/' and NUL
                // are one byte each; a surrogate (a pair, or an escaped byte) needs the bytes themselves.
                return x < Character.MIN_SURROGATE && y < Character.MIN_SURROGATE
                        ? Integer.compare(rank(x), rank(y))
                        : compareBytes(RawNames.encode(a), RawNames.encode(b));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int compareBytes(byte[] x, byte[] y) {
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(rank(x[i] & 0xff), rank(y[i] & 0xff));
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static int rank(int unit) {
        return unit == 0 ? -2 : unit == '/' ? -1 : unit;
    }
}
