package dev.jbuild.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies tar members of one layer to a root directory, one at a time, never writing outside it: the one
 * safe extractor, for layers ({@link TarRules#LAYER}) and context tars ({@link TarRules#CONTEXT}).
 *
 * <p>Rules (Docker/containerd behaviour unless noted):
 * <ul>
 *   <li>names are cleaned lexically ("..", leading '/'), then the parent is resolved with
 *       {@link RootedResolver} (symlinks followed inside the root) and created if missing, with mode 0755
 *       or the attributes {@link LayerExtractor.MissingDirectories} gives;
 *       the last component is never followed. Without {@link TarRules#resolveInRoot()} (context tars) a
 *       name or hard link target that climbs out with ".." fails, and so does a path through a symlink;</li>
 *   <li>a later entry replaces an earlier one at the same path, except that a directory over a directory
 *       merges (only its attributes change);</li>
 *   <li>with {@link TarRules#whiteouts()}, {@code .wh.name} deletes {@code name} and {@code .wh..wh..opq}
 *       empties its directory, but only of what lower layers put there: anything this layer wrote (before or
 *       after the marker) stays;</li>
 *   <li>hard links must point to an existing non-directory inside the root (a link to itself changes
 *       nothing, as GNU tar has it);</li>
 *   <li>directory modes and mtimes are applied at the end, deepest first, so read-only directories can
 *       still be filled and mtimes are not disturbed by later children;</li>
 *   <li>ownership only when running as root (rootless builds map ids later); xattrs only in the
 *       {@code user.} namespace (the JDK cannot set others); devices only as root and only with
 *       {@link TarRules#specialFiles()}; these are warnings.</li>
 * </ul>
 */
final class LayerApplier {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int IMPLICIT_DIR_MODE = 0755;

    private record PendingDir(int mode, Instant mtime) {
    }

    private final Path root;
    private final RootedResolver resolver;
    private final boolean privileged;
    private final boolean applyOwnership;
    private final SpecialFiles specialFiles;
    private final LayerExtractor.MissingDirectories missingDirectories;
    private final TarRules rules;
    private final Warnings warnings;
    /** Regular files' {@code security.capability}, for the caller to set after the layer (chown would clear it). */
    private final boolean returnCapabilities;
    private final Map<Path, byte[]> capabilities = new LinkedHashMap<>();
    /** Everything this layer created or kept, with ancestors: what an opaque marker must not remove. */
    private final Set<Path> written = new HashSet<>();
    private final Map<Path, PendingDir> pendingDirs = new LinkedHashMap<>();
    /** Lower-layer directories made writable for a rootless extraction, with their original mode. */
    private final Map<Path, Integer> modesToRestore = new LinkedHashMap<>();
    private final byte[] buffer = new byte[64 * 1024];

    LayerApplier(Path realRoot, boolean privileged, boolean applyOwnership,
            LayerExtractor.MissingDirectories missingDirectories, TarRules rules, Warnings warnings) {
        this(realRoot, privileged, applyOwnership, missingDirectories, rules, warnings, false);
    }

    LayerApplier(Path realRoot, boolean privileged, boolean applyOwnership,
            LayerExtractor.MissingDirectories missingDirectories, TarRules rules, Warnings warnings,
            boolean returnCapabilities) {
        this.returnCapabilities = returnCapabilities;
        this.root = realRoot;
        this.resolver = new RootedResolver(realRoot);
        this.privileged = privileged;
        this.applyOwnership = applyOwnership;
        this.specialFiles = new SpecialFiles(privileged);
        this.missingDirectories = missingDirectories;
        this.rules = rules;
        this.warnings = warnings;
    }

    void apply(TarHeader h, InputStream content) throws IOException {
        refuseClimbing("entry", h.name(), h.name());
        String name = LayerPaths.clean(h.name());
        if (name.isEmpty()) {
            if (rules.rootEntry()) {
                applyToRoot(h);
            }
            return;
        }
        String base = LayerPaths.baseName(name);
        String parentName = LayerPaths.parent(name);
        if (rules.whiteouts() && base.startsWith(EntryPaths.WHITEOUT_PREFIX)) {
            applyWhiteout(h, parentName, base);
            return;
        }
        // Without resolving in the root, the parent is taken as named: ensureDirectories then refuses a
        // symlink on the way instead of following it.
        Path parent = rules.resolveInRoot() ? resolver.resolve(parentName) : RawNames.child(root, parentName);
        ensureDirectories(parent, name);
        Path target = RawNames.child(parent, base);
        switch (h.type()) {
            case TarHeader.DIRECTORY -> directory(target, h);
            case TarHeader.REGULAR, TarHeader.REGULAR_OLD, TarHeader.CONTIGUOUS -> regularFile(target, h, content);
            case TarHeader.SYMLINK -> symlink(target, h);
            case TarHeader.HARDLINK -> hardlink(target, h);
            case TarHeader.CHAR_DEVICE, TarHeader.BLOCK_DEVICE, TarHeader.FIFO -> special(target, h);
            default -> {
                warnings.add("unsupported tar member types skipped", name + " (" + h.typeName() + ")");
                return;
            }
        }
        markWritten(target);
    }

    /** Without {@link TarRules#resolveInRoot()}, a name that climbs out with ".." fails the extraction. */
    private void refuseClimbing(String what, String name, String entry) throws LayerException {
        if (!rules.resolveInRoot() && LayerPaths.climbsOut(name)) {
            throw new LayerException(what + " \"" + RawNames.display(entry) + "\" points outside the "
                    + rules.rootName() + (name.equals(entry) ? "" : ": " + RawNames.display(name)));
        }
    }

    /** Applies pending directory modes and mtimes, deepest first; skips anything replaced meanwhile. */
    void finish() throws IOException {
        Map<Path, PendingDir> all = new LinkedHashMap<>();
        modesToRestore.forEach((dir, mode) -> all.put(dir, new PendingDir(mode, null)));
        all.putAll(pendingDirs);
        List<Path> order = new ArrayList<>(all.keySet());
        order.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path dir : order) {
            // Re-check: a later entry may have replaced the directory, or a parent, with a symlink.
            if (!resolver.isFreeOfSymlinks(dir) || !Files.isDirectory(dir, NOFOLLOW)) {
                continue;
            }
            PendingDir p = all.get(dir);
            chmod(dir, p.mode());
            if (p.mtime() != null) {
                setMtime(dir, p.mtime());
            }
        }
    }

    private void applyToRoot(TarHeader h) throws IOException {
        if (h.type() != TarHeader.DIRECTORY) {
            warnings.add("non-directory entries for the root ignored", h.name());
            return;
        }
        chown(root, h);
        setXattrs(root, h);
        pendingDirs.put(root, new PendingDir(h.mode(), h.mtime()));
    }

    private void directory(Path target, TarHeader h) throws IOException {
        BasicFileAttributes existing = lstat(target);
        if (existing != null && !existing.isDirectory()) {
            removeExisting(target);
            existing = null;
        }
        if (existing == null) {
            makeWritable(target.getParent());
            Files.createDirectory(target);
        } else {
            makeWritable(target); // the layer's own mode is applied at the end
        }
        chown(target, h);
        setXattrs(target, h);
        pendingDirs.put(target, new PendingDir(h.mode(), h.mtime()));
        modesToRestore.remove(target);
    }

    private void regularFile(Path target, TarHeader h, InputStream content) throws IOException {
        removeExisting(target);
        // CREATE_NEW is O_EXCL: it fails rather than follow anything that appeared at the name.
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            int n;
            while ((n = content.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
        chown(target, h);
        setXattrs(target, h);
        chmod(target, h.mode()); // after chown, which clears setuid/setgid
        setMtime(target, h.mtime());
    }

    private void symlink(Path target, TarHeader h) throws IOException {
        if (h.linkName().isEmpty()) {
            warnings.add("symlinks with an empty target skipped", h.name());
            return;
        }
        removeExisting(target);
        // The target is data: stored as given (Path normalises repeated and trailing '/'), never resolved.
        Files.createSymbolicLink(target, RawNames.path(h.linkName()));
        chown(target, h);
        if (!h.xattrs().isEmpty()) {
            warnings.add("xattrs on symlinks not applied", h.name());
        }
        setMtime(target, h.mtime());
    }

    private void hardlink(Path target, TarHeader h) throws IOException {
        refuseClimbing("hard link", h.linkName(), h.name());
        String linkName = LayerPaths.clean(h.linkName());
        if (linkName.isEmpty()) {
            throw new LayerException("hard link " + h.name() + " points to the root");
        }
        Path linkParent;
        if (rules.resolveInRoot()) {
            linkParent = resolver.resolve(LayerPaths.parent(linkName));
        } else {
            linkParent = RawNames.child(root, LayerPaths.parent(linkName));
            if (!resolver.isFreeOfSymlinks(linkParent)) {
                throw new LayerException("hard link " + h.name() + " points to " + h.linkName()
                        + " through a symbolic link");
            }
        }
        Path existing = RawNames.child(linkParent, LayerPaths.baseName(linkName));
        BasicFileAttributes a = lstat(existing);
        if (a == null) {
            throw new LayerException("hard link " + h.name() + " points to " + h.linkName()
                    + ", which does not exist in the root");
        }
        if (a.isDirectory()) {
            throw new LayerException("hard link " + h.name() + " points to a directory: " + h.linkName());
        }
        if (existing.equals(target)) {
            return; // "tar cf x.tar f f" stores the second f as a link to itself: the file is already there
        }
        removeExisting(target);
        Files.createLink(target, existing); // link(2) does not follow a symlink at 'existing'
    }

    private void special(Path target, TarHeader h) throws IOException {
        if (!rules.specialFiles()) {
            warnings.add("device nodes and fifos skipped", h.name());
            return;
        }
        removeExisting(target);
        Optional<String> failure = specialFiles.create(target, h.type(), h.devMajor(), h.devMinor());
        if (failure.isPresent()) {
            warnings.add(h.typeName() + " nodes not created (" + failure.get() + ")", h.name());
            return;
        }
        chown(target, h);
        chmod(target, h.mode());
        // No mtime: the JDK sets times by opening the file, which blocks on a fifo and may have side
        // effects on a device. The node's own mtime is rarely meaningful.
    }

    private void applyWhiteout(TarHeader h, String parentName, String base) throws IOException {
        Path parent = resolver.resolve(parentName);
        if (base.equals(EntryPaths.OPAQUE_MARKER)) {
            if (Files.isDirectory(parent, NOFOLLOW)) {
                markWritten(parent);
                clearLowerContent(parent);
            }
            return;
        }
        String victimName = base.substring(EntryPaths.WHITEOUT_PREFIX.length());
        if (victimName.isEmpty() || victimName.equals(".") || victimName.equals("..")) {
            throw new LayerException("invalid whiteout " + h.name() + ": it names no entry");
        }
        if (!Files.isDirectory(parent, NOFOLLOW)) {
            return; // nothing below to delete
        }
        Path victim = RawNames.child(parent, victimName);
        if (!written.contains(victim)) { // whiteouts hide lower layers only, never this layer's entries
            removeExisting(victim);
        }
    }

    private void clearLowerContent(Path dir) throws IOException {
        makeWritable(dir);
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        for (Path child : children) {
            if (!written.contains(child)) {
                removeExisting(child);
            } else if (Files.isDirectory(child, NOFOLLOW)) {
                clearLowerContent(child);
            }
        }
    }

    private void markWritten(Path path) {
        for (Path p = path; p != null && !p.equals(root) && written.add(p); p = p.getParent()) {
            // ancestors are added until one is already known
        }
    }

    /** Creates missing directories down to {@code dir}; every existing component must be a directory. */
    private void ensureDirectories(Path dir, String entryName) throws IOException {
        if (dir.equals(root)) {
            return;
        }
        Path current = root;
        for (Path part : root.relativize(dir)) {
            current = current.resolve(part);
            BasicFileAttributes a = lstat(current);
            if (a == null) {
                makeWritable(current.getParent());
                Files.createDirectory(current);
                Optional<EntryAttributes> given = missingDirectories.attributes(root.relativize(current).toString());
                if (given.isPresent()) {
                    // Like a directory entry: owner and xattrs now, mode and mtime at the end.
                    EntryAttributes attrs = given.get();
                    chown(current, attrs.uid(), attrs.gid(), entryName);
                    setXattrs(current, attrs.xattrs(), entryName);
                    pendingDirs.put(current, new PendingDir(attrs.mode(), attrs.mtime()));
                } else {
                    chmod(current, IMPLICIT_DIR_MODE);
                }
            } else if (a.isSymbolicLink()) {
                throw new LayerException("cannot create " + entryName + ": it goes through a symbolic link at "
                        + resolver.display(current));
            } else if (!a.isDirectory()) {
                throw new LayerException("cannot create " + entryName + ": " + resolver.display(current)
                        + " is not a directory");
            }
        }
    }

    /** Removes whatever is at {@code path} (recursively for a directory); symlinks are removed, not followed. */
    private void removeExisting(Path path) throws IOException {
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalStateException("refusing to remove " + path + " (root " + root + ")");
        }
        BasicFileAttributes a = lstat(path);
        if (a == null) {
            return;
        }
        if (!capabilities.isEmpty()) {
            capabilities.keySet().removeIf(p -> p.startsWith(path));
        }
        makeWritable(path.getParent());
        removeTree(path, a);
    }

    private void removeTree(Path path, BasicFileAttributes a) throws IOException {
        if (a.isDirectory()) {
            if (!privileged) {
                forceOwnerAccess(path);
            }
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
                stream.forEach(children::add);
            }
            for (Path child : children) {
                BasicFileAttributes ca = lstat(child);
                if (ca != null) {
                    removeTree(child, ca);
                }
            }
            pendingDirs.remove(path);
            modesToRestore.remove(path);
        }
        Files.delete(path);
    }

    /**
     * Rootless only: a directory from a lower layer may be read-only (0555); we own it, so add owner rwx
     * now and put the original mode back at the end. Root bypasses permission checks and needs none of this.
     */
    private void makeWritable(Path dir) throws IOException {
        if (privileged || Files.isWritable(dir)) {
            return;
        }
        Integer original = forceOwnerAccess(dir);
        if (original != null && !pendingDirs.containsKey(dir)) {
            modesToRestore.putIfAbsent(dir, original);
        }
    }

    private Integer forceOwnerAccess(Path dir) throws IOException {
        int mode = ((Integer) Files.getAttribute(dir, "unix:mode", NOFOLLOW)) & 07777;
        if ((mode & 0700) == 0700) {
            return null;
        }
        chmod(dir, mode | 0700);
        return mode;
    }

    private void chown(Path path, TarHeader h) {
        chown(path, h.uid(), h.gid(), h.name());
    }

    private void chown(Path path, long uid, long gid, String name) {
        if (!applyOwnership || !privileged) {
            return; // rootless: ids are mapped later through the user namespace
        }
        if (uid > Integer.MAX_VALUE || gid > Integer.MAX_VALUE) {
            warnings.add("ownership beyond 2^31 not applied", name);
            return;
        }
        try {
            Files.setAttribute(path, "unix:uid", (int) uid, NOFOLLOW);
            Files.setAttribute(path, "unix:gid", (int) gid, NOFOLLOW);
        } catch (IOException | UnsupportedOperationException e) {
            warnings.add("ownership not applied", name + " (" + uid + ":" + gid + ")");
        }
    }

    private static void chmod(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode); // keeps setuid/setgid/sticky, unlike PosixFilePermission
    }

    private void setXattrs(Path path, TarHeader h) {
        setXattrs(path, h.xattrs(), h.name());
    }

    /** The file capabilities the layer gave its regular files, when asked to return them. */
    Map<Path, byte[]> capabilities() {
        return capabilities;
    }

    private void setXattrs(Path path, Map<String, byte[]> xattrs, String name) {
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            String key = x.getKey();
            if (returnCapabilities && key.equals("security.capability") && Files.isRegularFile(path, NOFOLLOW)) {
                capabilities.put(path, x.getValue().clone());
                continue;
            }
            if (!key.startsWith("user.")) {
                warnings.add("xattrs outside user.* not applied (no JDK API)", name + " " + key);
                continue;
            }
            try {
                UserDefinedFileAttributeView view = Files.getFileAttributeView(path,
                        UserDefinedFileAttributeView.class, NOFOLLOW);
                view.write(key.substring("user.".length()), ByteBuffer.wrap(x.getValue()));
            } catch (IOException | UnsupportedOperationException | NullPointerException e) {
                warnings.add("xattrs not applied (filesystem refused)", name + " " + key);
            }
        }
    }

    private static void setMtime(Path path, Instant mtime) {
        FileTime t = FileTime.from(mtime);
        try {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, t, null);
        } catch (IOException e) {
            // Symlink times are not settable everywhere; an mtime is not worth failing a layer for.
        }
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }
}
