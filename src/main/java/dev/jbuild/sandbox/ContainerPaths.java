package dev.jbuild.sandbox;

import dev.jbuild.layer.LayerPaths;

/** Lexical helpers for container paths. */
final class ContainerPaths {
    private ContainerPaths() {
    }

    /** Relative, '/'-separated, without ".", empty components or ".." (which cannot climb above the root). */
    static String clean(String path) {
        return LayerPaths.clean(path);
    }

    static String parent(String rel) {
        return LayerPaths.parent(rel);
    }

    static String name(String rel) {
        return LayerPaths.baseName(rel);
    }

    static String join(String parent, String name) {
        return LayerPaths.join(parent, name);
    }
}
