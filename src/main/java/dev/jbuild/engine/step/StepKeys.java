package dev.jbuild.engine.step;

import dev.jbuild.context.CopySelection;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.context.FileKind;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.cache.CacheKey;
import dev.jbuild.engine.fs.FileDigests;
import dev.jbuild.engine.fs.FsViewTree;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.layer.TooManyLinksException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cache key of each step (see docs/caching.md): the parent key (the base image's manifest
 * digest, or the previous step's key), the platform and the build-wide settings that shape layers,
 * the complete instruction as written, the USER, WORKDIR and SHELL in force, and what the step can
 * see: for metadata instructions the whole config they lead to; for RUN the environment (ENV and
 * ARGs), network and mounts with the content of bind-mount sources; for COPY/ADD the expanded
 * arguments and, for every file the sources select, its path, type, mode, ids as written, link
 * target, xattrs and content digest. Modification times are left out, so touching a file keeps the
 * cache. Secret values and files never enter a key; secret ids, and whether one was given, do.
 *
 * <p>Each {@link Step} owns its key ({@link Step#inputKey}, {@link Step#resultKey}); this class holds the
 * parts several kinds share: the common head, the key of a result, and what COPY and ADD select.
 */
final class StepKeys {

    /** How the destination directory of a directory's contents is keyed (see copyOrAdd). */
    private static final SourceFile DESTINATION_DIRECTORY =
            new SourceFile("/", FileKind.DIRECTORY, 0755, 0, 0, 0, Instant.EPOCH, null, Map.of(), null);

    private StepKeys() {}

    /** The head of every step's key: the parent, the build-wide settings, the instruction, USER, WORKDIR, SHELL. */
    static CacheKey common(StepContext context, String parent, Instruction instruction) {
        BuildRequest request = context.session().request();
        ImageState state = context.state();
        return new CacheKey(parent)
                .put("platform", context.platform().normalize().toString())
                .put("compression", request.compression().name())
                .put("source-date-epoch", request.sourceDateEpoch() == null ? null : request.sourceDateEpoch().toString())
                .instruction(instruction.node())
                .put("user", state.user())
                .put("workdir", state.workingDir())
                .put("shell", state.runConfig().shell());
    }

    /** A step keyed after it ran (ADD from a URL, say): its instruction and the diff_id of its layer, if any. */
    static String result(String parent, Instruction instruction, LayerRecord layer) {
        return new CacheKey(parent).instruction(instruction.node())
                .put("result", layer == null ? "none" : layer.diffId().toString()).hex();
    }

    /**
     * What a COPY or ADD will write: its expanded arguments and every selected file; false when that cannot be
     * known before the step runs (a bad pattern, a missing heredoc: the step reports it).
     */
    static boolean copyOrAdd(StepContext context, CacheKey key, Location at, List<Heredoc> heredocs, List<String> words,
            String destination, String chown, String chmod, List<String> excludes, boolean parents, SourceTree tree,
            boolean keepOwnership, Map<String, String> scope) throws BuildException, IOException {
        BuildSession session = context.session();
        key.put("destination", session.expand(destination, scope, at));
        key.put("chown", chown == null ? null : session.expand(chown, scope, at));
        key.put("chmod", chmod == null ? null : session.expand(chmod, scope, at));
        List<String> expandedExcludes = new ArrayList<>();
        for (String exclude : excludes) {
            expandedExcludes.add(session.expand(exclude, scope, at));
        }
        key.put("excludes", expandedExcludes);
        key.put("keep-ownership", keepOwnership);
        List<String> fileSources = new ArrayList<>();
        for (String word : words) {
            if (word.startsWith("<<")) {
                Heredoc heredoc = heredocs.stream().filter(h -> h.name().equals(word.substring(2))).findFirst().orElse(null);
                if (heredoc == null) {
                    return false;
                }
                key.put("heredoc", heredoc.name());
                key.bytes("heredoc.content", CopyPlacement.heredocContent(session, context.state(), heredoc, at));
            } else {
                String expanded = session.expand(word, scope, at);
                key.put("source", expanded);
                fileSources.add(expanded);
            }
        }
        if (fileSources.isEmpty()) {
            return true;
        }
        List<CopySelection.Selected> selected;
        try {
            selected = CopySelection.select(tree, fileSources, new CopySelection.CopyFlags(parents, expandedExcludes));
        } catch (DockerIgnoreException | IOException e) {
            return false; // the step reports the error when it runs
        }
        Map<Object, Integer> linkGroups = new HashMap<>();
        // The main context's files also make the build's context digest (BuildMaterials).
        boolean fromContext = tree == context.sources().context().tree();
        int index = 0;
        int copy = -1;
        for (CopySelection.Selected selection : selected) {
            if (selection.copy() != copy) {
                copy = selection.copy();
                linkGroups.clear(); // hard links are kept within one copy only (CopyStep)
            }
            key.put("selected", selection.destinationName());
            for (SourceFile dir : selection.parentDirectories()) {
                file(session, key, "parent", dir, tree, keepOwnership);
            }
            // A directory copied as its contents: its first member stands for the destination directory, which the
            // copy creates (0755, --chown's owner) or leaves as it is, never with the source directory's metadata
            // (CopySelection.Selected), so it is keyed as that fresh directory, whatever the source's mode, owner
            // and xattrs — the fields a 0755, 0:0 source always had, so such keys are the ones of before.
            boolean contentsOnly = selection.root().isDirectory() && selection.destinationName().isEmpty();
            for (CopySelection.Member member : selection.members()) {
                key.put("member", member.relativePath());
                SourceFile keyed = contentsOnly && member.relativePath().isEmpty() ? DESTINATION_DIRECTORY : member.file();
                String contentId = file(session, key, "file", keyed, tree, keepOwnership);
                if (fromContext && contentId != null) {
                    session.materials().contextFile(member.file().path(), contentId);
                }
                Object fileKey = member.file().isRegularFile() ? member.file().fileKey() : null;
                if (fileKey != null) {
                    Integer first = linkGroups.putIfAbsent(fileKey, index);
                    key.put("link-group", first == null ? index : first);
                }
                index++;
            }
        }
        return true;
    }

    /**
     * What a RUN bind mount of {@code tree} shows at its target: the entry {@code source} leads to (resolved as
     * the mount resolves it, symbolic links followed inside the tree, so nothing outside it is read) and
     * everything below it, each keyed as COPY keys what it selects, but with the owners the command sees
     * (BuildKit's context hash has uid, gid and xattrs too) — for files of a stage or image the layer blob and
     * path that hold them, so nothing is read; host files by their remembered sha256. Hard links are grouped as
     * in COPY. Modification times are left out, as everywhere.
     *
     * @param hostTree whether {@code tree} is a host directory (the context, a directory named context): the
     *     sandbox shows the build user's own ids as 0 (its user namespace maps them so), which is how they are
     *     keyed, so that the same checkout by another user on another machine has the same key; any other owner
     *     is keyed as the host id it is
     */
    static void mounted(BuildSession session, CacheKey key, SourceTree tree, String source, boolean hostTree)
            throws IOException {
        String start = "/" + source.replaceAll("^/+", "");
        Optional<SourceFile> top;
        try {
            top = tree.resolve(start);
        } catch (TooManyLinksException e) {
            key.put("bind", "unresolvable " + source); // the mount fails the same way when the step runs
            return;
        }
        if (top.isEmpty()) {
            key.put("bind", "missing " + source);
            return;
        }
        Map<Object, Integer> linkGroups = new HashMap<>();
        int[] index = {0};
        mounted(session, key, tree, top.get(), "", hostTree, linkGroups, index);
    }

    private static void mounted(BuildSession session, CacheKey key, SourceTree tree, SourceFile file, String relative,
            boolean hostTree, Map<Object, Integer> linkGroups, int[] index) throws IOException {
        key.put("bind.path", relative);
        file(session, key, "bind", file, tree, !hostTree); // a host tree's ids follow, as the command sees them
        if (hostTree) {
            key.put("bind.owner", HostIds.asSeen(file.uid(), file.gid()));
        }
        if (file.isRegularFile() && file.fileKey() != null) {
            Integer first = linkGroups.putIfAbsent(file.fileKey(), index[0]);
            key.put("bind.link-group", first == null ? index[0] : first);
        }
        index[0]++;
        if (file.isDirectory()) {
            for (SourceFile child : tree.list(file.path())) {
                String name = child.path().substring(child.path().lastIndexOf('/') + 1);
                mounted(session, key, tree, child, relative.isEmpty() ? name : relative + "/" + name, hostTree, linkGroups,
                        index);
            }
        }
    }

    /** One selected entry as it will be written (mtime aside); returns a regular file's content id, else null. */
    private static String file(BuildSession session, CacheKey key, String role, SourceFile file, SourceTree tree, boolean keepOwnership)
            throws IOException {
        key.put(role + ".kind", file.kind().name());
        key.put(role + ".mode", file.mode());
        key.put(role + ".uid", keepOwnership ? file.uid() : 0);
        key.put(role + ".gid", keepOwnership ? file.gid() : 0);
        key.put(role + ".link", file.linkTarget());
        Map<String, String> xattrs = new TreeMap<>();
        file.xattrs().forEach((name, value) -> xattrs.put(name, HexFormat.of().formatHex(value)));
        key.put(role + ".xattrs", xattrs);
        if (file.device() != null) {
            key.put(role + ".device", file.device().major() + "," + file.device().minor());
        }
        // Only regular files are read: a FIFO would block the key until someone writes to it.
        if (!file.isRegularFile()) {
            return null;
        }
        String contentId = contentId(session, file, tree);
        key.put(role + ".size", file.size());
        key.put(role + ".content", contentId);
        return contentId;
    }

    private static String contentId(BuildSession session, SourceFile file, SourceTree tree) throws IOException {
        Optional<Path> host = tree.hostPath(file);
        if (host.isPresent()) {
            return "sha256:" + session.cache().files().digest(host.get());
        }
        if (tree instanceof FsViewTree view) {
            String id = view.contentId(file);
            if (id != null) {
                return id;
            }
        }
        try (InputStream in = tree.open(file)) {
            return "sha256:" + FileDigests.hash(in);
        }
    }
}
