package dev.jbuild.layer;

import java.util.ArrayList;
import java.util.List;

/** Path rules shared by the writer and the extractor. Paths here are always '/'-separated and relative. */
final class EntryPaths {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String OPAQUE_MARKER = ".wh..wh..opq";

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
}
