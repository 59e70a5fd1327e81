package dev.jbuild.build;

import dev.jbuild.layer.LayerPaths;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * {@code ADD archive.tar.gz /dir/}: a local tar (plain, gzip, bzip2, xz or zstd, recognised by its
 * bytes, not its name) is unpacked into the destination instead of copied. Names are confined to
 * the destination; anything else is copied as a file, as Docker does.
 */
final class ArchiveSource {


    private ArchiveSource() {}

    /** The archive's entries placed under {@code destination}, or empty when the file is not an archive. */
    static Optional<List<LayerEntry>> entries(SourceTree tree, SourceFile file, String destination,
            UserDatabase.Ids owner, Path scratchDir) throws IOException {
        if (!isArchive(tree, file)) {
            return Optional.empty();
        }
        List<LayerEntry> entries = new ArrayList<>();
        try (InputStream raw = new BufferedInputStream(tree.open(file));
                TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(raw))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String relative = LayerPaths.clean(entry.getName());
                if (relative.isEmpty() || LayerPaths.baseName(relative).startsWith(".wh.")) {
                    continue;
                }
                String path = LayerPaths.join(destination, relative);
                long uid = owner != null ? owner.uid() : entry.getLongUserId();
                long gid = owner != null ? owner.gid() : entry.getLongGroupId();
                EntryAttributes attributes = new EntryAttributes(entry.getMode() & 07777, uid, gid,
                        entry.getModTime().toInstant(), Map.of());
                if (entry.isDirectory()) {
                    entries.add(new LayerEntry.Directory(path, attributes));
                } else if (entry.isSymbolicLink()) {
                    entries.add(new LayerEntry.Symlink(path, attributes, entry.getLinkName()));
                } else if (entry.isLink()) {
                    entries.add(new LayerEntry.Hardlink(path, attributes, LayerPaths.join(destination, LayerPaths.clean(entry.getLinkName()))));
                } else if (entry.isFile()) {
                    Path copy = Files.createTempFile(scratchDir, "add-", ".file");
                    try (OutputStream out = Files.newOutputStream(copy)) {
                        tar.transferTo(out);
                    }
                    entries.add(new LayerEntry.RegularFile(path, attributes, Files.size(copy), ContentSource.of(copy)));
                }
                // Devices and fifos in an ADDed archive are left out: a rootless build cannot create them.
            }
        }
        return Optional.of(entries);
    }

    private static boolean isArchive(SourceTree tree, SourceFile file) throws IOException {
        if (file.size() < 32) {
            return false; // too short for any compressed tar, let alone a plain one
        }
        try (InputStream raw = new BufferedInputStream(tree.open(file))) {
            byte[] header = decompressed(raw).readNBytes(512);
            return dev.jbuild.context.BuildContexts.isTarHeader(header);
        } catch (IOException e) {
            return false; // not readable as a compressed stream: copied as a plain file
        }
    }

    private static InputStream decompressed(InputStream in) throws IOException {
        try {
            String format = CompressorStreamFactory.detect(in);
            return new CompressorStreamFactory().createCompressorInputStream(format, in, true);
        } catch (CompressorException e) {
            return in; // not compressed
        }
    }
}
