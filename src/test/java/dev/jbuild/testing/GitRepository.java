package dev.jbuild.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A git repository the tests author with the real {@code git} (not JGit, which jbuild fetches with):
 * a work tree whose commits are pushed into a bare repository under a base directory that
 * {@link GitDaemon} and {@link GitHttpServer} export.
 */
public final class GitRepository {

    private final Path work;
    private final Path bare;

    private GitRepository(Path work, Path bare) {
        this.work = work;
        this.bare = bare;
    }

    /** A new repository {@code base/name} (bare, {@code name} should end in {@code .git}) and its work tree in {@code scratch}. */
    public static GitRepository create(Path base, String name, Path scratch) throws IOException {
        Path bare = base.resolve(name);
        Path work = Files.createDirectories(scratch.resolve("work-" + name));
        git(base, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(work, "init", "-q", "-b", "main");
        git(work, "remote", "add", "origin", bare.toString());
        return new GitRepository(work, bare);
    }

    public Path bare() {
        return bare;
    }

    public Path work() {
        return work;
    }

    /** Writes the files (path to content), commits them all and pushes main; returns the commit id. */
    public String commit(String message, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = work.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", message);
        git(work, "push", "-q", "origin", "HEAD:refs/heads/main");
        return head();
    }

    /** An annotated tag on HEAD, pushed. */
    public void tag(String name) {
        git(work, "tag", "-a", "-m", name, name);
        git(work, "push", "-q", "origin", "refs/tags/" + name);
    }

    /** Adds {@code other} as a submodule at {@code path} by the URL the servers give it, commits and pushes. */
    public String addSubmodule(String url, String path) throws IOException {
        git(work, "-c", "protocol.file.allow=always", "submodule", "add", "-q", url, path);
        git(work, "commit", "-q", "-m", "submodule " + path);
        git(work, "push", "-q", "origin", "HEAD:refs/heads/main");
        return head();
    }

    public String head() {
        return git(work, "rev-parse", "HEAD").trim();
    }

    /** Runs git with a fixed identity and no user or system configuration. */
    public static String git(Path directory, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=jbuild test", "-c", "user.email=test@jbuild.invalid",
                "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        command.addAll(List.of(args));
        return ExternalTool.command(command).directory(directory)
                .env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null")
                .runSuccessfully().stdout();
    }
}
