package dev.jbuild.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.TestResources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds real Dockerfiles into a temporary store and checks the image tree and config. */
class BuilderTest {

    @TempDir
    Path temp;

    BuildFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(temp.resolve("context"));
        fixture = new BuildFixture(temp.resolve("context"), temp.resolve("store"));
        fixture.file("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
                .file("group", "root:x:0:\nstaff:x:50:app\napp:x:1000:\n")
                .file("a.txt", "A\n")
                .file("b.txt", "B\n")
                .file("dir/x", "X\n")
                .file("dir/inner/y.txt", "Y\n")
                .file("dir/debug.log", "LOG\n");
    }

    private static int mode(LayerEntry entry) {
        return entry.attributes().mode();
    }

    @Test
    void copyPlacesFilesLikeDocker() throws Exception {
        Files.setPosixFilePermissions(fixture.context.resolve("a.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(fixture.context.resolve("link-to-a"), Path.of("a.txt"));
        Files.createSymbolicLink(fixture.context.resolve("dir/inner/rel-link"), Path.of("y.txt"));
        BuildResult result = fixture.build(TestResources.text(BuilderTest.class, "copyPlacesFilesLikeDocker.Dockerfile"));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("A\n", text.get("srv/a.txt"));
        assertEquals("A\n", text.get("srv/sub/a.txt"));
        assertEquals("B\n", text.get("srv/sub/b.txt"));
        assertEquals("X\n", text.get("data/x"), "a directory source copies its contents");
        assertEquals("Y\n", text.get("data/inner/y.txt"));
        assertFalse(tree.containsKey("data/dir"));
        assertEquals(List.of("glob/a.txt", "glob/b.txt"),
                tree.keySet().stream().filter(p -> p.startsWith("glob/")).toList());
        assertInstanceOf(LayerEntry.RegularFile.class, tree.get("renamed"));
        assertEquals(1000, tree.get("owned").attributes().uid());
        assertEquals(50, tree.get("owned").attributes().gid());
        assertEquals(1234, tree.get("numeric").attributes().uid());
        assertEquals(1234, tree.get("numeric").attributes().gid(), "a uid alone is the gid too (BuildKit)");
        assertEquals(0600, mode(tree.get("mode-octal")));
        assertEquals(0704, mode(tree.get("mode-symbolic")));
        assertEquals("Y\n", text.get("parents/inner/y.txt"));
        assertFalse(tree.containsKey("parents/dir"));
        assertTrue(tree.containsKey("excluded/x"));
        assertFalse(tree.containsKey("excluded/debug.log"));
        assertEquals("A\n", text.get("followed"), "a symlink source is followed");
        LayerEntry link = tree.get("data/inner/rel-link");
        assertInstanceOf(LayerEntry.Symlink.class, link, "links inside a copied directory stay links");
        assertEquals("y.txt", ((LayerEntry.Symlink) link).target());
        assertEquals(0, tree.get("srv/a.txt").attributes().uid(), "context files belong to root");
        assertEquals(0755, mode(tree.get("srv/sub")));
        assertEquals("/srv", fixture.config(result).config().workingDir());
    }

    @Test
    void copyFromAStageKeepsOwnersAndUsesTheDestinationImagesUsers() throws Exception {
        BuildResult result = fixture.build("""
                FROM scratch AS users
                COPY passwd group /etc/
                COPY --chown=1000:1000 a.txt /home/app/a.txt
                FROM users
                COPY --from=users /home/app/a.txt /kept
                COPY --from=0 --chown=app /etc/passwd /chowned
                """);
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertEquals(1000, tree.get("kept").attributes().uid());
        assertEquals(1000, tree.get("chowned").attributes().uid());
        assertEquals(1000, tree.get("chowned").attributes().gid());
    }

    @Test
    void workdirCreatesMissingDirectoriesOwnedByUserAndNothingWhenPresent() throws Exception {
        BuildResult result = fixture.build("""
                FROM scratch
                COPY passwd group /etc/
                USER app
                WORKDIR /home/app/work
                WORKDIR /etc
                WORKDIR relative
                """);
        List<Map<String, LayerEntry>> layers = fixture.layers(result);
        assertEquals(3, layers.size(), "COPY, WORKDIR /home/app/work, WORKDIR relative; /etc exists");
        assertEquals(1000, layers.get(1).get("home/app/work").attributes().uid());
        assertTrue(layers.get(2).containsKey("etc/relative"));
        ImageConfig config = fixture.config(result);
        assertEquals("/etc/relative", config.config().workingDir());
        List<ImageConfig.History> history = config.history();
        assertEquals(5, history.size());
        assertTrue(history.get(3).emptyLayer(), "WORKDIR of an existing directory adds no layer");
    }

    @Test
    void metadataInstructionsSetTheConfigAsDockerDoes() throws Exception {
        BuildResult result = fixture.build(TestResources.text(BuilderTest.class, "metadataInstructionsSetTheConfigAsDockerDoes.Dockerfile"));
        ImageConfig config = fixture.config(result);
        ImageConfig.Config run = config.config();
        assertEquals(List.of("PATH=" + ImageState.DEFAULT_PATH, "A=3", "B=1-2", "C=with space", "D=1"), run.env());
        assertEquals(Map.of("version", "2", "quoted key", "v"), run.labels());
        assertEquals(Set.of("80/tcp", "443/tcp", "53/udp", "7000/tcp", "7001/tcp", "7002/tcp"), run.exposedPorts());
        assertEquals(Set.of("/data", "/cache"), run.volumes());
        assertEquals("1000:1000", run.user());
        assertEquals(List.of("/entry"), run.entrypoint());
        assertNull(run.cmd(), "ENTRYPOINT drops the CMD inherited from the base stage");
        assertEquals("SIGINT", run.stopSignal());
        assertEquals(List.of("CMD-SHELL", "curl -f http://localhost/"), run.healthcheck().test());
        assertEquals(5_000_000_000L, run.healthcheck().interval());
        assertEquals(3, run.healthcheck().retries());
        assertEquals(List.of("/bin/bash", "-c"), run.shell());
        assertEquals(List.of("COPY a.txt /onbuild.txt"), run.onBuild());
        assertEquals("someone@example.com", config.author());
        assertTrue(config.history().stream().allMatch(ImageConfig.History::emptyLayer));
    }

    /** Config details that a differential run against BuildKit (dockerfile2llb, v0.11.6 and master) showed. */
    @Test
    void configDetailsAreBuildKits() throws Exception {
        BuildResult result = fixture.build("""
                FROM scratch AS base
                ENV A=1
                FROM scratch
                CMD echo hi
                ONBUILD COPY a.txt /later.txt
                WORKDIR //srv//app/../web/
                EXPOSE 127.0.0.1:80:8080 8081:81/udp [::1]:9000:9000 90/ 5000-5001:6000
                STOPSIGNAL 100
                """);
        ImageConfig config = fixture.config(result);
        ImageConfig.Config run = config.config();
        assertTrue(run.argsEscaped(), "BuildKit sets ArgsEscaped with every CMD");
        assertEquals("//srv//app/../web/", run.workingDir(), "an absolute WORKDIR is kept as written");
        assertEquals(Set.of("8080/tcp", "81/udp", "9000/tcp", "90/tcp", "6000/tcp"), run.exposedPorts());
        assertEquals("100", run.stopSignal());
        assertEquals(List.of("CMD echo hi", "WORKDIR //srv//app/../web/", "EXPOSE 127.0.0.1:80:8080 8081:81/udp [::1]:9000:9000 90/ 5000-5001:6000",
                "STOPSIGNAL 100"), config.history().stream().map(ImageConfig.History::createdBy).toList(),
                "ONBUILD is in the config, not in the history");
        assertEquals(List.of("COPY a.txt /later.txt"), run.onBuild());
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertTrue(tree.containsKey("srv/web"), "the directory made is the cleaned path: " + tree.keySet());

        BuildResult scratch = fixture.build("FROM scratch\nENV A=1\n");
        assertEquals("/", fixture.config(scratch).config().workingDir(), "BuildKit's empty image works in /");
        for (String bad : List.of("STOPSIGNAL 0", "STOPSIGNAL SIGNOPE", "EXPOSE 80/tcp/x", "EXPOSE 999.1.1.1:80:80",
                "EXPOSE 1-3:7000-7001")) {
            assertThrows(BuildException.class, () -> fixture.build("FROM scratch\n" + bad + "\n"), bad);
        }
    }

    @Test
    void cmdSetInTheSameStageSurvivesEntrypointAndShellFormUsesShell() throws Exception {
        BuildResult result = fixture.build("""
                FROM scratch
                SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
                CMD echo hi
                ENTRYPOINT ["/tini", "--"]
                """);
        ImageConfig.Config run = fixture.config(result).config();
        assertEquals(List.of("/bin/ash", "-eo", "pipefail", "-c", "echo hi"), run.cmd());
        assertEquals(List.of("/tini", "--"), run.entrypoint());
    }

    @Test
    void onbuildTriggersRunInTheChildAndAreCleared() throws Exception {
        fixture.tags = List.of("docker.io/library/parent:1");
        fixture.build("FROM scratch\nONBUILD COPY a.txt /from-trigger.txt\nONBUILD LABEL triggered=yes\n");
        fixture.tags = List.of();
        BuildResult child = fixture.build("FROM parent:1\nCOPY b.txt /b.txt\n");
        Map<String, String> text = new HashMap<>();
        fixture.tree(child, text);
        assertEquals("A\n", text.get("from-trigger.txt"));
        ImageConfig.Config run = fixture.config(child).config();
        assertNull(run.onBuild());
        assertEquals(Map.of("triggered", "yes"), run.labels());
    }

    @Test
    void heredocsAreFilesWithVariablesExpandedAndQuotesKept() throws Exception {
        BuildResult result = fixture.build(TestResources.text(BuilderTest.class, "heredocsAreFilesWithVariablesExpandedAndQuotesKept.Dockerfile"));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("hello world \"quoted\" $NAME world\n", text.get("greeting"));
        assertEquals("$NAME\n", text.get("raw"));
        assertEquals(0644, mode(tree.get("greeting")));
    }

    @Test
    void anUnquotedHeredocTakesBackslashesAsEscapesAndAQuotedOneKeepsThem() throws Exception {
        // BuildKit's COPY heredoc expansion: escapes work, quotes do not (its SkipProcessQuotes).
        BuildResult result = fixture.build("""
                FROM scratch
                ENV X=1
                COPY <<EOF /expanded
                p\\q \\\\ printf "a\\n" \\$X $X 'x' C:\\path
                trail\\
                end
                EOF
                COPY <<"EOF" /raw
                p\\q \\\\ \\$X trail\\
                EOF
                """);
        Map<String, String> text = new HashMap<>();
        fixture.tree(result, text);
        assertEquals("pq \\ printf \"an\" $X 1 'x' C:path\ntrail\nend\n", text.get("expanded"));
        assertEquals("p\\q \\\\ \\$X trail\\\n", text.get("raw"));
    }

    @Test
    void addUnpacksLocalArchivesAndCopiesOtherFiles() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            byte[] content = "inside\n".getBytes();
            TarArchiveEntry entry = new TarArchiveEntry("pkg/file.txt");
            entry.setSize(content.length);
            entry.setMode(0640);
            entry.setIds(7, 8);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry escape = new TarArchiveEntry("../../escape.txt");
            escape.setSize(content.length);
            tar.putArchiveEntry(escape);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        Files.write(fixture.context.resolve("bundle.tgz"), bytes.toByteArray());
        BuildResult result = fixture.build("""
                FROM scratch
                ADD bundle.tgz /opt/
                ADD a.txt /plain/
                """);
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        assertEquals("inside\n", text.get("opt/pkg/file.txt"));
        assertEquals(0640, mode(tree.get("opt/pkg/file.txt")));
        assertEquals(7, tree.get("opt/pkg/file.txt").attributes().uid());
        assertEquals("inside\n", text.get("opt/escape.txt"), "names are confined to the destination");
        assertFalse(tree.containsKey("opt/bundle.tgz"));
        assertEquals("A\n", text.get("plain/a.txt"));
    }

    /**
     * ADD reads archives with the one tar reader and sniffer: every compression BuildKit's ADD takes (moby's
     * DecompressStream: gzip, bzip2, xz, zstd, plain), PAX long names, GNU sparse files, and a plain tar whose
     * first member is named like bzip2's magic (a tar header comes first); a text file that only starts
     * like bzip2 is copied.
     */
    @Integration
    @Test
    void addUnpacksEveryFormatBuildKitDoesWithTheOneTarReader() throws Exception {
        String longName = "long/" + "n".repeat(150) + ".txt";
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(plain)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            byte[] content = "long\n".getBytes();
            TarArchiveEntry entry = new TarArchiveEntry(longName);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        byte[] tar = plain.toByteArray();
        Files.write(fixture.context.resolve("plain.tar"), tar);
        Files.write(fixture.context.resolve("gzip.tar.gz"), compressed(tar, GZIPOutputStream::new));
        Files.write(fixture.context.resolve("bzip2.tbz"), compressed(tar,
                BZip2CompressorOutputStream::new));
        Files.write(fixture.context.resolve("xz.txz"), compressed(tar,
                XZCompressorOutputStream::new));
        Files.write(fixture.context.resolve("zstd.tar.zst"), Zstd.compress(tar));

        ByteArrayOutputStream magic = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(magic)) {
            byte[] content = "not bzip2\n".getBytes();
            TarArchiveEntry entry = new TarArchiveEntry("BZh91AY&SY");
            entry.setSize(content.length);
            out.putArchiveEntry(entry);
            out.write(content);
            out.closeArchiveEntry();
        }
        Files.write(fixture.context.resolve("magic.tar"), magic.toByteArray());
        fixture.file("notes.txt", "BZh is how a bzip2 stream starts, but this is text\n");

        Path sparseDir = Files.createDirectories(temp.resolve("sparse-src"));
        try (RandomAccessFile f = new RandomAccessFile(sparseDir.resolve("holes.bin").toFile(), "rw")) {
            f.setLength(1 << 20);
            f.seek(100_000);
            f.write("middle".getBytes());
            f.seek(900_000);
            f.write("end".getBytes());
        }
        ExternalTool.command("tar", "--format=posix", "--sparse", "--sparse-version=1.0", "-cf",
                fixture.context.resolve("sparse.tar").toString(), "-C", sparseDir.toString(), "holes.bin").runSuccessfully();

        BuildResult result = fixture.build(TestResources.text(BuilderTest.class, "addUnpacksEveryFormatBuildKitDoesWithTheOneTarReader.Dockerfile"));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> tree = fixture.tree(result, text);
        for (String format : List.of("plain", "gzip", "bzip2", "xz", "zstd")) {
            assertEquals("long\n", text.get(format + "/" + longName), format + " in " + text.keySet());
        }
        assertEquals("not bzip2\n", text.get("magic/BZh91AY&SY"), "a tar named like bzip2 is unpacked: " + text.keySet());
        assertEquals("BZh is how a bzip2 stream starts, but this is text\n", text.get("notes/notes.txt"));
        byte[] holes = Files.readAllBytes(sparseDir.resolve("holes.bin"));
        assertEquals(holes.length, ((LayerEntry.RegularFile) tree.get("sparse/holes.bin")).size());
        assertEquals(new String(holes, StandardCharsets.UTF_8), text.get("sparse/holes.bin"));
    }

    interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] compressed(byte[] data, Compressor compressor) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = compressor.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    @Integration
    @Test
    void addDownloadsUrlsVerifiesChecksumsAndDatesFilesByLastModified() throws Exception {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = "downloaded\n".getBytes();
        server.createContext("/dl/", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("missing")) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/dl/";
            String sha = Digest.of(body).toString();
            BuildResult result = fixture.build("FROM scratch\nADD " + base + "tool.bin /opt/\n"
                    + "ADD --checksum=" + sha + " " + base + "tool.bin /checked\n");
            Map<String, String> text = new HashMap<>();
            Map<String, LayerEntry> tree = fixture.tree(result, text);
            assertEquals("downloaded\n", text.get("opt/tool.bin"));
            assertEquals(0600, mode(tree.get("opt/tool.bin")));
            assertEquals(Instant.parse("2015-10-21T07:28:00Z"), tree.get("opt/tool.bin").attributes().mtime());
            assertEquals("downloaded\n", text.get("checked"));
            BuildException wrong = assertThrows(BuildException.class, () -> fixture.build(
                    "FROM scratch\nADD --checksum=sha256:" + "0".repeat(64) + " " + base + "tool.bin /x\n"));
            assertTrue(wrong.getMessage().contains("checksum mismatch"), wrong.getMessage());
            BuildException missing = assertThrows(BuildException.class,
                    () -> fixture.build("FROM scratch\nADD " + base + "missing /x\n"));
            assertTrue(missing.getMessage().contains("HTTP 404"), missing.getMessage());
        } finally {
            server.stop(0);
        }
    }

    /**
     * With --checksum the download's content is known before it: the step is keyed by it, as BuildKit keys its
     * HTTP source, so a step that ran before is a cache hit without any request, and still a material.
     */
    @Integration
    @Test
    void addWithAChecksumIsACacheHitWithoutARequest() throws Exception {
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = "pinned\n".getBytes();
        server.createContext("/dl/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/dl/tool.bin";
            String dockerfile = "FROM scratch\nADD --checksum=" + Digest.of(body) + " " + url + " /opt/\n";
            BuildResult first = fixture.build(dockerfile);
            assertEquals(1, requests.get());
            BuildResult again = fixture.build(dockerfile);
            assertEquals(1, requests.get(), "no request for a known checksum");
            assertEquals(List.of("ADD --checksum=" + Digest.of(body) + " " + url + " /opt/"), fixture.cachedSteps);
            assertEquals(first.manifest().digest(), again.manifest().digest());
            assertEquals(first.materials(), again.materials());
            assertTrue(again.materials().stream().anyMatch(m -> m.uri().equals(url)), again.materials().toString());

            fixture.build("FROM scratch\nADD " + url + " /opt/\n");
            assertEquals(2, requests.get(), "without a checksum the content is known only after the download");
            BuildException malformed = assertThrows(BuildException.class,
                    () -> fixture.build("FROM scratch\nADD --checksum=sha256:nothex " + url + " /opt/\n"));
            assertTrue(malformed.getMessage().contains("invalid checksum sha256:nothex"), malformed.getMessage());
        } finally {
            server.stop(0);
        }
    }

    /**
     * BuildKit's frontend names an ADD download after the URL's path as written ({@code path.Base}), else
     * {@code __unnamed__}: not after Content-Disposition, nor after where a redirect led.
     */
    @Integration
    @Test
    void addNamesADownloadAfterTheUrlAsWritten() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = "downloaded\n".getBytes();
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/alias")) {
                exchange.getResponseHeaders().add("Location", "/a.txt");
                exchange.sendResponseHeaders(302, -1);
            } else {
                if (path.startsWith("/cd/")) {
                    exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"fromcd.txt\"");
                }
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try {
            String host = "http://127.0.0.1:" + server.getAddress().getPort();
            BuildResult result = fixture.build("FROM scratch\nADD " + host + "/cd/a.txt /d3/\nADD " + host + "/alias /d/\n"
                    + "ADD " + host + " /d8/\nADD " + host + "/ /d9/\nADD " + host + "/dir/sub/ /d10/\n");
            Map<String, String> text = new HashMap<>();
            Map<String, LayerEntry> tree = fixture.tree(result, text);
            assertEquals("downloaded\n", text.get("d3/a.txt"), tree.keySet().toString());
            assertEquals("downloaded\n", text.get("d/alias"), tree.keySet().toString());
            assertEquals("downloaded\n", text.get("d8/__unnamed__"), tree.keySet().toString());
            assertEquals("downloaded\n", text.get("d9/__unnamed__"), tree.keySet().toString());
            assertEquals("downloaded\n", text.get("d10/sub"), tree.keySet().toString());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void hardLinksInTheContextStayHardLinks() throws Exception {
        Files.createLink(fixture.context.resolve("dir/hard"), fixture.context.resolve("dir/x"));
        BuildResult result = fixture.build("FROM scratch\nCOPY dir /d\n");
        Map<String, LayerEntry> layer = fixture.layers(result).get(0);
        LayerEntry first = layer.get("d/hard");
        LayerEntry second = layer.get("d/x");
        assertTrue(first instanceof LayerEntry.Hardlink || second instanceof LayerEntry.Hardlink, layer.toString());
    }

    @Test
    void dockerignoreHidesFilesFromCopy() throws Exception {
        fixture.file(".dockerignore", "*.log\n**/*.log\nb.txt\n");
        BuildResult result = fixture.build("FROM scratch\nCOPY . /all/\n");
        Map<String, LayerEntry> tree = fixture.tree(result, new HashMap<>());
        assertTrue(tree.containsKey("all/a.txt"));
        assertFalse(tree.containsKey("all/b.txt"));
        assertFalse(tree.containsKey("all/dir/debug.log"));
        assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nCOPY b.txt /\n"));
    }

    @Test
    void symlinksPointingOutOfTheContextAreResolvedInsideIt() throws Exception {
        Path outside = temp.resolve("secret.txt");
        Files.writeString(outside, "SECRET\n");
        Files.createSymbolicLink(fixture.context.resolve("escape"), outside);
        BuildException e = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nCOPY escape /x\n"));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void sameInputsGiveTheSameDigestWhateverTheFileTimesAndPaths() throws Exception {
        String dockerfile = "FROM scratch\nCOPY . /app/\nWORKDIR /app/sub\nENV X=1\n";
        Instant epoch = Instant.ofEpochSecond(1_700_000_000);
        BuildFixture other = new BuildFixture(Files.createDirectories(temp.resolve("elsewhere/ctx")), temp.resolve("store2"));
        other.file("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
                .file("group", "root:x:0:\nstaff:x:50:app\napp:x:1000:\n")
                .file("a.txt", "A\n").file("b.txt", "B\n").file("dir/x", "X\n").file("dir/inner/y.txt", "Y\n")
                .file("dir/debug.log", "LOG\n");
        Files.setLastModifiedTime(other.context.resolve("a.txt"), FileTime.from(Instant.now().plusSeconds(3600)));
        fixture.sourceDateEpoch = epoch;
        other.sourceDateEpoch = epoch;
        BuildResult first = fixture.build(dockerfile);
        BuildResult second = other.build(dockerfile);
        assertEquals(first.manifest().digest(), second.manifest().digest());
        assertEquals("2023-11-14T22:13:20Z", fixture.config(first).created());
        BuildResult again = fixture.build(dockerfile);
        assertEquals(first.manifest().digest(), again.manifest().digest());
    }

    @Integration
    @Test
    void errorsNameTheInstruction() throws Exception {
        BuildException missing = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\n\nCOPY nope.txt /\n"));
        assertEquals(3, missing.location().startLine());
        assertEquals("COPY failed: \"/nope.txt\": not found", missing.getMessage());
        BuildException several = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nCOPY a.txt b.txt /dst\n"));
        assertTrue(several.getMessage().contains("must be a directory and end with a /"), several.getMessage());
        BuildException user = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nUSER nobody\nRUN true\n"));
        assertTrue(user.getMessage().contains("unable to find user nobody"), user.getMessage());
        BuildException run = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nRUN true\n"));
        assertTrue(run.getMessage().contains("exit code: 127"), "scratch has no /bin/sh: " + run.getMessage());
        BuildException base = assertThrows(BuildException.class, () -> fixture.build("FROM alpine:3.19\n"));
        assertTrue(base.getMessage().contains("not in the local store and no registry is configured"), base.getMessage());
        BuildException git = assertThrows(BuildException.class,
                () -> fixture.build("FROM scratch\nADD git@github.com:moby/buildkit.git /src\n"));
        assertTrue(git.getMessage().contains("over SSH needs an SSH agent") && git.getMessage().contains("--ssh default"), git.getMessage());
    }

    @Test
    void envLabelAndStageArgNamesAreExpanded() throws Exception {
        BuildResult result = fixture.build(TestResources.text(BuilderTest.class, "envLabelAndStageArgNamesAreExpanded.Dockerfile"));
        ImageConfig.Config run = fixture.config(result).config();
        // ARG ${src}=arg-value defines FROM_ARG (BuildKit 0.11's frontend, buildah); the ENV then replaces it.
        assertEquals(List.of("PATH=" + ImageState.DEFAULT_PATH, "ARG_SEEN=arg-value", "BUILD_LOGLEVEL=5", "FROM_ARG=env-value",
                "single=1", "FROM_ARG_COPY=env-value"), run.env());
        assertEquals(Map.of("FROM_ARG.label", "x"), run.labels());
    }

    /**
     * BuildKit's ARG writes its value into the stage's environment: it wins over an earlier ENV of its name (the
     * image's ENV keeps its own value), and a stage started FROM another sees that stage's ARGs, under the
     * image's ENV again.
     */
    @Test
    void argsWinOverEarlierEnvAndPassToStagesBuiltOnTheirStage() throws Exception {
        String dockerfile = """
                FROM scratch AS base
                ARG APP_ENV=production
                ENV SHADOWED=env
                ARG SHADOWED=arg
                ENV SEEN_IN_BASE=$SHADOWED
                WORKDIR /w-$SHADOWED
                FROM base AS build
                ENV COPY_OF=${APP_ENV} SHADOWED_IN_CHILD=${SHADOWED}
                """;
        ImageConfig.Config run = fixture.config(fixture.build(dockerfile)).config();
        assertEquals(List.of("PATH=" + ImageState.DEFAULT_PATH, "SHADOWED=env", "SEEN_IN_BASE=arg", "COPY_OF=production",
                "SHADOWED_IN_CHILD=env"), run.env());
        assertEquals("/w-arg", run.workingDir());

        fixture.buildArgs = Map.of("APP_ENV", "dev", "SHADOWED", "cli");
        run = fixture.config(fixture.build(dockerfile)).config();
        assertEquals(List.of("PATH=" + ImageState.DEFAULT_PATH, "SHADOWED=env", "SEEN_IN_BASE=cli", "COPY_OF=dev",
                "SHADOWED_IN_CHILD=env"), run.env());
    }

    @Test
    void substitutionsNestedTooDeeplyAreAnErrorAtTheirLine() throws Exception {
        String nested = "${X:-".repeat(5_000) + "x" + "}".repeat(5_000);
        // Words the planner does not expand; it reports ENV, ARG and FROM itself (PlannerTest).
        for (String instruction : List.of("LABEL a=" + nested, "USER " + nested, "WORKDIR /" + nested,
                "LABEL a=\"" + "${X:-\"".repeat(3_000), "COPY a.txt /" + nested)) {
            BuildException e = assertThrows(BuildException.class,
                    () -> fixture.build("FROM scratch\n\n" + instruction + "\n"), instruction.substring(0, 12));
            assertEquals(3, e.location().startLine(), instruction.substring(0, 12));
            assertTrue(e.getMessage().endsWith("syntax error: substitutions nested more than 100 levels deep"),
                    e.getMessage().substring(e.getMessage().length() - 80));
        }
        // Up to the limit is fine.
        String deepest = "${X:-".repeat(100) + "ok" + "}".repeat(100);
        BuildResult result = fixture.build("FROM scratch\nLABEL a=" + deepest + "\n");
        assertEquals(Map.of("a", "ok"), fixture.config(result).config().labels());
    }

    @Integration
    @Test
    void failedUserLookupsSayWhatNeededTheUser() throws Exception {
        // Files that WORKDIR and --chown create fall back to 0:0 as BuildKit's file op does, with a
        // warning that says what needed the user; a RUN process cannot run as a user the image lacks.
        fixture.warnings.clear();
        fixture.build("FROM scratch\nUSER ghost\nWORKDIR /app\n");
        assertTrue(fixture.warnings.stream().anyMatch(w -> w.startsWith("Dockerfile:3: WORKDIR creates its directory /app"
                + " owned by the current USER \"ghost\": user ghost is not in the image's /etc/passwd")), fixture.warnings.toString());
        // root and numbers need no lookup, as in BuildKit: FROM scratch + WORKDIR just works.
        fixture.warnings.clear();
        fixture.build("FROM scratch\nUSER root\nWORKDIR /app\n");
        fixture.build("FROM scratch\nUSER 0\nWORKDIR /app\n");
        assertEquals(List.of(), fixture.warnings);

        fixture.build("FROM scratch\nCOPY passwd group /etc/\nCOPY --chown=app:ghosts a.txt /\n");
        assertTrue(fixture.warnings.stream().anyMatch(w -> w.startsWith("Dockerfile:3: COPY --chown=app:ghosts: group ghosts")),
                fixture.warnings.toString());

        BuildException run = assertThrows(BuildException.class, () -> fixture.build("FROM scratch\nUSER app\nRUN true\n"));
        assertEquals(3, run.location().startLine());
        assertEquals("RUN runs as the current USER \"app\", which could not be looked up:"
                + " unable to find user app: no matching entries in passwd file"
                + " (the image has no /etc/passwd: use a numeric id such as 0, or add /etc/passwd first)", run.getMessage());
    }
}
