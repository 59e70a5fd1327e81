package dev.jbuild.context;

import dev.jbuild.layer.ArchiveFormat;
import dev.jbuild.layer.LayerExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where build contexts come from: a local directory, or a tar stream ({@code jbuild build -}). */
public final class BuildContexts {

    private BuildContexts() {}

    /**
     * A local directory as a build context.
     *
     * @param dir the context directory (symbolic links in this path itself are fine)
     * @param ignore the .dockerignore rules ({@link DockerIgnore#load}), or {@link DockerIgnore#none()}
     * @throws java.nio.file.NotDirectoryException when {@code dir} is not a directory
     */
    public static SourceTree directory(Path dir, DockerIgnore ignore) throws IOException {
        return new DirectoryTree(dir, ignore);
    }

    /**
     * Unpacks a context tar - plain, or gzip, bzip2, xz or zstd compressed, recognised by its
     * first bytes - into {@code into} (created if missing, normally empty), writing nothing outside
     * it: names are confined, a name that climbs out with {@code ..} or runs through a symbolic link
     * fails the extraction, hard links must stay inside, symbolic links are written as they are but
     * never followed, device nodes are skipped; {@code .wh.} names are plain files. This is the layer
     * extractor under {@link dev.jbuild.layer.TarRules#CONTEXT}. Then use
     * {@code directory(into, DockerIgnore.load(into, dockerfile))}.
     *
     * @return the real path of {@code into}
     * @throws IOException on a malformed or hostile archive; what was extracted so far stays, and the
     *     caller removes {@code into}
     */
    public static Path extractTar(InputStream tar, Path into) throws IOException {
        Files.createDirectories(into);
        Path root = into.toRealPath();
        new LayerExtractor().extract(tar, root, LayerExtractor.Options.contextTar());
        return root;
    }

    /**
     * Whether a stream that starts with {@code head} (its first 512 bytes, or all of a shorter one)
     * is an archive {@link #extractTar} reads - compressed, or a tar header - rather than text.
     */
    public static boolean isArchive(byte[] head) {
        return ArchiveFormat.isArchive(head);
    }
}
