package dev.jbuild.build;

import dev.jbuild.layer.LayerException;
import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.RootedResolver;
import dev.jbuild.layer.TooManyLinksException;
import dev.jbuild.context.CopySelection;
import dev.jbuild.context.DockerIgnoreException;
import dev.jbuild.context.SourceFile;
import dev.jbuild.context.SourceTree;
import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.dockerfile.Location;
import dev.jbuild.dockerfile.RunMount;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.sandbox.ResourceLimit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The cache key of each step (see docs/caching.md): the parent key (the base image's manifest
 * digest, or the previous step's key), the platform and the build-wide settings that shape layers,
 * the complete instruction as written, the USER, WORKDIR and SHELL in force, and what the step can
 * see: for metadata instructions the whole config they lead to; for RUN the environment (ENV and
 * ARGs), network and mounts with the content of bind-mount sources; for COPY/ADD the expanded
 * arguments and, for every file the sources select, its path, type, mode, ids as written, link
 * target, xattrs and content digest. Modification times are left out, so touching a file keeps the
 * cache. Secret values and files never enter a key; secret ids, and whether one was given, do.
 */
final class StepKeys {

    /** Proxy build args reach RUN without an ARG and, as in BuildKit, are left out of keys. */
    private static final java.util.Set<String> PROXY_ARGS = java.util.Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY",
            "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final BuildSession session;
    private final ImageState state;
    private final StageSources sources;

    StepKeys(BuildSession session, ImageState state, StageSources sources) {
        this.session = session;
        this.state = state;
        this.sources = sources;
    }

    /** A metadata instruction, after it was applied: its key covers the whole resulting config. */
    String metadata(String parent, Instruction instruction) {
        return common(parent, instruction)
                .bytes("config", ImageDocuments.canonicalBytes(state.config()))
                .hex();
    }

    /** A step that may write a layer, before it runs; null when it cannot be keyed in advance. */
    String layer(String parent, Instruction instruction) throws BuildException, IOException {
        if (parent == null) {
            return null;
        }
        CacheKey key = common(parent, instruction);
        Map<String, String> scope = state.expansionScope();
        Location at = instruction.location();
        if (instruction instanceof Instruction.Workdir workdir) {
            key.put("path", session.expand(workdir.path(), scope, at));
        } else if (instruction instanceof Instruction.Run run) {
            if (!run(key, run, scope)) {
                return null;
            }
        } else if (instruction instanceof Instruction.Copy copy) {
            SourceTree tree;
            boolean keepOwnership;
            try {
                StageSources.Source source = copy.from() == null ? sources.context()
                        : sources.from(session.expand(copy.from(), scope, at), at);
                tree = source.tree();
                keepOwnership = source.keepOwnership();
            } catch (BuildException e) {
                return null; // let the step itself report it
            }
            key.put("from", copy.from() == null ? null : session.expand(copy.from(), scope, at));
            if (!copyOrAdd(key, at, copy.node().heredocs(), copy.sources(), copy.destination(), copy.chown(), copy.chmod(),
                    copy.excludes(), copy.parents(), tree, keepOwnership, scope)) {
                return null;
            }
        } else if (instruction instanceof Instruction.Add add) {
            for (String word : add.sources()) {
                String expanded = word.startsWith("<<") ? word : session.expand(word, scope, at);
                if (RemoteFile.isUrl(expanded) || GitSources.isGit(expanded)) {
                    return null; // content known only after the download
                }
            }
            key.put("checksum", add.checksum() == null ? null : session.expand(add.checksum(), scope, at));
            if (!copyOrAdd(key, at, add.node().heredocs(), add.sources(), add.destination(), add.chown(), add.chmod(),
                    add.excludes(), false, sources.context().tree(), false, scope)) {
                return null;
            }
        }
        return key.hex();
    }

    private CacheKey common(String parent, Instruction instruction) {
        BuildRequest request = session.request();
        return new CacheKey(parent)
                .put("platform", request.platform().normalize().toString())
                .put("compression", request.compression().name())
                .put("source-date-epoch", request.sourceDateEpoch() == null ? null : request.sourceDateEpoch().toString())
                .instruction(instruction.node())
                .put("user", state.user())
                .put("workdir", state.workingDir())
                .put("shell", state.runConfig().shell());
    }

    private boolean run(CacheKey key, Instruction.Run run, Map<String, String> scope) throws BuildException, IOException {
        if ("insecure".equals(run.security())) {
            // Checked here, before any cache lookup, so that a record of the same command run in the
            // sandbox never stands in for it: the flag is refused, never accepted and ignored.
            throw new BuildException(run.location(), "RUN --security=insecure is not implemented yet (jbuild runs"
                    + " every RUN in its rootless sandbox; there is no security.insecure entitlement)");
        }
        Map<String, String> env = new LinkedHashMap<>(state.env());
        state.args().forEach((name, value) -> {
            if (!env.containsKey(name)) {
                env.put(name, value);
            }
        });
        key.put("env", env);
        key.put("network", run.network() != null ? run.network() : session.request().network());
        if (!session.request().extraHosts().isEmpty()) {
            // Only when given, so that the keys of builds without --add-host stay what they were.
            key.put("extraHosts", session.request().extraHosts().stream().map(h -> h.address() + " " + h.name()).toList());
        }
        // --ulimit and --shm-size likewise (BuildKit keys both: they are part of its ExecOp).
        if (!session.request().ulimits().isEmpty()) {
            key.put("ulimits", session.request().ulimits().stream().map(ResourceLimit::toString).toList());
        }
        if (session.request().shmSize() > 0) {
            key.put("shmSize", session.request().shmSize());
        }
        for (int k = 0; k < run.mounts().size(); k++) {
            // The whole value expanded as one word: what keys held before mounts were typed, kept byte for
            // byte so existing cache records stay valid (the scope that expands it is in the key already).
            key.put("mount", session.expand(run.mounts().get(k).value(), scope, run.location()));
            RunMount mount = RunMounts.of(session, run, k, scope);
            if (mount instanceof RunMount.Secret secret) {
                key.put("secret-given", session.request().secrets().containsKey(secret.id()));
            } else if (mount instanceof RunMount.Bind bind) {
                Path root = bindRoot(bind.from());
                if (root == null) {
                    return false;
                }
                hashHostTree(key, root, bind.source());
            }
        }
        return true;
    }

    private Path bindRoot(String from) {
        if (from == null || from.isEmpty()) {
            return session.request().contextDir().toAbsolutePath();
        }
        NamedContext named = session.request().namedContexts().get(from);
        return named instanceof NamedContext.Directory directory ? directory.path().toAbsolutePath() : null;
    }

    /**
     * Every entry below the bind source: relative path, type, mode, link target, content digest. The source
     * is resolved inside the root by the resolver the sandbox mounts it with ({@link RootedResolver}, links
     * followed as if the root were '/'), so the key covers exactly what the command sees and no file outside
     * the context is ever read; below it, links are hashed as links, never followed.
     */
    private void hashHostTree(CacheKey key, Path root, String source) throws IOException {
        Path realRoot = root.toRealPath();
        Path start;
        try {
            start = RawNames.child(realRoot, RootedResolver.resolveInside(realRoot, source));
        } catch (LayerException | TooManyLinksException e) {
            key.put("bind", "unresolvable " + source); // the mount fails the same way when the step runs
            return;
        }
        if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
            key.put("bind", "missing " + source);
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(start)) {
            paths = walk.sorted().toList();
        }
        for (Path path : paths) {
            key.put("bind.path", RawNames.pathText(start.relativize(path)));
            Map<String, Object> a = Files.readAttributes(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            key.put("bind.mode", mode);
            if (Files.isSymbolicLink(path)) {
                key.put("bind.link", RawNames.pathText(Files.readSymbolicLink(path)));
            } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                key.put("bind.content", session.cache().files().digest(path));
            }
        }
    }

    private boolean copyOrAdd(CacheKey key, Location at, List<Heredoc> heredocs, List<String> words, String destination,
            String chown, String chmod, List<String> excludes, boolean parents, SourceTree tree, boolean keepOwnership,
            Map<String, String> scope) throws BuildException, IOException {
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
                key.bytes("heredoc.content", new CopyStep(session, state, sources).heredocContent(heredoc, at));
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
        int index = 0;
        int copy = -1;
        for (CopySelection.Selected selection : selected) {
            if (selection.copy() != copy) {
                copy = selection.copy();
                linkGroups.clear(); // hard links are kept within one copy only (CopyStep)
            }
            key.put("selected", selection.destinationName());
            for (SourceFile dir : selection.parentDirectories()) {
                file(key, "parent", dir, tree, keepOwnership);
            }
            for (CopySelection.Member member : selection.members()) {
                key.put("member", member.relativePath());
                file(key, "file", member.file(), tree, keepOwnership);
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

    /** One selected entry as it will be written (mtime aside). */
    private void file(CacheKey key, String role, SourceFile file, SourceTree tree, boolean keepOwnership)
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
        if (file.isRegularFile()) {
            key.put(role + ".size", file.size());
            key.put(role + ".content", contentId(file, tree));
        }
    }

    private String contentId(SourceFile file, SourceTree tree) throws IOException {
        java.util.Optional<Path> host = tree.hostPath(file);
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
