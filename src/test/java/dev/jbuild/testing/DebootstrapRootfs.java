package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real Debian root filesystem: {@code debootstrap --variant=minbase bookworm}, made once per machine
 * under {@code ${XDG_CACHE_HOME:-~/.cache}/jbuild-test/} and reused by every later test run (it takes
 * a few minutes and ~200 MB of downloads the first time). It needs root (debootstrap chroots and
 * creates device nodes), which CI and {@code scripts/test.sh} are; the mirror is the one apt uses
 * ({@code /etc/apt/sources.list*}), so a machine that can install packages can make it.
 *
 * <pre>{@code
 * Path root = DebootstrapRootfs.directory();   // the unpacked rootfs
 * Path tar = DebootstrapRootfs.tar();          // the same tree as one uncompressed tar (a layer)
 * }</pre>
 *
 * <p>Only a complete tree is ever renamed to its final name, so a killed run leaves a
 * {@code .partial} directory that the next run removes, never a half-made rootfs that looks complete.
 */
public final class DebootstrapRootfs {

    public static final String SUITE = "bookworm";
    private static final String FALLBACK_MIRROR = "http://deb.debian.org/debian";
    private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(20);

    private DebootstrapRootfs() {
    }

    /** The rootfs directory (created on first use; synchronized so parallel test classes make it once). */
    public static synchronized Path directory() {
        Path root = cacheDirectory().resolve("debootstrap-" + SUITE + "-minbase");
        if (Files.isRegularFile(root.resolve("var/lib/dpkg/status"))) {
            return root;
        }
        requireRoot();
        try {
            Files.createDirectories(root.getParent());
            Path partial = root.resolveSibling(root.getFileName() + ".partial");
            if (Files.exists(partial)) {
                ExternalTool.command("rm", "-rf", "--one-file-system", partial.toString()).runSuccessfully();
            }
            String mirror = aptMirror().orElse(FALLBACK_MIRROR);
            ExternalTool.command("debootstrap", "--variant=minbase", SUITE, partial.toString(), mirror)
                    .timeout(DEBOOTSTRAP_TIMEOUT)
                    .runSuccessfully();
            Files.move(partial, root, StandardCopyOption.ATOMIC_MOVE);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The rootfs as one uncompressed tar (names {@code ./etc/...}, numeric owners, sorted, one mtime),
     * made once beside the directory: what a test image's single layer can be.
     */
    public static synchronized Path tar() {
        Path root = directory();
        Path tar = root.resolveSibling(root.getFileName() + ".tar");
        if (Files.isRegularFile(tar)) {
            return tar;
        }
        Path partial = root.resolveSibling(root.getFileName() + ".tar.partial");
        ExternalTool.command("tar", "--sort=name", "--numeric-owner", "--mtime=@0", "--xattrs",
                        "-C", root.toString(), "-cf", partial.toString(), ".")
                .timeout(Duration.ofMinutes(5))
                .runSuccessfully();
        try {
            Files.move(partial, tar, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tar;
    }

    static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("jbuild-test");
    }

    private static void requireRoot() {
        String uid = ExternalTool.command("id", "-u").runSuccessfully().stdout().trim();
        if (!uid.equals("0")) {
            fail("the debootstrap rootfs is made once per machine as root: run ./scripts/test.sh as root"
                    + " (as CI does); it is then kept in " + cacheDirectory());
        }
    }

    /**
     * The Debian archive apt installs from (not the security archive): the first {@code URIs:} of a
     * deb822 source whose suites name {@link #SUITE}, or the URL of a one-line {@code deb} entry for it.
     */
    static Optional<String> aptMirror() {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("/etc/apt/sources.list"));
        Path directory = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(directory)) {
            try (DirectoryStream<Path> listed = Files.newDirectoryStream(directory)) {
                listed.forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        files.sort(null);
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try {
                Optional<String> found = file.toString().endsWith(".sources")
                        ? fromDeb822(Files.readString(file))
                        : fromOneLine(Files.readString(file));
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromDeb822(String text) {
        for (String stanza : text.split("\n\\s*\n")) {
            String uris = null;
            boolean suite = false;
            boolean deb = false;
            for (String line : stanza.split("\n")) {
                if (line.startsWith("URIs:")) {
                    uris = line.substring(5).trim().split("\\s+")[0];
                } else if (line.startsWith("Suites:")) {
                    suite = List.of(line.substring(7).trim().split("\\s+")).contains(SUITE);
                } else if (line.startsWith("Types:")) {
                    deb = List.of(line.substring(6).trim().split("\\s+")).contains("deb");
                }
            }
            if (uris != null && suite && deb) {
                return Optional.of(uris);
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromOneLine(String text) {
        for (String line : text.split("\n")) {
            // deb [options] URL suite components...
            String[] words = line.replaceAll("\\[[^]]*]", " ").trim().split("\\s+");
            if (words.length >= 3 && words[0].equals("deb") && words[2].equals(SUITE)) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }
}
