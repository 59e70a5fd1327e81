package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.packageurl.PackageURL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apk's {@code /lib/apk/db/installed}. No Alpine database is on a Debian machine, so the fixture is
 * written from the documented format (https://wiki.alpinelinux.org/wiki/Apk_spec, "Installed
 * Database V2"): stanzas of {@code X:value} lines separated by blank lines, the file list
 * ({@code F:}, {@code R:}, {@code a:}, {@code Z:}) after the package fields.
 */
class ApkCatalogerTest {

    static final String INSTALLED = """
            C:Q1zM2W5zvNNpIWXr5iHgbhO3nBS8U=
            P:musl
            V:1.2.5-r0
            A:x86_64
            S:411434
            I:647168
            T:the musl c library (libc) implementation
            U:https://musl.libc.org/
            L:MIT
            o:musl
            m:Natanael Copa <ncopa@alpinelinux.org>
            t:1712155919
            c:2d4d3ce0ee2dc9cac4ba8a8e7a18a0b5a4bc3a7b
            p:so:libc.musl-x86_64.so.1=1
            F:lib
            R:ld-musl-x86_64.so.1
            a:0:0:755
            Z:Q1bLYVJOg2W84tVWcZGR2YCTJ1bw8=
            R:libc.musl-x86_64.so.1
            a:0:0:777
            Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

            C:Q1NAGb0gN2BO4WQTpeHEU5tJYdmCI=
            P:libcrypto3
            V:3.3.2-r0
            A:x86_64
            L:Apache-2.0
            o:openssl
            m:Ariadne Conill <ariadne@dereferenced.org>
            D:so:libc.musl-x86_64.so.1
            F:usr/lib
            R:libcrypto.so.3

            P:busybox-binsh
            V:1.36.1-r29
            A:x86_64
            L:GPL-2.0-only
            o:busybox

            P:no-fields-but-the-name
            """;

    @TempDir
    Path root;

    @Test
    void everyStanzaIsAPackageWithItsFieldsAndMissingOnesLeftOut() throws Exception {
        Files.createDirectories(root.resolve("lib/apk/db"));
        Files.writeString(root.resolve("lib/apk/db/installed"), INSTALLED);
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n");
        List<SbomPackage> packages = Sboms.scan(RootFiles.directory(root)).packages();
        assertEquals(List.of("busybox-binsh", "libcrypto3", "musl", "no-fields-but-the-name"),
                packages.stream().map(SbomPackage::name).toList());

        SbomPackage musl = packages.get(2);
        assertEquals("1.2.5-r0", musl.version());
        assertEquals("apk", musl.type());
        assertEquals("x86_64", musl.arch());
        assertEquals(List.of("MIT"), musl.licenses());
        assertEquals("Natanael Copa <ncopa@alpinelinux.org>", musl.supplier());
        assertEquals(List.of("/lib/apk/db/installed"), musl.locations());
        assertEquals("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3", musl.purl());

        SbomPackage crypto = packages.get(1);
        assertEquals("openssl", crypto.source());
        PackageURL purl = new PackageURL(crypto.purl());
        assertEquals("openssl", purl.getQualifiers().get("upstream"));
        assertEquals("alpine-3.20.3", purl.getQualifiers().get("distro"));

        SbomPackage bare = packages.get(3);
        assertEquals("", bare.version());
        assertEquals(List.of(), bare.licenses());
        assertNull(bare.arch());
        assertEquals("pkg:apk/alpine/no-fields-but-the-name?distro=alpine-3.20.3", bare.purl());
    }

    @Test
    void withoutOsReleaseThePurlHasNoDistro() throws Exception {
        Files.createDirectories(root.resolve("lib/apk/db"));
        Files.writeString(root.resolve("lib/apk/db/installed"), INSTALLED);
        SbomContents contents = Sboms.scan(RootFiles.directory(root));
        assertNull(contents.distro());
        assertEquals("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64", contents.packages().get(2).purl());
    }
}
