package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoBinaryCatalogerTest {

    @TempDir
    Path root;

    private Path place(Path binary, String at) throws Exception {
        Path file = root.resolve(at);
        Files.createDirectories(file.getParent());
        Files.copy(binary, file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * Debian's skopeo and registry (both installed by test.sh), built with Debian's Go: the Go version
     * is the one their package says it was built with ({@code Built-Using: golang-1.19 (= 1.19.8-2)}),
     * and with {@code go} installed everything matches {@code go version -m}.
     */
    @Test
    @Integration
    void realGoProgramsGiveTheirGoVersionAndMainPackage() throws Exception {
        assertProgram("skopeo", "/usr/bin/skopeo", "github.com/containers/skopeo/cmd/skopeo");
        assertProgram("docker-registry", "/usr/bin/docker-registry", "github.com/docker/distribution/cmd/registry");
    }

    private void assertProgram(String debianPackage, String path, String mainPackage) throws Exception {
        TempRoot tree = new TempRoot(Files.createTempDirectory(root, debianPackage));
        tree.place(Path.of(path), "usr/bin/" + debianPackage);
        List<SbomPackage> packages = Sboms.scan(RootFiles.directory(tree.dir)).packages();
        String builtUsing = ExternalTool.command("dpkg-query", "-W", "-f", "${Built-Using}", debianPackage)
                .runSuccessfully().stdout();
        Matcher go = Pattern.compile("golang-[0-9.]+ \\(= ([0-9.]+)-[^)]*\\)").matcher(builtUsing);
        assertTrue(go.find(), builtUsing);
        SbomPackage stdlib = packages.stream().filter(p -> p.name().equals("stdlib")).findFirst().orElseThrow();
        assertEquals(go.group(1), stdlib.version());
        assertEquals("pkg:golang/stdlib@" + go.group(1), stdlib.purl());
        assertTrue(packages.stream().anyMatch(p -> p.name().equals(mainPackage)), packages.toString());
        assertTrue(packages.stream().allMatch(p -> p.locations().equals(List.of("/usr/bin/" + debianPackage))));

        Optional<Path> goTool = ExternalTool.find("go");
        if (goTool.isPresent()) {
            // The reference when it is there (not installed by test.sh: Debian's Go is large).
            String reference = ExternalTool.command("go", "version", "-m", path).runSuccessfully().stdout();
            List<String> expected = new ArrayList<>();
            for (String line : reference.split("\n")) {
                String[] f = line.strip().split("\t");
                if (line.startsWith(path + ": ")) {
                    expected.add("stdlib " + line.substring(path.length() + 4));
                } else if (f[0].equals("path") && !reference.contains("\tmod\t")) {
                    expected.add(f[1] + " ");
                } else if (f[0].equals("mod") || f[0].equals("dep")) {
                    expected.add(f[1] + " " + (f.length > 2 && !f[2].equals("(devel)") ? f[2] : ""));
                }
            }
            List<String> got = packages.stream().filter(p -> p.type().equals("golang"))
                    .map(p -> p.name() + " " + p.version()).sorted().toList();
            assertEquals(expected.stream().sorted().toList(), got);
        }
    }

    private record TempRoot(Path dir) {
        void place(Path binary, String at) throws Exception {
            Path file = dir.resolve(at);
            Files.createDirectories(file.getParent());
            Files.copy(binary, file);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void programsThatAreNotGoAndFilesThatAreNotExecutableAreNoPackages() throws Exception {
        place(Path.of("/bin/busybox"), "bin/busybox"); // a static C program (busybox-static)
        Path notExecutable = root.resolve("usr/share/skopeo-copy");
        Files.createDirectories(notExecutable.getParent());
        Files.copy(Path.of("/usr/bin/skopeo"), notExecutable);
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of(), Sboms.scan(RootFiles.directory(root)).packages());
    }

    /**
     * The inline layout (Go 1.18+, {@code debug/buildinfo}): magic, pointer size, flags with bit 2, 16
     * bytes of padding to 32, then the version and the module text as varint-prefixed strings, the
     * module text between 16-byte sentinels. No Go binary with dependencies is installed on a Debian
     * machine (Debian builds in GOPATH mode), so dependencies and replacements are checked on the layout.
     */
    @Test
    void depsAndReplacementsOfTheInlineFormat() {
        String mod = "path\texample.com/app/cmd/app\n"
                + "mod\texample.com/app\tv1.4.0\th1:abc=\n"
                + "dep\tgithub.com/pkg/errors\tv0.9.1\th1:def=\n"
                + "dep\tgolang.org/x/sys\tv0.1.0\n"
                + "=>\tgolang.org/x/sys\tv0.2.0\th1:ghi=\n"
                + "build\t-compiler=gc\n";
        String framed = "0123456789abcdef" + mod + "fedcba9876543210";
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(new byte[48]); // what precedes, at a 16-byte boundary
        data.writeBytes(GoBinaryCataloger.MAGIC);
        data.write(8);
        data.write(2);
        data.writeBytes(new byte[16]);
        writeString(data, "go1.22.5 X:nocoverageredesign");
        writeString(data, framed);
        GoBinaryCataloger.BuildInfo info = GoBinaryCataloger.parse(data.toByteArray()).orElseThrow();
        List<SbomPackage> packages = GoBinaryCataloger.toPackages(info, "/app");
        assertEquals(List.of("stdlib 1.22.5 pkg:golang/stdlib@1.22.5",
                        "example.com/app v1.4.0 pkg:golang/example.com/app@v1.4.0",
                        "github.com/pkg/errors v0.9.1 pkg:golang/github.com/pkg/errors@v0.9.1",
                        "golang.org/x/sys v0.2.0 pkg:golang/golang.org/x/sys@v0.2.0"),
                packages.stream().map(p -> p.name() + " " + p.version() + " " + p.purl()).toList());

        // the magic off a 16-byte boundary is not build info; pointer-format (flags without bit 2) is skipped
        byte[] shifted = new byte[data.size() + 1];
        System.arraycopy(data.toByteArray(), 0, shifted, 1, data.size());
        assertFalse(GoBinaryCataloger.parse(shifted).isPresent());
        byte[] old = data.toByteArray();
        old[48 + 15] = 0;
        assertFalse(GoBinaryCataloger.parse(old).isPresent());
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        while (n >= 0x80) {
            out.write((n & 0x7f) | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.writeBytes(bytes);
    }
}
