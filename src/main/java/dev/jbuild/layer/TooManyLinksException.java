package dev.jbuild.layer;

import java.nio.file.FileSystemException;

/**
 * Resolving one path inside a root met more than {@link RootedResolver#MAX_LINKS} symbolic links: a
 * loop, or a chain longer than Linux, filepath-securejoin and continuity allow. The one failure for
 * this wherever jbuild resolves paths (context, stage trees, layers, the sandbox's root); a
 * {@link FileSystemException} because that is what the JDK throws for the kernel's {@code ELOOP}.
 */
public final class TooManyLinksException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    /** @param path the path being resolved, as it was asked for (shown with a leading '/') */
    public TooManyLinksException(String path) {
        super(RawNames.display(LayerPaths.absolute(path)), null, "too many levels of symbolic links");
    }
}
