package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.Manifest;
import dev.jbuild.layer.ExtractResult;
import dev.jbuild.layer.LayerExtractor;
import dev.jbuild.store.FileTrees;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code -o type=local}: the layers of one image applied, in order, to a directory with {@link LayerExtractor}.
 * Into a directory that already holds files the layers are applied in a staging directory inside it, which is
 * then merged over the old content, as BuildKit's exporter merges its final tree: same paths replaced, others
 * kept. A layer's whiteouts so remove only what the image's own lower layers put there; applied to the
 * directory itself, a hostile image's {@code .wh.Documents} or {@code .wh..wh..opq} would delete the user's files.
 *
 * <p>Every file belongs to the caller, root included, as BuildKit's local exporter writes them: its client gives
 * each file its own uid and gid. The files are the user's build output, not a root filesystem to run.
 */
final class DirectoryExport {

    private final ImageReader image;
    private final Store store;

    DirectoryExport(ImageReader image, Store store) {
        this.image = image;
        this.store = store;
    }

    UnpackResult unpack(Descriptor descriptor, Path dest, boolean overwrite) throws IOException {
        Manifest manifest = image.manifest(descriptor);
        ImageConfig config = image.config(manifest);
        // Fail on a missing blob before anything is written, not half-way through.
        image.blobs(descriptor);
        List<Digest> diffIds = config.rootfs() == null || config.rootfs().diffIds() == null
                ? List.of() : config.rootfs().diffIds();
        boolean checkDiffIds = diffIds.size() == manifest.layers().size();
        boolean merge = prepare(dest, overwrite);
        if (!merge) {
            return apply(manifest, diffIds, checkDiffIds, dest, dest);
        }
        // In dest, so that moving the entries is a rename on the same file system; hidden and unguessable.
        Path staging = Files.createTempDirectory(dest, ".jbuild-export-");
        try {
            UnpackResult result = apply(manifest, diffIds, checkDiffIds, staging, dest);
            mergeInto(staging, dest);
            return result;
        } finally {
            FileTrees.deleteTree(staging);
        }
    }

    private UnpackResult apply(Manifest manifest, List<Digest> diffIds, boolean checkDiffIds, Path root, Path dest)
            throws IOException {

        LayerExtractor extractor = new LayerExtractor();
        Set<String> warnings = new LinkedHashSet<>();
        long entries = 0;
        int applied = 0;
        for (int i = 0; i < manifest.layers().size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            if (!store.has(layer.digest())) {
                continue; // a non-distributable layer we never had (ImageReader.blobs checked the rest)
            }
            LayerExtractor.Options options = new LayerExtractor.Options(sha256OrNull(layer.digest()),
                    checkDiffIds ? sha256OrNull(diffIds.get(i)) : null, false);
            ExtractResult result;
            try (InputStream in = store.open(layer.digest())) {
                result = extractor.extract(in, root, options);
            } catch (IOException e) {
                throw new ExportException("unpacking layer " + (i + 1) + " of " + manifest.layers().size() + " into "
                        + dest + " failed, " + (root.equals(dest) ? "the directory is incomplete: " : "nothing in it was changed: ")
                        + NoSpaceLeftException.forDestination(e, dest, dest).getMessage(), e);
            }
            warnings.addAll(result.warnings());
            entries += result.entries();
            applied++;
        }
        return new UnpackResult(applied, entries, new ArrayList<>(warnings));
    }

    /** Creates {@code dest} when missing; true when it holds files the image is to be merged over. */
    private static boolean prepare(Path dest, boolean overwrite) throws IOException {
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) || Files.exists(dest)) {
            if (!Files.isDirectory(dest)) {
                throw new ExportException("cannot unpack the image into " + dest + ": it exists and is not a directory");
            }
            boolean empty = isEmpty(dest);
            if (!overwrite && !empty) {
                throw new ExportException("cannot unpack the image into " + dest
                        + ": the directory is not empty (allow writing into it to merge the image over its content)");
            }
            return !empty;
        }
        Files.createDirectories(dest);
        return false;
    }

    /**
     * Moves every entry of {@code from} to the same name in {@code to}: a directory onto a directory is merged
     * into it (and then given the image's mode and times), anything else replaces what is there. Nothing is
     * followed: a symbolic link in {@code to} is replaced like a file, never written through.
     */
    private static void mergeInto(Path from, Path to) throws IOException {
        List<Path> entries;
        try (var list = Files.list(from)) {
            entries = list.toList();
        }
        for (Path entry : entries) {
            Path target = to.resolve(entry.getFileName().toString());
            boolean bothDirectories = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                    && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
            if (bothDirectories) {
                mergeInto(entry, target);
                copyAttributes(entry, target);
            } else {
                FileTrees.deleteTree(target);
                Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** The image directory's mode and times onto the directory it was merged into (both are the caller's). */
    private static void copyAttributes(Path image, Path existing) throws IOException {
        PosixFileAttributes a = Files.readAttributes(image, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(existing, a.permissions());
        Files.getFileAttributeView(existing, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(a.lastModifiedTime(), a.lastAccessTime(), null);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    /** The extractor verifies sha256 only; other algorithms were verified when the blob entered the store. */
    private static String sha256OrNull(Digest digest) {
        return Digest.SHA256.equals(digest.algorithm()) ? digest.toString() : null;
    }
}
