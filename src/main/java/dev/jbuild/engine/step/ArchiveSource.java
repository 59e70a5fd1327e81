package dev.jbuild.engine.step;

import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.layer.ArchiveFormat;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.layer.TarRules;
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
import java.util.TreeMap;

/**
 * {@code ADD archive.tar.gz /dir/}: a local tar (plain, gzip, bzip2, xz or zstd, recognised by its
 * bytes, not its name, as BuildKit does) is unpacked into the destination instead of copied. The archive is
 * read by the layer code's one tar reader under {@link TarRules#ARCHIVE}: names stop at the destination,
 * {@code .wh.} names are left out (they would be whiteouts in the layer); devices and fifos are kept, as
 * BuildKit keeps them. Anything else is copied as a file, as Docker does.
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
        try (InputStream raw = tree.open(file)) {
            LayerReader.read(raw, TarRules.ARCHIVE, (entry, content) -> {
                String path = LayerPaths.join(destination, entry.path());
                EntryAttributes a = entry.attributes();
                EntryAttributes attributes = new EntryAttributes(a.mode(), owner != null ? owner.uid() : a.uid(),
                        owner != null ? owner.gid() : a.gid(), a.mtime(), keptXattrs(a.xattrs()));
                if (entry instanceof LayerEntry.Directory) {
                    entries.add(new LayerEntry.Directory(path, attributes));
                } else if (entry instanceof LayerEntry.Symlink s) {
                    entries.add(new LayerEntry.Symlink(path, attributes, s.target()));
                } else if (entry instanceof LayerEntry.Hardlink h) {
                    entries.add(new LayerEntry.Hardlink(path, attributes, LayerPaths.join(destination, h.target())));
                } else if (entry instanceof LayerEntry.RegularFile) {
                    Path copy = Files.createTempFile(scratchDir, "add-", ".file");
                    try (OutputStream out = Files.newOutputStream(copy)) {
                        content.transferTo(out);
                    }
                    entries.add(new LayerEntry.RegularFile(path, attributes, Files.size(copy), ContentSource.of(copy)));
                } else if (entry instanceof LayerEntry.Fifo) {
                    entries.add(new LayerEntry.Fifo(path, attributes));
                } else if (entry instanceof LayerEntry.Device d) {
                    // Only a layer entry: a RUN of a rootless build later skips it, as it skips a base's devices.
                    entries.add(new LayerEntry.Device(path, attributes, d.kind(), d.major(), d.minor()));
                }
            });
        }
        return Optional.of(entries);
    }

    /**
     * The xattrs a layer keeps from an archive: file capabilities, which BuildKit's layers carry too (a
     * {@code ping} unpacked by ADD still works), and {@code user.*}, which jbuild keeps from the context as
     * well. Other namespaces (SELinux labels, {@code trusted.*}) describe the host the archive was made on.
     */
    private static Map<String, byte[]> keptXattrs(Map<String, byte[]> xattrs) {
        Map<String, byte[]> kept = new TreeMap<>();
        xattrs.forEach((name, value) -> {
            if (name.equals("security.capability") || name.startsWith("user.")) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /** BuildKit's test: the file decompresses (in a format ADD takes) to something that starts with a tar header. */
    private static boolean isArchive(SourceTree tree, SourceFile file) throws IOException {
        if (file.size() < 32) {
            return false; // too short for any compressed tar, let alone a plain one
        }
        try (BufferedInputStream buffered = new BufferedInputStream(tree.open(file))) {
            ArchiveFormat format = ArchiveFormat.peek(buffered);
            if (!TarRules.ARCHIVE.formats().contains(format)) {
                return false;
            }
            byte[] header = format.decompress(buffered).readNBytes(ArchiveFormat.HEAD);
            return ArchiveFormat.isTarHeader(header);
        } catch (IOException e) {
            return false; // not readable as a compressed stream: copied as a plain file
        }
    }
}
