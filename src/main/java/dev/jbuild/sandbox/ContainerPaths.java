package dev.jbuild.sandbox;

import java.util.ArrayList;
import java.util.List;

/** Lexical helpers for container paths. */
final class ContainerPaths {
    private ContainerPaths() {
    }

    /** Relative, '/'-separated, without ".", empty components or ".." (which cannot climb above the root). */
    static String clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
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

    static String parent(String rel) {
        int i = rel.lastIndexOf('/');
        return i < 0 ? "" : rel.substring(0, i);
    }

    static String name(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
    }

    static String join(String parent, String name) {
        return parent.isEmpty() ? name : parent + "/" + name;
    }
}
