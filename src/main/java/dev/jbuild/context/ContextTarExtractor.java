package dev.jbuild.context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks a build context tar into a directory without ever touching anything outside it:
 *
 * <ul>
 *   <li>names are cleaned; absolute names count from the directory (as Docker does); a name that
 *       climbs out with {@code ..} fails the extraction;
 *   <li>every directory on the way to an entry must be a real directory created by this
 *       extraction or already there: a path through a symbolic link fails the extraction, so a link
 *       followed by {@code link/file} cannot write through it;
 *   <li>symbolic links are written as they are (the tree resolves them inside the context later)
 *       and never followed: an existing entry is removed, not written through;
 *   <li>hard links must name an entry already extracted, reached the same way;
 *   <li>devices and FIFOs are skipped; ownership is not restored (BuildKit resets it to 0:0);
 *       modes (with setuid/setgid/sticky), modification times and {@code user.*} xattrs are
 *       (xattr values as commons-compress decodes PAX records, i.e. as UTF-8 text).
 * </ul>
 *
 * A failed extraction leaves what it wrote so far; the caller removes the directory.
 */
final class ContextTarExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(ContextTarExtractor.class);
    private static final String PAX_XATTR = "SCHILY.xattr.";

    /** Directory modes and times are applied last: writing entries into them would change both. */
    private record DirectoryFinish(Path dir, int mode, FileTime mtime) {}

    private final Path root;
    private final List<DirectoryFinish> directories = new ArrayList<>();

    private ContextTarExtractor(Path root) {
        this.root = root;
    }

    static Path extract(InputStream tar, Path into) throws IOException {
        Files.createDirectories(into);
        ContextTarExtractor extractor = new ContextTarExtractor(into.toRealPath());
        try (TarArchiveInputStream entries = new TarArchiveInputStream(
                ContextCompression.decompressed(tar), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry entry;
            while ((entry = entries.getNextEntry()) != null) {
                extractor.extract(entry, entries);
            }
        }
        extractor.finishDirectories();
        return extractor.root;
    }

    private void extract(TarArchiveEntry entry, InputStream content) throws IOException {
        String name = confinedName(entry.getName());
        if (name.isEmpty()) {
            return; // "./": the directory itself keeps its own mode
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            LOG.debug("context tar: skipping device or FIFO {}", name);
            return;
        }
        if (entry.isGlobalPaxHeader()) {
            return;
        }
        Path target = parentsCreated(name).resolve(TreePaths.baseName("/" + name));
        BasicFileAttributes existing = attributesOrNull(target);
        if (entry.isDirectory()) {
            if (existing == null || !existing.isDirectory()) {
                removeIfPresent(target, existing);
                Files.createDirectory(target);
            }
            setXattrs(target, entry);
            directories.add(new DirectoryFinish(target, entry.getMode(), entry.getLastModifiedTime()));
            return;
        }
        if (entry.isLink()) {
            Path source = existingInside(confinedName(entry.getLinkName()), entry.getName());
            if (source.equals(target)) {
                return;
            }
            removeIfPresent(target, existing);
            Files.createLink(target, source);
            return;
        }
        removeIfPresent(target, existing);
        if (entry.isSymbolicLink()) {
            Files.createSymbolicLink(target, path(entry.getLinkName(), entry.getName()));
            setTime(target, entry.getLastModifiedTime());
            return;
        }
        if (!entry.isFile()) {
            LOG.debug("context tar: skipping {} of unsupported type", name);
            return;
        }
        // CREATE_NEW with NOFOLLOW_LINKS: if anything appeared at the name since, fail instead of
        // writing through it.
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            content.transferTo(out);
        }
        setXattrs(target, entry);
        setMode(target, entry.getMode());
        setTime(target, entry.getLastModifiedTime());
    }

    /**
     * The entry name relative to the root, cleaned; {@code ""} for the root itself.
     *
     * @throws IOException when it climbs out of the root
     */
    private static String confinedName(String name) throws IOException {
        String cleaned = GoPaths.clean(name);
        if (cleaned.equals("..") || cleaned.startsWith("../")) {
            throw new IOException("context tar: entry \"" + name + "\" points outside the context");
        }
        // An absolute name is taken from the root; Clean already dropped any ".." above "/".
        while (cleaned.startsWith("/")) {
            cleaned = cleaned.substring(1);
        }
        return cleaned.equals(".") ? "" : cleaned;
    }

    /** The directory that holds {@code name}, creating missing real directories on the way. */
    private Path parentsCreated(String name) throws IOException {
        String[] elements = name.split("/");
        Path dir = root;
        for (int i = 0; i < elements.length - 1; i++) {
            dir = dir.resolve(elements[i]);
            BasicFileAttributes a = attributesOrNull(dir);
            if (a == null) {
                Files.createDirectory(dir);
            } else if (!a.isDirectory() || a.isSymbolicLink()) {
                throw new IOException("context tar: entry \"" + name + "\" goes through "
                        + (a.isSymbolicLink() ? "a symbolic link" : "a non-directory") + " at \""
                        + root.relativize(dir) + "\"");
            }
        }
        return dir;
    }

    /** The extracted non-directory a hard link names, reached through real directories only. */
    private Path existingInside(String name, String linkEntry) throws IOException {
        String[] elements = name.isEmpty() ? new String[0] : name.split("/");
        Path p = root;
        for (int i = 0; i < elements.length; i++) {
            p = p.resolve(elements[i]);
            BasicFileAttributes a = attributesOrNull(p);
            boolean last = i == elements.length - 1;
            if (a == null || (!last && (a.isSymbolicLink() || !a.isDirectory())) || (last && a.isDirectory())) {
                throw new IOException("context tar: hard link \"" + linkEntry + "\" names \"" + name
                        + "\", which is not a file extracted before it");
            }
        }
        if (elements.length == 0) {
            throw new IOException("context tar: hard link \"" + linkEntry + "\" names the context directory");
        }
        return p;
    }

    private static BasicFileAttributes attributesOrNull(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Removes what is at {@code p} (a link itself, never its target; a directory with its contents). */
    private static void removeIfPresent(Path p, BasicFileAttributes existing) throws IOException {
        if (existing == null) {
            return;
        }
        dev.jbuild.store.FileTrees.deleteTree(p);
    }

    private static Path path(String linkTarget, String entryName) throws IOException {
        try {
            return Path.of(linkTarget);
        } catch (InvalidPathException e) {
            throw new IOException("context tar: symbolic link \"" + entryName + "\" has an invalid target", e);
        }
    }

    private static void setMode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }

    /** Sets the time of {@code p} itself; where a link's own time cannot be set, it keeps its own. */
    private static void setTime(Path p, FileTime mtime) {
        try {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, null, null);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("context tar: cannot set the time of {}: {}", p, e.toString());
        }
    }

    /** {@code user.*} xattrs from PAX records; best effort, as the filesystem may not have them. */
    private static void setXattrs(Path p, TarArchiveEntry entry) {
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            String key = header.getKey();
            if (!key.startsWith(PAX_XATTR + "user.")) {
                continue;
            }
            try {
                UserDefinedFileAttributeView view = Files.getFileAttributeView(
                        p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                if (view != null) {
                    view.write(key.substring(PAX_XATTR.length() + "user.".length()),
                            ByteBuffer.wrap(header.getValue().getBytes(StandardCharsets.UTF_8)));
                }
            } catch (IOException | UnsupportedOperationException e) {
                LOG.debug("context tar: cannot set {} on {}: {}", key, p, e.toString());
            }
        }
    }

    /** Deepest first, so that a read-only directory is locked only after everything below it is in. */
    private void finishDirectories() throws IOException {
        directories.sort(Comparator.comparingInt((DirectoryFinish d) -> d.dir().getNameCount()).reversed());
        for (DirectoryFinish d : directories) {
            BasicFileAttributes a = attributesOrNull(d.dir());
            if (a == null || !a.isDirectory() || a.isSymbolicLink()) {
                continue; // replaced by a later entry
            }
            setMode(d.dir(), d.mode());
            setTime(d.dir(), d.mtime());
        }
    }
}
