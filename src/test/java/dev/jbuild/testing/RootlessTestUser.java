package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;

/**
 * The unprivileged user the rootless suites run jbuild as. When the tests run as root (CI), it is
 * {@code jbuildtest}, created by {@code scripts/test.sh} with a subordinate id range, and commands
 * are started through {@code runuser}; when they run as an ordinary user (a developer), it is that
 * user, and commands run directly.
 *
 * <p>The user can read the checkout (test.sh grants that) but must never write to it: give it a
 * directory of its own with {@link #createWorkDirectory} for {@code JBUILD_ROOT}, contexts and
 * outputs. It cannot read root's {@code ~/.m2}: run the self-contained {@code target/jbuild.jar},
 * not a test classpath.
 */
public final class RootlessTestUser {

    public static final String CI_USER = "jbuildtest";

    private final String name;
    private final boolean viaRunuser;
    private final Path home;

    private RootlessTestUser(String name, boolean viaRunuser, Path home) {
        this.name = name;
        this.viaRunuser = viaRunuser;
        this.home = home;
    }

    /** The test user, with a subuid and subgid range; fails the test naming the fix otherwise. */
    public static RootlessTestUser require() {
        boolean root = Podman.isRoot();
        String name = root ? CI_USER : System.getProperty("user.name");
        ExternalTool.Result passwd = ExternalTool.command("getent", "passwd", name).run();
        if (!passwd.succeeded()) {
            fail("user " + name + " does not exist: run ./scripts/test.sh as root");
        }
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            if (!hasSubordinateRange(Path.of(file), name)) {
                fail(name + " has no range in " + file + ": run ./scripts/test.sh as root"
                        + (root ? "" : " (or ask an administrator for a range, e.g. usermod --add-subuids)"));
            }
        }
        String[] fields = passwd.stdout().strip().split(":");
        return new RootlessTestUser(name, root, Path.of(fields[5]));
    }

    private static boolean hasSubordinateRange(Path file, String user) {
        try {
            return Files.exists(file) && Files.readAllLines(file).stream().anyMatch(l -> l.startsWith(user + ":"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public Path home() {
        return home;
    }

    /** A command run as this user, with {@code HOME} set to its home. */
    public ExternalTool command(String... commandLine) {
        List<String> wrapped = new ArrayList<>();
        if (viaRunuser) {
            wrapped.addAll(List.of(ExternalTool.require("runuser").toString(), "-u", name, "--"));
        }
        wrapped.addAll(List.of("env", "HOME=" + home));
        wrapped.addAll(List.of(commandLine));
        return ExternalTool.command(wrapped).directory(home);
    }

    /**
     * A new empty directory (mode 0700) owned by this user under the system temp directory, for
     * everything the user writes. Delete it with {@link TempFiles#deleteRecursively} as root, or
     * {@link #deleteWorkDirectory} (it may hold files of the user's subordinate ids).
     */
    public Path createWorkDirectory(String prefix) {
        try {
            Path directory = Files.createTempDirectory(prefix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (viaRunuser) {
                UserPrincipalLookupService lookup = directory.getFileSystem().getUserPrincipalLookupService();
                UserPrincipal owner = lookup.lookupPrincipalByName(name);
                GroupPrincipal group = lookup.lookupPrincipalByGroupName(name);
                PosixFileAttributeView view = Files.getFileAttributeView(directory, PosixFileAttributeView.class);
                view.setOwner(owner);
                view.setGroup(group);
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a work directory, including files owned by subordinate ids (root deletes directly). */
    public void deleteWorkDirectory(Path directory) {
        if (!viaRunuser && Files.exists(directory)) {
            // Files of mapped ids belong to the user only inside its user namespace.
            command("unshare", "--user", "--map-auto", "--map-root-user", "rm", "-rf", directory.toString()).run();
        }
        TempFiles.deleteRecursively(directory);
    }
}
