package dev.jbuild.git;

import dev.jbuild.attestation.Material;
import dev.jbuild.store.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.submodule.SubmoduleWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;

/**
 * Fetches git sources with JGit. {@link #resolve} asks the remote for its refs (ls-remote, no clone)
 * and turns the source's ref into a commit as BuildKit does: an exact {@code refs/…} name first, then a
 * branch, then a tag (an annotated tag to the commit it points at), a full commit id as it is. Callers
 * key their caches by that commit. {@link #checkout} then fetches only that commit where the server
 * allows it (depth 1 of the ref, else the commit by id), falling back to a full fetch, checks it out with
 * its submodules (recursively) into a directory the caller owns, gives every file the commit's time (so
 * the same commit gives the same layers) and removes {@code .git} unless it is kept. Git LFS content is
 * not fetched: pointer files stay as they are, with a warning. SSH remotes authenticate with the keys of
 * the agent in {@link SshSettings} and must be known hosts ({@link SshConnections}).
 */
public final class GitFetcher {

    /** Submodules of submodules are followed this deep; a deeper chain is an error, not a stack overflow. */
    static final int MAX_SUBMODULE_DEPTH = 8;

    private static final int TIMEOUT_SECONDS = 600;
    private static final Pattern FULL_COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern ABBREVIATED_COMMIT = Pattern.compile("[0-9a-f]{4,63}");

    private final GitCredentials credentials;
    private final SshSettings ssh;
    private final Consumer<String> warnings;
    private SshConnections sshConnections;
    /** The advertised name each resolved ref matched ({@code main} to {@code refs/heads/main}), by remote and ref. */
    private final Map<String, String> fullRefs = new ConcurrentHashMap<>();

    /**
     * @param ssh      the agent and known hosts for SSH remotes
     * @param warnings receives what the build should print (LFS pointers left as they are)
     */
    public GitFetcher(GitCredentials credentials, SshSettings ssh, Consumer<String> warnings) {
        this.credentials = credentials;
        this.ssh = ssh;
        this.warnings = warnings;
    }

    /** A checked-out source: {@code root} is its subdirectory inside the checkout. */
    public record Checkout(Path root, String commit, Instant commitTime) {}

    /**
     * The commit the source's ref names on the remote now, checked against its checksum; empty for an
     * abbreviated commit id, which only a fetch can resolve ({@link #checkout} does).
     */
    public Optional<String> resolve(GitSource source) throws IOException {
        requireAgent(source);
        String ref = source.ref();
        if (ref != null && FULL_COMMIT.matcher(ref).matches()) {
            return Optional.of(checked(source, ref, null));
        }
        Collection<Ref> refs;
        try {
            refs = Git.lsRemoteRepository().setRemote(source.remote()).setTransportConfigCallback(auth())
                    .setTimeout(TIMEOUT_SECONDS).call();
        } catch (GitAPIException e) {
            throw new IOException("failed to fetch remote " + source.redactedRemote() + ": " + message(source, e), e);
        } catch (RuntimeException e) {
            if (!source.scheme().startsWith("http")) {
                throw new IOException("failed to fetch remote " + source.redactedRemote() + ": " + message(source, e), e);
            }
            // JGit cannot list the refs of a "dumb" HTTP server (a plain web server) without a local
            // repository; the checkout's full fetch resolves the ref there, as for an abbreviated id.
            return Optional.empty();
        }
        Ref matched = match(ref, refs);
        String commit = matched == null ? null : peeled(matched);
        if (matched != null) {
            fullRefs.put(source.remote() + "#" + ref, matched.getName());
        }
        if (commit == null) {
            if (ref != null && ABBREVIATED_COMMIT.matcher(ref).matches()) {
                return Optional.empty();
            }
            throw new IOException("repository " + source.redactedRemote() + " does not contain ref " + (ref == null ? "HEAD" : ref));
        }
        // An annotated tag: the checksum may name the tag object as well as its commit (BuildKit's rule).
        String tagObject = matched.getPeeledObjectId() != null ? matched.getObjectId().name() : null;
        return Optional.of(checked(source, commit, tagObject));
    }

    /**
     * Fetches and checks out {@code commit} (from {@link #resolve}; null to resolve an abbreviated id by
     * fetching) into the empty directory {@code into}.
     */
    public Checkout checkout(GitSource source, String commit, boolean keepGitDir, Path into) throws IOException {
        requireAgent(source);
        try (Git git = Git.init().setDirectory(into.toFile()).setInitialBranch("main").call()) {
            StoredConfig config = git.getRepository().getConfig();
            config.setString("remote", "origin", "url", source.remote());
            // JGit runs an automatic gc after each fetch, detached in a background thread: it writes
            // .git/gc.log.lock while the checkout's .git is being removed or walked (a NoSuchFileException
            // that failed builds now and then). A checkout is fetched once and thrown away: no gc.
            config.setBoolean("fetch", null, "autogc", false);
            config.save();
            ObjectId target = fetch(git, source, commit);
            String id = target.name();
            checked(source, id, annotatedTag(git.getRepository(), source.checksum(), target));
            git.checkout().setName(id).call();
            if (source.submodules()) {
                submodules(git.getRepository(), source, 0);
            }
            Instant time;
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                time = Instant.ofEpochSecond(walk.parseCommit(target).getCommitTime());
            }
            Path root = subdirectory(into, source);
            warnAboutLfs(into, source);
            if (keepGitDir) {
                StoredConfig kept = git.getRepository().getConfig();
                kept.unset("fetch", null, "autogc"); // the image's .git is configured as a clone's
                kept.save();
                maskCredentials(git.getRepository());
            } else {
                removeGitDirectories(into);
            }
            setTimes(into, FileTime.from(time));
            return new Checkout(root, id, time);
        } catch (GitAPIException | RuntimeException e) {
            throw new IOException("failed to fetch " + source.redactedRemote() + (source.ref() == null ? "" : "#" + source.ref())
                    + ": " + message(source, e), e);
        }
    }

    private ObjectId fetch(Git git, GitSource source, String commit) throws GitAPIException, IOException {
        Repository repository = git.getRepository();
        String ref = source.ref() == null ? "HEAD" : source.ref();
        if (commit != null) {
            // The ref first, one commit deep: what every server allows. If it moved since resolve, the commit by id.
            if (!FULL_COMMIT.matcher(ref).matches()) {
                ObjectId fetched = tryFetch(git, source, fullRefFor(ref, source), 1);
                if (fetched != null && peel(repository, fetched).name().equals(commit)) {
                    return peel(repository, fetched);
                }
            }
            ObjectId byId = tryFetch(git, source, commit, 1);
            // A server may answer a fetch of an id it does not advertise with nothing at all: only the
            // commit itself counts, never what the ref held before.
            if (byId != null && byId.name().equals(commit)) {
                return peel(repository, byId);
            }
        }
        // A server that refuses ids and shallow fetches, or an abbreviated id: everything.
        List<RefSpec> everything = new ArrayList<>(List.of(new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                new RefSpec("+refs/tags/*:refs/tags/*")));
        if (source.ref() == null) {
            everything.add(new RefSpec("+HEAD:refs/jbuild/head")); // only when asked: a remote may lack a HEAD
        }
        git.fetch().setRemote("origin").setTransportConfigCallback(auth()).setTimeout(TIMEOUT_SECONDS)
                .setRefSpecs(everything).call();
        List<String> candidates = commit != null ? List.of(commit) : localNames(source.ref());
        for (String candidate : candidates) {
            ObjectId resolved = repository.resolve(candidate + "^{commit}");
            if (resolved != null) {
                return resolved;
            }
        }
        throw new IOException("repository " + source.redactedRemote() + " does not contain " + (commit != null ? commit : ref));
    }

    /** Where a full fetch put what {@code ref} names, in BuildKit's order (a branch before a tag), then the ref as an id. */
    private static List<String> localNames(String ref) {
        if (ref == null) {
            return List.of("refs/jbuild/head");
        }
        if (ref.startsWith("refs/heads/")) {
            return List.of("refs/remotes/origin/" + ref.substring("refs/heads/".length()));
        }
        if (ref.startsWith("refs/")) {
            return List.of(ref);
        }
        return List.of("refs/remotes/origin/" + ref, "refs/tags/" + ref, ref);
    }

    /** The name to fetch for a ref: a full {@code refs/…} name as it is, else the one {@link #resolve} matched. */
    private String fullRefFor(String ref, GitSource source) {
        if (ref.equals("HEAD") || ref.startsWith("refs/")) {
            return ref;
        }
        return fullRefs.getOrDefault(source.remote() + "#" + ref, "refs/heads/" + ref);
    }

    /** Fetches {@code what} (a ref or commit id) into {@code refs/jbuild/fetched}; null when the server refuses. */
    private ObjectId tryFetch(Git git, GitSource source, String what, int depth) {
        try {
            // An earlier try's result must not be read as this one's.
            RefUpdate clear = git.getRepository().updateRef("refs/jbuild/fetched");
            clear.setForceUpdate(true);
            clear.delete();
            git.fetch().setRemote("origin").setTransportConfigCallback(auth()).setTimeout(TIMEOUT_SECONDS).setDepth(depth)
                    .setRefSpecs(new RefSpec("+" + what + ":refs/jbuild/fetched")).call();
            return git.getRepository().resolve("refs/jbuild/fetched");
        } catch (GitAPIException | IOException | RuntimeException e) {
            return null;
        }
    }

    private static ObjectId peel(Repository repository, ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            return walk.peel(walk.parseAny(id)).getId();
        }
    }

    private static String peeled(Ref ref) {
        ObjectId peeled = ref.getPeeledObjectId();
        return (peeled != null ? peeled : ref.getObjectId()).name();
    }

    /** BuildKit's choice among the advertised refs: an exact name, else a branch, else a tag. */
    static Ref match(String ref, Collection<Ref> refs) {
        if (ref == null) {
            return refs.stream().filter(r -> r.getName().equals("HEAD")).findFirst().orElse(null);
        }
        String bare = ref.startsWith("refs/") ? ref.substring("refs/".length()) : ref;
        String partial = "refs/" + bare;
        String head = "refs/heads/" + (ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref);
        String tag = "refs/tags/" + (ref.startsWith("refs/tags/") ? ref.substring("refs/tags/".length()) : ref);
        for (String name : List.of(partial, head, tag)) {
            for (Ref candidate : refs) {
                if (candidate.getName().equals(name)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * {@code commit} when the source's checksum is a prefix of it, or of {@code annotatedTag} (the id of the
     * annotated tag object the ref named, which peels to the commit; null for any other ref), as BuildKit
     * accepts either.
     */
    private static String checked(GitSource source, String commit, String annotatedTag) throws IOException {
        if (source.checksum() == null) {
            return commit;
        }
        String expected = source.checksum().toLowerCase(java.util.Locale.ROOT);
        if (!commit.startsWith(expected) && (annotatedTag == null || !annotatedTag.startsWith(expected))) {
            throw new IOException("expected checksum to match " + source.checksum() + ", got " + commit
                    + (annotatedTag == null ? "" : " or " + annotatedTag)
                    + " for " + source.redactedRemote() + (source.ref() == null ? "" : "#" + source.ref()));
        }
        return commit;
    }

    /** The annotated tag object that {@code checksum} names in the fetched repository, when it peels to {@code commit}; else null. */
    private static String annotatedTag(Repository repository, String checksum, ObjectId commit) {
        if (checksum == null) {
            return null;
        }
        try (RevWalk walk = new RevWalk(repository)) {
            ObjectId id = repository.resolve(checksum.toLowerCase(java.util.Locale.ROOT));
            if (id == null) {
                return null;
            }
            RevObject object = walk.parseAny(id);
            return object instanceof RevTag && walk.peel(object).getId().equals(commit) ? object.name() : null;
        } catch (IOException | RuntimeException e) {
            return null; // not an object of the repository, or ambiguous: the checksum is then checked against the commit only
        }
    }

    private void submodules(Repository repository, GitSource source, int depth) throws GitAPIException, IOException {
        if (!Files.exists(repository.getWorkTree().toPath().resolve(".gitmodules"))) {
            return;
        }
        if (depth >= MAX_SUBMODULE_DEPTH) {
            throw new IOException("submodules of " + source.redactedRemote() + " nest deeper than " + MAX_SUBMODULE_DEPTH);
        }
        try (Git git = new Git(repository)) {
            git.submoduleInit().call();
            git.submoduleUpdate().setTransportConfigCallback(auth()).call();
        }
        try (SubmoduleWalk walk = SubmoduleWalk.forIndex(repository)) {
            while (walk.next()) {
                try (Repository sub = walk.getRepository()) {
                    if (sub != null) {
                        submodules(sub, source, depth + 1);
                    }
                }
            }
        }
    }

    private static Path subdirectory(Path into, GitSource source) throws IOException {
        if (source.subdir().isEmpty()) {
            return into;
        }
        Path dir = into.resolve(source.subdir());
        // The subdir is cleaned lexically; a symbolic link on the way must not lead out of the checkout.
        if (!Files.isDirectory(dir) || !dir.toRealPath().startsWith(into.toRealPath())) {
            throw new IOException("subdirectory " + source.subdir() + " not found in " + source.redactedRemote());
        }
        return dir.toRealPath();
    }

    private void warnAboutLfs(Path into, GitSource source) throws IOException {
        Path attributes = into.resolve(".gitattributes");
        if (Files.isRegularFile(attributes, LinkOption.NOFOLLOW_LINKS)
                && Files.readString(attributes, StandardCharsets.UTF_8).contains("filter=lfs")) {
            warnings.accept("git LFS is not supported: files of " + source.redactedRemote()
                    + " tracked by LFS are left as pointer files");
        }
    }

    /**
     * A kept {@code .git} must not carry a password of the URL into the image: the origin, and the
     * submodule URLs resolved against it, get their user and password masked as BuildKit sets the origin
     * ({@link Material#maskedCredentials}), in the submodules' repositories too, and {@code FETCH_HEAD},
     * which names the URL fetched, goes. Done after the fetches, which need the real URL.
     */
    private static void maskCredentials(Repository repository) throws IOException {
        StoredConfig config = repository.getConfig();
        for (String section : List.of("remote", "submodule")) {
            for (String name : config.getSubsections(section)) {
                for (String key : List.of("url", "pushurl")) {
                    String[] urls = config.getStringList(section, name, key);
                    if (urls.length > 0) {
                        config.setStringList(section, name, key,
                                Stream.of(urls).map(Material::maskedCredentials).toList());
                    }
                }
            }
        }
        config.save();
        Files.deleteIfExists(repository.getDirectory().toPath().resolve("FETCH_HEAD"));
        try (SubmoduleWalk walk = SubmoduleWalk.forIndex(repository)) {
            while (walk.next()) {
                try (Repository sub = walk.getRepository()) {
                    if (sub != null) {
                        maskCredentials(sub);
                    }
                }
            }
        }
    }

    /** Removes every {@code .git} (the repository's, and the files or directories of its submodules). */
    private static void removeGitDirectories(Path root) throws IOException {
        List<Path> found;
        try (Stream<Path> walk = Files.walk(root)) {
            found = walk.filter(p -> p.getFileName() != null && p.getFileName().toString().equals(".git")).toList();
        }
        for (Path git : found) {
            FileTrees.deleteTree(git);
        }
    }

    private static void setTimes(Path root, FileTime time) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> {
                try {
                    Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(time, null, null);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private TransportConfigCallback auth() {
        return transport -> {
            if (transport instanceof SshTransport sshTransport) {
                sshConnections().configure(sshTransport);
            }
            if (transport instanceof TransportHttp http) {
                URIish uri = transport.getURI();
                String host = uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
                credentials.authorization(host).ifPresent(header -> http.setAdditionalHeaders(Map.of("Authorization", header)));
            }
        };
    }

    private synchronized SshConnections sshConnections() {
        if (sshConnections == null) {
            sshConnections = new SshConnections(ssh);
        }
        return sshConnections;
    }

    /** Keys come only from the agent forwarded as {@code default}, as BuildKit's git source mounts that one. */
    private void requireAgent(GitSource source) throws IOException {
        if (source.isSsh() && ssh.agentSocket() == null) {
            throw new IOException("fetching " + source.redactedRemote() + " over SSH needs an SSH agent: no SSH key \"default\""
                    + " was forwarded; pass --ssh default (the agent of $SSH_AUTH_SOCK) or --ssh default=SOCKET");
        }
    }

    /** JGit's message, made plain where JGit's is not: a refused host key names the host and the key. */
    private String message(GitSource source, Throwable e) {
        if (source.isSsh()) {
            try {
                Optional<String> rejected = sshConnections().hostKeyRejection(new URIish(source.remote()));
                if (rejected.isPresent()) {
                    return rejected.get();
                }
            } catch (java.net.URISyntaxException ignored) {
                // JGit parsed it before; the plain message below stays
            }
            String text = message(e);
            if (text.contains("No more authentication methods") || text.contains("Authentication failed")) {
                return text + " (the server refused the keys of the SSH agent " + ssh.agentSocket()
                        + "; check that one of them is authorized for the URL's user: ssh-add -l lists them)";
            }
            return text;
        }
        return message(e);
    }

    private static String message(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

}
