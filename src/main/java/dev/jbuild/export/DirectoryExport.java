package dev.jbuild.export;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.Manifest;
import dev.jbuild.layer.ExtractResult;
import dev.jbuild.layer.LayerExtractor;
import dev.jbuild.store.NoSpaceLeftException;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code -o type=local}: the layers of one image applied, in order, to a directory with {@link LayerExtractor}. */
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
        prepare(dest, overwrite);

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
                    checkDiffIds ? sha256OrNull(diffIds.get(i)) : null, true);
            ExtractResult result;
            try (InputStream in = store.open(layer.digest())) {
                result = extractor.extract(in, dest, options);
            } catch (IOException e) {
                throw new ExportException("unpacking layer " + (i + 1) + " of " + manifest.layers().size() + " into "
                        + dest + " failed, the directory is incomplete: "
                        + NoSpaceLeftException.forDestination(e, dest, dest).getMessage(), e);
            }
            warnings.addAll(result.warnings());
            entries += result.entries();
            applied++;
        }
        return new UnpackResult(applied, entries, new ArrayList<>(warnings));
    }

    private static void prepare(Path dest, boolean overwrite) throws IOException {
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) || Files.exists(dest)) {
            if (!Files.isDirectory(dest)) {
                throw new ExportException("cannot unpack the image into " + dest + ": it exists and is not a directory");
            }
            if (!overwrite && !isEmpty(dest)) {
                throw new ExportException("cannot unpack the image into " + dest
                        + ": the directory is not empty (allow writing into it to merge the image over its content)");
            }
            return;
        }
        Files.createDirectories(dest);
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
