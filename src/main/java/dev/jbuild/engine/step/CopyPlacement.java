package dev.jbuild.engine.step;

import dev.jbuild.context.CopySelection;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.context.FileKind;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.dockerfile.Node;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.fs.FsViewTree;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.layer.DeviceKind;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.RootedResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the entries of the layer a {@code COPY} ({@link CopyStep}) or {@code ADD} ({@link AddStep}) writes
 * land, and with which owner and mode; the steps choose the sources ({@link CopySelection}), this class,
 * shared by both, places them:
 *
 * <ul>
 *   <li>the destination is relative to WORKDIR; it is a directory when it ends in {@code /}, with
 *       {@code --parents}, or when it already is one in the image (not with {@code --link}, whose
 *       layer must not depend on the image). Several sources (counted after wildcard expansion)
 *       need such a directory, else the step fails (see {@link #intoDirectory});
 *   <li>every directory the step creates is an entry of the layer: missing parents of the
 *       destination get mode 0755 and the {@code --chown} owner, directories an ADDed archive only
 *       implies get 0755 and 0:0;
 *   <li>files from the context get owner 0:0, files from stages and images keep theirs, unless
 *       {@code --chown} ({@link UserDatabase#fileOwner}); {@code --chmod} applies to files and
 *       directories alike, not to symbolic links;
 *   <li>hard links are kept among the files of one source (one wildcard match), not across
 *       sources, as BuildKit copies each on its own;
 *   <li>paths are resolved through the image's symlinks, inside the image.
 * </ul>
 */
final class CopyPlacement {

    private final BuildSession session;
    private final ImageState state;
    /** The stage's tree, as the step found it. */
    private final FsView fs;

    CopyPlacement(BuildSession session, ImageState state, FsView fs) {
        this.session = session;
        this.state = state;
        this.fs = fs;
    }

    /** Owner and mode rules of one instruction. */
    record Placement(UserDatabase.Ids owner, FileMode chmod, boolean keepOwnership, boolean link) {
        EntryAttributes attributes(SourceFile file) {
            // A symbolic link has no mode of its own (Linux ignores it); BuildKit's copy leaves its 0777.
            int mode = chmod == null || file.isSymlink() ? file.mode() : chmod.applyTo(file.mode(), file.isDirectory());
            long uid = owner != null ? owner.uid() : keepOwnership ? file.uid() : 0;
            long gid = owner != null ? owner.gid() : keepOwnership ? file.gid() : 0;
            return new EntryAttributes(mode, uid, gid, file.mtime(), file.xattrs());
        }

        /** A directory the copy creates (missing parents of the destination, the destination itself). */
        EntryAttributes newDirectory(Instant time) {
            return newFile(0755, time);
        }

        /** A heredoc or a download: owned by root unless {@code --chown}. */
        EntryAttributes newFile(int mode, Instant time) {
            return new EntryAttributes(mode, owner == null ? 0 : owner.uid(), owner == null ? 0 : owner.gid(), time, Map.of());
        }
    }

    Placement placement(String keyword, Node node, String chown, String chmod,
            boolean keepOwnership, boolean link,
            Map<String, String> scope, Location at) throws BuildException, IOException {
        UserDatabase.Ids owner = null;
        if (chown != null) {
            String spec = session.expand(chown, scope, at);
            owner = Ownership.resolve(session, state, spec,
                    unknown -> session.listener().warning(at.prefix() + ": " + Ownership.forChown(keyword, spec) + ": " + unknown));
        }
        FileMode mode;
        try {
            mode = chmod == null ? null : FileMode.parse(session.expand(chmod, scope, at));
        } catch (IllegalArgumentException e) {
            throw new BuildException(at, e.getMessage(), e, node.positions().flag("chmod", 0));
        }
        return new Placement(owner, mode, keepOwnership, link);
    }

    static List<String> fileSources(List<String> words) {
        return words.stream().filter(word -> !word.startsWith("<<")).toList();
    }

    List<Heredoc> heredocs(List<Heredoc> heredocs, List<String> words, Location at) throws BuildException {
        List<Heredoc> named = new ArrayList<>();
        for (String word : words) {
            if (word.startsWith("<<")) {
                named.add(heredoc(heredocs, word.substring(2), at));
            }
        }
        return named;
    }

    List<CopySelection.Selected> select(Location at, SourceTree tree, List<String> fileSources,
            CopySelection.CopyFlags flags) throws BuildException, IOException {
        if (fileSources.isEmpty()) {
            return List.of();
        }
        try {
            return CopySelection.select(tree, fileSources, flags);
        } catch (DockerIgnoreException e) {
            throw new BuildException(at, "invalid --exclude pattern: " + e.getMessage(), e);
        }
    }

    /**
     * Whether what is copied goes below the destination (else it is the destination). BuildKit has
     * no rule of its own for several sources: each is copied in turn, into the destination when that
     * is a directory by then, else over it (moby/buildkit#1853). So several sources go into an
     * existing directory, and into a missing destination only when it ends in {@code /}; otherwise
     * jbuild keeps the classic builder's error rather than let the last source overwrite the
     * others. {@code count} is what is left after wildcard expansion: a pattern that matched
     * nothing is no source.
     */
    boolean intoDirectory(String destination, int count, boolean parents, Placement placement, Location at)
            throws BuildException, IOException {
        if (parents || endsAsDirectory(destination) || isExistingDirectory(destination, placement)) {
            return true;
        }
        if (count > 1) {
            throw new BuildException(at, "when using COPY with more than one source file, the destination must be a directory and end with a /");
        }
        return false;
    }

    /** Heredoc sources, placed after the file sources as BuildKit does (a later one wins a name). */
    void placeHeredocs(Map<String, LayerEntry> entries, List<Heredoc> heredocs, String destination,
            boolean intoDirectory, Placement placement, Location at) throws BuildException, IOException {
        for (Heredoc heredoc : heredocs) {
            String target = resolveTarget(destination, intoDirectory ? heredoc.name() : null, placement);
            byte[] content = heredocContent(session, state, heredoc, at);
            int mode = placement.chmod() == null ? 0644 : placement.chmod().applyTo(0644, false);
            addParents(entries, LayerPaths.parent(target), placement);
            LayerEntry file = LayerEntry.RegularFile.of(target, placement.newFile(mode, session.createdDirTime()), content);
            checkReplaceable(entries, file, placement, at);
            entries.put(target, file);
        }
    }

    void placeFiles(Map<String, LayerEntry> entries, Location at, List<CopySelection.Selected> selected,
            String destination, boolean intoDirectory, SourceTree tree, CopySelection.CopyFlags flags,
            Placement placement, boolean unpack) throws BuildException, IOException {
        if (selected.isEmpty()) {
            return;
        }
        if (tree instanceof FsViewTree viewTree) {
            List<SourceFile> files = new ArrayList<>();
            selected.forEach(s -> s.members().forEach(m -> files.add(m.file())));
            viewTree.prefetch(files);
        }
        String destinationDir = resolveTarget(destination, null, placement);
        // fsutil's copier keeps hard links among what one copy writes; each copy has its own.
        Map<Object, String> firstPathOfFile = new HashMap<>();
        int copy = selected.get(0).copy();
        for (CopySelection.Selected selection : selected) {
            if (selection.copy() != copy) {
                copy = selection.copy();
                firstPathOfFile.clear();
            }
            boolean contentsOnly = selection.root().isDirectory() && selection.destinationName().isEmpty();
            String base = contentsOnly || !intoDirectory
                    ? destinationDir
                    : resolveTarget(destination, selection.destinationName(), placement);
            if (unpack && selection.root().isRegularFile() && !flags.parents()) {
                Optional<List<LayerEntry>> unpacked = ArchiveSource.entries(tree, selection.root(),
                        destinationDir, placement.owner(), session.scratchDir());
                if (unpacked.isPresent()) {
                    addParents(entries, destinationDir, placement);
                    for (LayerEntry entry : unpacked.get()) {
                        addImpliedDirectories(entries, destinationDir, entry.path(), placement);
                        entries.put(entry.path(), entry);
                    }
                    continue;
                }
            }
            if (selection.parentDirectories().isEmpty()) {
                addParents(entries, contentsOnly ? base : LayerPaths.parent(base), placement);
            } else {
                addParents(entries, destinationDir, placement);
                addParentDirectories(entries, selection, base, placement);
            }
            for (CopySelection.Member member : selection.members()) {
                String path = member.relativePath().isEmpty() ? base : LayerPaths.join(base, member.relativePath());
                if (member.relativePath().isEmpty() && contentsOnly) {
                    continue; // the destination directory itself: created by addParents when missing
                }
                LayerEntry entry = toEntry(path, member.file(), tree, placement, firstPathOfFile);
                if (entry != null && !path.isEmpty()) {
                    checkReplaceable(entries, entry, placement, at);
                    entries.put(path, entry);
                } else if (entry == null) {
                    session.listener().warning(at.prefix() + ": skipped " + RawNames.display(member.file().path())
                            + ": a socket cannot be put in a layer");
                }
            }
        }
    }

    /**
     * BuildKit's copier writes each entry over what is at its path, without following a symlink there: a file
     * replaces a file or a link, but not a directory, and a directory goes only into a directory (a link to
     * one included). Both are errors, in BuildKit's words, rather than a directory of the image lost to a
     * file or a link replaced by a directory. An earlier source of the same instruction counts as there.
     * With {@code --link} the layer does not depend on the image, and the layers merge instead.
     */
    private void checkReplaceable(Map<String, LayerEntry> entries, LayerEntry entry, Placement placement, Location at)
            throws BuildException {
        if (placement.link()) {
            return;
        }
        String path = entry.path();
        LayerEntry earlier = entries.get(path);
        RootedResolver.Entry there = earlier == null ? fs.entryAt(path)
                : earlier instanceof LayerEntry.Directory ? RootedResolver.Entry.DIRECTORY : RootedResolver.Entry.OTHER;
        boolean directory = entry instanceof LayerEntry.Directory;
        if (!directory && there instanceof RootedResolver.Entry.Directory) {
            throw new BuildException(at, "cannot replace to directory " + LayerPaths.absolute(path) + " with file");
        }
        if (directory && !(there instanceof RootedResolver.Entry.Directory) && !(there instanceof RootedResolver.Entry.Missing)) {
            throw new BuildException(at, "cannot copy to non-directory: " + LayerPaths.absolute(path));
        }
    }

    private LayerEntry toEntry(String path, SourceFile file, SourceTree tree, Placement placement,
            Map<Object, String> firstPathOfFile) {
        EntryAttributes attributes = placement.attributes(file);
        switch (file.kind()) {
            case DIRECTORY:
                return new LayerEntry.Directory(path, attributes);
            case SYMLINK:
                return new LayerEntry.Symlink(path, attributes, file.linkTarget());
            case FILE:
                if (file.fileKey() != null) {
                    String first = firstPathOfFile.putIfAbsent(file.fileKey(), path);
                    if (first != null && !first.equals(path)) {
                        return new LayerEntry.Hardlink(path, attributes, first);
                    }
                }
                return new LayerEntry.RegularFile(path, attributes, file.size(), () -> tree.open(file));
            case FIFO:
                return new LayerEntry.Fifo(path, attributes);
            case CHARACTER_DEVICE:
            case BLOCK_DEVICE:
                return new LayerEntry.Device(path, attributes,
                        file.kind() == FileKind.CHARACTER_DEVICE ? DeviceKind.CHARACTER : DeviceKind.BLOCK,
                        file.device().major(), file.device().minor());
            default:
                return null; // a socket: tar has no type for it (BuildKit's transfer turns it into an empty file)
        }
    }

    /** With --parents: the source's own directories above each copied entry, created when missing. */
    private void addParentDirectories(Map<String, LayerEntry> entries, CopySelection.Selected selection, String base,
            Placement placement) throws IOException {
        List<SourceFile> parents = selection.parentDirectories();
        String dir = LayerPaths.parent(base);
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < parents.size(); i++) {
            chain.add(0, dir);
            dir = LayerPaths.parent(dir);
        }
        for (int i = 0; i < parents.size(); i++) {
            String path = chain.get(i);
            if (!path.isEmpty() && !entries.containsKey(path) && (placement.link() || !fs.isDirectory(path))) {
                entries.put(path, new LayerEntry.Directory(path, placement.attributes(parents.get(i))));
            }
        }
    }

    /**
     * Creates {@code directory} and every missing directory above it, owned by the {@code --chown}
     * user; a file where a directory must be fails the step, as in BuildKit.
     */
    void addParents(Map<String, LayerEntry> entries, String directory, Placement placement) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String dir = directory; !dir.isEmpty(); dir = LayerPaths.parent(dir)) {
            if (entries.containsKey(dir) || !placement.link() && !fs.mustCreateDirectory(dir)) {
                break;
            }
            missing.add(0, dir);
        }
        for (String dir : missing) {
            entries.put(dir, new LayerEntry.Directory(dir, placement.newDirectory(session.createdDirTime())));
        }
    }

    /**
     * The directories an archive implies but has no entries for ({@code implicit/} of
     * {@code implicit/child.txt}), between {@code top} and {@code path}: created 0755 and owned by
     * root whatever {@code --chown} says, as moby's untar creates them; an entry of the archive
     * for the directory itself, later in the tar, replaces it.
     */
    private void addImpliedDirectories(Map<String, LayerEntry> entries, String top, String path, Placement placement)
            throws IOException {
        List<String> missing = new ArrayList<>();
        for (String dir = LayerPaths.parent(path); !dir.equals(top) && !dir.isEmpty(); dir = LayerPaths.parent(dir)) {
            if (entries.containsKey(dir) || !placement.link() && fs.isDirectory(dir)) {
                break;
            }
            missing.add(0, dir);
        }
        for (String dir : missing) {
            entries.put(dir, new LayerEntry.Directory(dir, new EntryAttributes(0755, 0, 0, session.createdDirTime(), Map.of())));
        }
    }

    /**
     * The layer path for {@code destination} (plus {@code name} below it when not null), relative to
     * WORKDIR and resolved through the image's symlinks unless {@code --link}: every component, the
     * last one too, as BuildKit's copy resolves its destination with {@code fs.RootPath} (a link to a
     * file is written through, a dangling link leads to its target's path).
     */
    String resolveTarget(String destination, String name, Placement placement) throws IOException {
        String absolute = destination.startsWith("/") ? destination : state.workingDir() + "/" + destination;
        String path = LayerPaths.clean(absolute);
        if (!placement.link()) {
            path = fs.writePath(path);
        }
        return name == null || name.isEmpty() ? path : LayerPaths.join(path, LayerPaths.clean(name));
    }

    private boolean isExistingDirectory(String destination, Placement placement) throws IOException {
        if (placement.link()) {
            return false;
        }
        String absolute = destination.startsWith("/") ? destination : state.workingDir() + "/" + destination;
        return fs.isDirectory(LayerPaths.clean(absolute));
    }

    private static boolean endsAsDirectory(String destination) {
        return destination.isEmpty() || destination.endsWith("/") || destination.equals(".") || destination.endsWith("/.");
    }

    private Heredoc heredoc(List<Heredoc> heredocs, String name, Location at) throws BuildException {
        for (Heredoc heredoc : heredocs) {
            if (heredoc.name().equals(name)) {
                return heredoc;
            }
        }
        throw new BuildException(at, "no heredoc named " + name);
    }

    /**
     * A heredoc's bytes. A quoted delimiter keeps the text as written; an unquoted one expands
     * variables and backslash escapes but not quotes, as BuildKit does.
     */
    static byte[] heredocContent(BuildSession session, ImageState state, Heredoc heredoc, Location at)
            throws BuildException {
        String content = heredoc.content();
        if (!heredoc.expand()) {
            return content.getBytes(StandardCharsets.UTF_8);
        }
        return session.expandHeredocBody(content, state.expansionScope(), at).getBytes(StandardCharsets.UTF_8);
    }

    List<String> expandAll(List<String> words, Map<String, String> scope, Location at) throws BuildException {
        List<String> result = new ArrayList<>();
        for (String word : words) {
            result.add(session.expand(word, scope, at));
        }
        return result;
    }
}
