package dev.jbuild.layer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Where a regular file's bytes come from; opened once per write of the layer. */
@FunctionalInterface
public interface ContentSource {

    InputStream open() throws IOException;

    /** The file at {@code path}; refuses to follow a symlink swapped in after the walk. */
    static ContentSource of(Path path) {
        return () -> Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** In-memory content (copied). */
    static ContentSource of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return () -> new ByteArrayInputStream(copy);
    }
}
