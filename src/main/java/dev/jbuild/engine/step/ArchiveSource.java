package dev.jbuild.engine.step;

import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.layer.ArchiveFormat;
import dev.jbuild.layer.ContentSource;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.TarRules;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
        Map<String, LayerEntry> unpacked = new HashMap<>();
        try (InputStream raw = tree.open(file)) {
            LayerReader.read(raw, TarRules.ARCHIVE, (entry, content) -> {
                checkPlaceable(entry, unpacked, file);
                unpacked.put(entry.path(), entry);
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
     * Refuses, at the ADD, what would make a layer no runtime unpacks as written: an entry below one of the
     * archive's own symbolic links or files ({@code lnk/through} after {@code lnk -> /elsewhere}), and a hard
     * link to anything but a file the archive gave before it. Context tars are refused the same way.
     */
    private static void checkPlaceable(LayerEntry entry, Map<String, LayerEntry> unpacked, SourceFile archive)
            throws ArchiveEntryException {
        for (String dir = LayerPaths.parent(entry.path()); !dir.isEmpty(); dir = LayerPaths.parent(dir)) {
            LayerEntry there = unpacked.get(dir);
            if (there instanceof LayerEntry.Symlink) {
                throw new ArchiveEntryException(archive, entry.path() + " goes through the archive's symbolic link " + dir);
            }
            if (there != null && !(there instanceof LayerEntry.Directory)) {
                throw new ArchiveEntryException(archive, entry.path() + " goes through " + dir + ", which is not a directory");
            }
        }
        if (entry instanceof LayerEntry.Hardlink link) {
            LayerEntry target = unpacked.get(link.target());
            if (!(target instanceof LayerEntry.RegularFile || target instanceof LayerEntry.Hardlink)) {
                throw new ArchiveEntryException(archive, "hard link " + entry.path() + " points to " + link.target()
                        + ", which is not a file the archive holds before it");
            }
        }
    }

    /** An archive ADD cannot unpack; the message names the archive. */
    static final class ArchiveEntryException extends IOException {
        ArchiveEntryException(SourceFile archive, String problem) {
            super("cannot unpack " + RawNames.display(archive.path()) + ": " + problem);
        }
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
