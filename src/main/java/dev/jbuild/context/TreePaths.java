package dev.jbuild.context;

/**
 * Slash-separated absolute paths inside a {@link SourceTree}: {@code /} is the tree root, every
 * other path is {@code /name(/name)*} without {@code .}, {@code ..} or empty elements.
 * {@code LayerPaths.absolute} brings any path into this form and {@code LayerPaths.relative} into a
 * layer's ({@code name/name}).
 */
final class TreePaths {

    private TreePaths() {}

    static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** The parent of a tree path; the root is its own parent. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The last element; empty for the root. */
    static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Joins two relative paths (either may be empty). */
    static String joinRelative(String a, String b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : a + "/" + b;
    }

    /** Whether relative path {@code path} is {@code base} or lies below it ({@code ""} holds everything). */
    static boolean isAtOrBelow(String path, String base) {
        return base.isEmpty() || path.equals(base) || path.startsWith(base + "/");
    }

    /** The elements of a cleaned tree path; none for the root. */
    static String[] elements(String path) {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        return relative.isEmpty() ? new String[0] : relative.split("/");
    }
}
