package dev.jbuild.layer;

import java.util.ArrayList;
import java.util.List;

/**
 * Lexical operations on paths inside an image: relative, '/'-separated, no leading or trailing
 * slash, "" for the root. Shared by the layer code, the sandbox and the build's file tree so that
 * every part of jbuild agrees on what a path means. Symlinks are not considered here.
 */
public final class LayerPaths {

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

    /**
     * Whether {@code name} (a tar member name or link target, not cleaned) climbs above where it starts
     * with {@code ..}: "a/../../x" does, "/../x" does not (".." stops at "/", as Go's path.Clean does).
     * Where {@link #clean} would clamp such a name, strict callers refuse it.
     */
    public static boolean climbsOut(String name) {
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
}
