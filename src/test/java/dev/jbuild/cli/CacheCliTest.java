package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.Bytes;
import dev.jbuild.testing.Integration;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build cache through the CLI: RUN steps, secrets, concurrent builds in two JVMs, killed builds. */
@Integration
class CacheCliTest {

    @TempDir
    Path temp;

    Path context;
    BusyboxImage busybox;

    @BeforeEach
    void setUp() throws Exception {
        busybox = BusyboxImage.write(temp.resolve("busybox"), "1.0");
        context = Files.createDirectories(temp.resolve("context"));
        Files.writeString(context.resolve("a.txt"), "A\n");
        Files.writeString(context.resolve("b.txt"), "B\n");
    }

    private List<String> args(String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", temp.resolve("store").toString(),
                "--build-context", "busybox=oci-layout://" + busybox.layoutDirectory() + ":1.0"));
        args.addAll(List.of(extra));
        args.add(context.toString());
        return args;
    }

    private CliTest.Result build(String dockerfile, String... extra) throws Exception {
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        return CliTest.run(args(extra).toArray(String[]::new));
    }


    private static final String RUNS = """
            FROM busybox
            COPY a.txt /a.txt
            RUN echo one > /one.txt && rm /bin/ls
            ARG V=1
            RUN echo "$V" > /v.txt
            COPY b.txt /b.txt
            """;

    @Test
    void runStepsHitAndAnEditedFileRerunsFromItsCopy() throws Exception {
        CliTest.Result cold = build(RUNS, "-o", "type=tar,dest=" + temp.resolve("cold.tar"));
        assertEquals(0, cold.exitCode(), cold.err());
        assertEquals(List.of(), CliTest.cachedSteps(cold.err()));
        CliTest.Result warm = build(RUNS, "-o", "type=tar,dest=" + temp.resolve("warm.tar"));
        assertEquals(0, warm.exitCode(), warm.err());
        // ARG is no step (BuildKit shows none for metadata instructions); its record still keys the RUN after it.
        assertEquals(List.of("COPY a.txt /a.txt", "RUN echo one > /one.txt && rm /bin/ls",
                "RUN echo \"$V\" > /v.txt", "COPY b.txt /b.txt"), CliTest.cachedSteps(warm.err()));
        assertTrue(warm.err().contains("#2 CACHED"), warm.err());
        assertEquals(image(cold.err()), image(warm.err()), "same image digest");

        CliTest.Result arg = build(RUNS, "--build-arg", "V=2", "-o", "type=tar,dest=" + temp.resolve("arg.tar"));
        assertEquals(0, arg.exitCode(), arg.err());
        assertEquals(List.of("COPY a.txt /a.txt", "RUN echo one > /one.txt && rm /bin/ls"), CliTest.cachedSteps(arg.err()));
        Map<String, String> text = new HashMap<>();
        Map<String, LayerEntry> fs = rootfs(temp.resolve("arg.tar"), text);
        assertEquals("2\n", text.get("v.txt"));
        assertFalse(fs.containsKey("bin/ls"), "a cached RUN's deletion still hides the file from later RUNs");

        Files.writeString(context.resolve("a.txt"), "A2\n");
        CliTest.Result edited = build(RUNS, "-o", "type=tar,dest=" + temp.resolve("edited.tar"));
        assertEquals(List.of(), CliTest.cachedSteps(edited.err()));
    }

    @Test
    void everyRunFlagIsPartOfTheKey() throws Exception {
        String base = "FROM busybox\nCOPY a.txt /a.txt\n";
        String[][] pairs = {
            {"RUN echo hi > /x", "RUN --network=none echo hi > /x"},
            {"RUN echo hi > /x", "RUN --mount=type=tmpfs,target=/t echo hi > /x"},
            {"RUN --mount=type=cache,target=/c echo hi > /x", "RUN --mount=type=cache,target=/c,id=other echo hi > /x"},
            {"RUN --mount=type=bind,source=a.txt,target=/m cat /m > /x", "RUN --mount=type=bind,source=b.txt,target=/m cat /m > /x"},
            {"RUN [\"sh\", \"-c\", \"echo hi > /x\"]", "RUN [\"sh\", \"-c\", \"echo hi  > /x\"]"},
            {"ENV A=1\nRUN echo hi > /x", "ENV A=2\nRUN echo hi > /x"},
            {"USER root\nRUN echo hi > /x", "USER 0\nRUN echo hi > /x"},
            {"WORKDIR /w\nRUN echo hi > /x", "WORKDIR /v\nRUN echo hi > /x"},
            {"SHELL [\"/bin/sh\", \"-c\"]\nRUN echo hi > /x", "SHELL [\"/bin/sh\", \"-ec\"]\nRUN echo hi > /x"},
            {"RUN <<EOF\necho hi > /x\nEOF", "RUN <<EOF\necho ho > /x\nEOF"},
        };
        for (String[] pair : pairs) {
            CliTest.Result first = build(base + pair[0] + "\n");
            assertEquals(0, first.exitCode(), first.err());
            CliTest.Result again = build(base + pair[0] + "\n");
            assertEquals(Pattern.compile("(?m)^#\\d+ \\[").matcher(again.err()).results().count(), CliTest.cachedSteps(again.err()).size(),
                    again.err());
            CliTest.Result changed = build(base + pair[1] + "\n");
            assertEquals(0, changed.exitCode(), changed.err());
            assertEquals(List.of("COPY a.txt /a.txt"), CliTest.cachedSteps(changed.err()), pair[0] + " -> " + pair[1]);
        }
        // A bind mount's source content is in the key.
        String bind = base + "RUN --mount=type=bind,source=b.txt,target=/m cat /m > /x\n";
        build(bind);
        Files.writeString(context.resolve("b.txt"), "B2\n");
        assertEquals(List.of("COPY a.txt /a.txt"), CliTest.cachedSteps(build(bind).err()));
    }

    /**
     * A bind mount of a stage or an image is keyed by what it shows below its source (as COPY --from keys the
     * same files): nothing changed hits, a change elsewhere in the stage hits, a change below the source misses.
     */
    @Test
    void bindMountsFromAStageOrAnImageHitUntilWhatTheyShowChanges() throws Exception {
        String stage = "RUN --mount=type=bind,from=out,source=/out,target=/m cat /m/a.txt > /seen";
        String image = "RUN --mount=type=bind,from=busybox,source=/bin,target=/m ls /m > /ls";
        String dockerfile = "FROM busybox AS out\nCOPY a.txt /out/a.txt\nCOPY b.txt /other/b.txt\n"
                + "FROM busybox\n" + stage + "\n" + image + "\n";
        CliTest.Result cold = build(dockerfile);
        assertEquals(0, cold.exitCode(), cold.err());
        CliTest.Result warm = build(dockerfile);
        assertEquals(0, warm.exitCode(), warm.err());
        assertEquals(List.of("COPY a.txt /out/a.txt", "COPY b.txt /other/b.txt", stage, image),
                CliTest.cachedSteps(warm.err()), "once: the RUNs ran on every build");

        Files.writeString(context.resolve("b.txt"), "B2\n");
        CliTest.Result elsewhere = build(dockerfile);
        assertEquals(List.of("COPY a.txt /out/a.txt", stage, image), CliTest.cachedSteps(elsewhere.err()),
                "the stage changed outside the mounted source");

        Files.writeString(context.resolve("a.txt"), "A2\n");
        CliTest.Result below = build(dockerfile, "-o", "type=tar,dest=" + temp.resolve("below.tar"));
        assertEquals(0, below.exitCode(), below.err());
        assertEquals(List.of(), CliTest.cachedSteps(below.err()), "the stage's steps chain from the edited COPY");
        Map<String, String> text = new HashMap<>();
        rootfs(temp.resolve("below.tar"), text);
        assertEquals("A2\n", text.get("seen"));
    }

    /**
     * A bind source is resolved inside the context for the key exactly as for the mount: a link out of the
     * context leads to the context's own path of that name. The host file beyond it is not in the key (editing
     * it keeps the cache), and what the mount shows is (editing that reruns the steps).
     */
    @Test
    void bindSourcesThroughLinksOutOfTheContextAreKeyedAsTheyAreMounted() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host\n");
        Files.createSymbolicLink(context.resolve("link"), Path.of("../outside"));
        Files.createDirectories(context.resolve("outside"));
        Files.writeString(context.resolve("outside/secret"), "inside\n");
        String file = "RUN --mount=type=bind,source=link/secret,target=/m cat /m > /via-file";
        String dir = "RUN --mount=type=bind,source=link,target=/m cat /m/secret > /via-dir";
        String dockerfile = "FROM busybox\n" + file + "\n" + dir + "\n";
        CliTest.Result first = build(dockerfile, "-o", "type=tar,dest=" + temp.resolve("first.tar"));
        assertEquals(0, first.exitCode(), first.err());
        Map<String, String> text = new HashMap<>();
        rootfs(temp.resolve("first.tar"), text);
        assertEquals("inside\n", text.get("via-file"));
        assertEquals("inside\n", text.get("via-dir"));

        Files.writeString(outside.resolve("secret"), "host, edited\n");
        CliTest.Result host = build(dockerfile);
        assertEquals(0, host.exitCode(), host.err());
        assertEquals(List.of(file, dir), CliTest.cachedSteps(host.err()), "the host file beyond the link is not in the key");

        Files.writeString(context.resolve("outside/secret"), "inside, edited\n");
        CliTest.Result inside = build(dockerfile, "-o", "type=tar,dest=" + temp.resolve("inside.tar"));
        assertEquals(0, inside.exitCode(), inside.err());
        assertEquals(List.of(), CliTest.cachedSteps(inside.err()), "what the mounts show is in the key");
        rootfs(temp.resolve("inside.tar"), text);
        assertEquals("inside, edited\n", text.get("via-file"));
        assertEquals("inside, edited\n", text.get("via-dir"));
    }

    @Test
    void secretsNeverReachKeysRecordsOrTheStore() throws Exception {
        String value = "s3cr3t-" + System.nanoTime();
        Path secret = temp.resolve("token");
        Files.writeString(secret, value);
        String dockerfile = "FROM busybox\nRUN --mount=type=secret,id=token cat /run/secrets/token | wc -c > /len\n";
        CliTest.Result first = build(dockerfile, "--secret", "id=token,src=" + secret);
        assertEquals(0, first.exitCode(), first.err());
        Files.writeString(secret, value + "-rotated");
        CliTest.Result second = build(dockerfile, "--secret", "id=token,src=" + secret);
        assertEquals(List.of("RUN --mount=type=secret,id=token cat /run/secrets/token | wc -c > /len"), CliTest.cachedSteps(second.err()),
                "a secret's value is not part of the key");
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        byte[] path = secret.toString().getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(temp.resolve("store"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                assertFalse(Bytes.contains(bytes, needle), "secret value in " + file);
                assertFalse(Bytes.contains(bytes, path), "secret path in " + file);
            }
        }
    }

    @Test
    void twoJvmsSharingAStoreBothSucceed() throws Exception {
        writeBigContext();
        Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nCOPY big /big\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n");
        Process one = jvm(args("-q"));
        Process two = jvm(args("-q"));
        String outOne = new String(one.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String outTwo = new String(two.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(one.waitFor(120, TimeUnit.SECONDS) && two.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, one.exitValue(), new String(one.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, two.exitValue(), new String(two.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(outOne.startsWith("sha256:"), outOne);
        CliTest.Result third = build(Files.readString(context.resolve("Dockerfile")));
        assertEquals(3, CliTest.cachedSteps(third.err()).size(), third.err());
        assertStoreValid();
    }

    @Test
    void killedBuildsLeaveAStoreTheNextBuildUses() throws Exception {
        writeBigContext();
        Random random = new Random(42);
        for (int i = 0; i < 8; i++) {
            // A changing file makes every round write new layers and records.
            Files.writeString(context.resolve("a.txt"), "round " + i + "\n");
            Files.writeString(context.resolve("Dockerfile"),
                    "FROM busybox\nCOPY a.txt /a.txt\nCOPY big /big\nENV R=" + i + "\nCOPY b.txt /b.txt\n");
            Process victim = jvm(args("-t", "crash:" + i));
            Thread.sleep(200 + random.nextInt(1800));
            victim.destroyForcibly();
            victim.waitFor(30, TimeUnit.SECONDS);
            CliTest.Result next = build(Files.readString(context.resolve("Dockerfile")), "-t", "crash:" + i);
            assertEquals(0, next.exitCode(), "round " + i + ": " + next.err());
            assertStoreValid();
        }
    }

    private void writeBigContext() throws Exception {
        Path big = Files.createDirectories(context.resolve("big"));
        Random random = new Random(1);
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < 12; i++) {
            random.nextBytes(data);
            Files.write(big.resolve("f" + i), data);
        }
    }

    /** index.json parses, every record parses and names a blob that exists (or is a miss), every tag's blobs exist. */
    private void assertStoreValid() throws Exception {
        Path store = temp.resolve("store");
        var index = ImageDocuments.parseIndex(Files.readAllBytes(store.resolve("index.json"))).value();
        for (var manifest : index.manifests()) {
            assertTrue(Files.exists(store.resolve("blobs/sha256/" + manifest.digest().hex())));
        }
        try (var records = Files.list(store.resolve("cache/records"))) {
            for (Path record : records.toList()) {
                String name = record.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    continue; // a killed writer's partial file: never read as a record
                }
                assertTrue(name.matches("[0-9a-f]{64}"), name);
                var node = new ObjectMapper().readTree(Files.readAllBytes(record));
                assertEquals(1, node.path("version").asInt(), record.toString());
                if (node.hasNonNull("layer")) {
                    String digest = node.get("layer").get("digest").asText();
                    assertTrue(Files.exists(store.resolve("blobs/sha256/" + digest.substring(7))),
                            "a record is written after its layer: " + digest);
                }
            }
        }
    }

    private Process jvm(List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.jbuild.cli.Main"));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    private static String image(String progress) {
        Matcher m = Pattern.compile("writing image (sha256:[0-9a-f]+)").matcher(progress);
        return m.find() ? m.group(1) : null;
    }

    private static Map<String, LayerEntry> rootfs(Path tar, Map<String, String> text) throws Exception {
        Map<String, LayerEntry> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar)) {
            LayerReader.read(in, (entry, content) -> {
                entries.put(entry.path(), entry);
                if (entry instanceof LayerEntry.RegularFile) {
                    text.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
                }
            });
        }
        return entries;
    }
}
