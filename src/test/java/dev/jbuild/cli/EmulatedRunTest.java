package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.sandbox.Emulation;
import dev.jbuild.testing.BusyboxImage;
import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.ReadableClasspath;
import dev.jbuild.testing.RootlessTestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN for linux/arm64 on an amd64 host through the host's qemu-user-static binfmt_misc handler, with a real
 * arm64 busybox. scripts/test.sh registers the handler when it can and says so in {@value #EMULATION_ENV}:
 * "1" — emulated RUN must work; "0" — it must fail with the explanation of what the host lacks. Unset (the
 * suite started without test.sh), the host's {@code /proc/sys/fs/binfmt_misc/qemu-aarch64} decides.
 */
@Integration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmulatedRunTest {

    static final String EMULATION_ENV = "JBUILD_TEST_EMULATION";
    static final String CLEAR_ERROR = "RUN for linux/arm64 on a linux/amd64 host needs CPU emulation, and ";

    @TempDir
    static Path temp;

    BusyboxImage host;
    BusyboxImage arm64;
    boolean emulation;

    @BeforeAll
    void images() {
        if (!BusyboxImage.hostArchitecture().equals("amd64")) {
            fail("these tests emulate arm64 on an amd64 host (as CI runs them); this host is "
                    + BusyboxImage.hostArchitecture());
        }
        Path layout = temp.resolve("busybox");
        host = BusyboxImage.write(layout, "amd64");
        arm64 = BusyboxImage.writeArm64(layout, "arm64");
        BusyboxImage.writeMultiPlatform("multi", host, arm64);
        emulation = emulationExpected();
    }

    /** What test.sh set up; without it, whether the host has an enabled qemu-aarch64 entry with the F flag. */
    static boolean emulationExpected() {
        String set = System.getenv(EMULATION_ENV);
        if (set != null) {
            return set.equals("1");
        }
        Path entry = Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64");
        try {
            String text = Files.readString(entry);
            return text.startsWith("enabled\n") && text.lines().anyMatch(l -> l.startsWith("flags:") && l.contains("F"));
        } catch (IOException e) {
            return false;
        }
    }

    private CliTest.Result build(String name, String tag, String dockerfile, String... options) throws IOException {
        Path context = Files.createDirectories(temp.resolve(name));
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("build", "--root", temp.resolve("store").toString(), "--progress=plain",
                "--build-context", "busybox=oci-layout://" + host.layoutDirectory() + ":" + tag));
        args.addAll(List.of(options));
        args.add(context.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    /** The image configs in an OCI archive, in index order (one level of nesting, as jbuild writes them). */
    private List<JsonNode> configs(Path archive) throws IOException {
        Path layout = Files.createDirectories(temp.resolve(archive.getFileName() + ".d"));
        ExternalTool.command("tar", "-xf", archive.toString(), "-C", layout.toString()).runSuccessfully();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> manifests = new ArrayList<>();
        for (JsonNode d : json.readTree(layout.resolve("index.json").toFile()).get("manifests")) {
            JsonNode doc = json.readTree(layout.resolve("blobs/sha256/" + d.get("digest").asText().substring(7)).toFile());
            if (doc.has("manifests")) {
                for (JsonNode m : doc.get("manifests")) {
                    manifests.add(json.readTree(layout.resolve("blobs/sha256/" + m.get("digest").asText().substring(7)).toFile()));
                }
            } else {
                manifests.add(doc);
            }
        }
        List<JsonNode> configs = new ArrayList<>();
        for (JsonNode m : manifests) {
            configs.add(json.readTree(layout.resolve("blobs/sha256/" + m.at("/config/digest").asText().substring(7)).toFile()));
        }
        return configs;
    }

    private static void assertClearError(CliTest.Result result, String line) {
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains(line + ": " + CLEAR_ERROR), result.err());
        assertTrue(result.err().contains("qemu-user-static") && result.err().contains("tonistiigi/binfmt --install arm64"),
                result.err());
    }

    @Test
    void runForArm64SeesAnArm64MachineAndTheTargetArgs() throws Exception {
        Path local = temp.resolve("arm64-local");
        Path oci = temp.resolve("arm64.tar");
        CliTest.Result result = build("arm64", "arm64", """
                FROM busybox
                ARG TARGETPLATFORM
                ARG TARGETARCH
                ARG BUILDPLATFORM
                RUN uname -m > /arch && echo "$TARGETPLATFORM $TARGETARCH $BUILDPLATFORM" > /args
                """, "--platform", "linux/arm64", "-o", "type=local,dest=" + local, "-o", "type=oci,dest=" + oci);
        if (!emulation) {
            assertClearError(result, "Dockerfile:5");
            return;
        }
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("RUN for linux/arm64 through emulation (binfmt_misc qemu-aarch64: "),
                result.err());
        assertEquals("aarch64\n", Files.readString(local.resolve("arch")));
        // The target's platform args, whatever runs the step; arm64 has no variant, as in BuildKit.
        String[] args = Files.readString(local.resolve("args")).strip().split(" ");
        assertEquals("linux/arm64", args[0]);
        assertEquals("arm64", args[1]);
        assertEquals("linux/amd64", args[2]);
        JsonNode config = configs(oci).get(0);
        assertEquals("arm64", config.get("architecture").asText());
        assertTrue(config.path("variant").asText("").isEmpty() || config.get("variant").asText().equals("v8"),
                "arm64 is v8 whether written or not: " + config);
        assertEquals(2, config.at("/rootfs/diff_ids").size(), "busybox and the RUN's layer");
    }

    @Test
    void oneRunForTwoPlatformsGivesOneIndex() throws Exception {
        Path local = temp.resolve("multi-local");
        Path oci = temp.resolve("multi.tar");
        CliTest.Result result = build("multi", "multi", """
                FROM busybox
                RUN uname -m > /arch
                """, "--platform", "linux/amd64,linux/arm64", "-o", "type=local,dest=" + local,
                "-o", "type=oci,dest=" + oci);
        if (!emulation) {
            assertClearError(result, "Dockerfile:2");
            return;
        }
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("x86_64\n", Files.readString(local.resolve("linux_amd64/arch")));
        assertEquals("aarch64\n", Files.readString(local.resolve("linux_arm64/arch")));
        List<String> architectures = configs(oci).stream().map(c -> c.get("architecture").asText()).toList();
        assertEquals(List.of("amd64", "arm64"), architectures);
    }

    /**
     * The cross-compiling pattern: a stage {@code FROM --platform=$BUILDPLATFORM} takes the host's image of a
     * multi-platform base and runs natively (no emulation: the host here has no handler), with the target's
     * TARGET* args; the final stage takes the target's image. One build for two targets runs it once per target.
     */
    @Test
    void aStageFromTheBuildPlatformRunsNativelyForAnotherTarget() throws Exception {
        Path binfmt = Files.createDirectories(temp.resolve("binfmt-empty"));
        Files.writeString(binfmt.resolve("status"), "enabled\n");
        Path local = temp.resolve("cross-local");
        Path oci = temp.resolve("cross.tar");
        CliTest.Result result = buildWithBinfmt(binfmt, "cross", "multi", """
                FROM --platform=$BUILDPLATFORM busybox AS build
                ARG TARGETARCH
                RUN echo "$(uname -m) $TARGETARCH" > /built
                FROM busybox
                COPY --from=build /built /built
                """, "--platform", "linux/arm64,linux/amd64", "-o", "type=local,dest=" + local, "-o", "type=oci,dest=" + oci);
        assertEquals(0, result.exitCode(), result.err());
        assertFalse(result.err().contains("emulation"), result.err());
        assertFalse(result.err().contains("InvalidBaseImagePlatform"), result.err());
        assertEquals("x86_64 arm64\n", Files.readString(local.resolve("linux_arm64/built")));
        assertEquals("x86_64 amd64\n", Files.readString(local.resolve("linux_amd64/built")));
        List<JsonNode> configs = configs(oci);
        assertEquals(List.of("arm64", "amd64"), configs.stream().map(c -> c.get("architecture").asText()).toList());
        assertEquals(arm64.diffId(), configs.get(0).at("/rootfs/diff_ids/0").asText(), "the target's busybox");
        assertEquals(host.diffId(), configs.get(1).at("/rootfs/diff_ids/0").asText());
    }

    /** BuildKit's metadata names a config only for one platform: a multi-platform image's ID is its index. */
    @Test
    void metadataOfAMultiPlatformBuildNamesNoConfig() throws Exception {
        Path metadata = temp.resolve("multi-metadata.json");
        CliTest.Result result = build("multi-metadata", "multi", "FROM busybox\nLABEL a=b\n",
                "--platform", "linux/amd64,linux/arm64", "--metadata-file", metadata.toString());
        assertEquals(0, result.exitCode(), result.err());
        JsonNode json = new ObjectMapper().readTree(metadata.toFile());
        assertTrue(json.path("containerimage.digest").asText().startsWith("sha256:"), json.toString());
        assertEquals("application/vnd.oci.image.index.v1+json", json.at("/containerimage.descriptor/mediaType").asText());
        assertFalse(json.has("containerimage.config.digest"), json.toString());
    }

    /** {@code FROM --platform=P} picks P's image of a multi-platform base for the stage, whatever the build's. */
    @Test
    void fromPlatformPicksTheBaseImageOfThatPlatform() throws Exception {
        Path local = temp.resolve("pick-local");
        CliTest.Result result = build("pick", "multi", """
                FROM --platform=linux/arm64 busybox AS arm
                FROM busybox
                COPY --from=arm /bin/busybox /arm64-busybox
                """, "-o", "type=local,dest=" + local);
        assertEquals(0, result.exitCode(), result.err());
        byte[] copied = Files.readAllBytes(local.resolve("arm64-busybox"));
        assertEquals(183, copied[18] & 0xff, "e_machine of the copied busybox is AArch64");
        assertEquals(62, Files.readAllBytes(local.resolve("bin/busybox"))[18] & 0xff, "the final stage's is x86-64");
    }

    /** A fabricated binfmt_misc directory stands for a host without (usable) handlers. */
    private CliTest.Result buildWithBinfmt(Path binfmt, String name) throws IOException {
        return buildWithBinfmt(binfmt, name, "arm64", "FROM busybox\nRUN true\n", "--platform", "linux/arm64");
    }

    private CliTest.Result buildWithBinfmt(Path binfmt, String name, String tag, String dockerfile, String... options)
            throws IOException {
        String saved = System.getProperty(Emulation.BINFMT_DIR_PROPERTY);
        System.setProperty(Emulation.BINFMT_DIR_PROPERTY, binfmt.toString());
        try {
            return build(name, tag, dockerfile, options);
        } finally {
            if (saved == null) {
                System.clearProperty(Emulation.BINFMT_DIR_PROPERTY);
            } else {
                System.setProperty(Emulation.BINFMT_DIR_PROPERTY, saved);
            }
        }
    }

    @Test
    void withoutAHandlerTheErrorSaysWhatTheHostNeeds() throws Exception {
        Path binfmt = Files.createDirectories(temp.resolve("binfmt-none"));
        Files.writeString(binfmt.resolve("status"), "enabled\n");
        Files.writeString(binfmt.resolve("register"), "");
        // A real entry of another architecture: it must not count for arm64.
        Files.writeString(binfmt.resolve("qemu-arm"), """
                enabled
                interpreter /usr/libexec/qemu-binfmt/arm-binfmt-P
                flags: PF
                offset 0
                magic 7f454c4601010100000000000000000002002800
                mask ffffffffffffff00fffffffffffffffffeffffff
                """);
        CliTest.Result result = buildWithBinfmt(binfmt, "none");
        assertClearError(result, "Dockerfile:2");
        assertTrue(result.err().contains("no binfmt_misc handler for arm64 programs is registered on this host"),
                result.err());
    }

    @Test
    void aHandlerWithoutTheFixBinaryFlagIsExplained() throws Exception {
        Path binfmt = Files.createDirectories(temp.resolve("binfmt-no-f"));
        Files.writeString(binfmt.resolve("status"), "enabled\n");
        Files.writeString(binfmt.resolve("qemu-aarch64"), """
                enabled
                interpreter /usr/bin/qemu-aarch64
                flags: P
                offset 0
                magic 7f454c460201010000000000000000000200b700
                mask ffffffffffffff00fffffffffffffffffeffffff
                """);
        CliTest.Result result = buildWithBinfmt(binfmt, "no-f");
        assertClearError(result, "Dockerfile:2");
        assertTrue(result.err().contains("qemu-aarch64 (/usr/bin/qemu-aarch64) was registered without the F"
                + " (fix-binary) flag"), result.err());
    }

    @Test
    void binfmtMiscNotMounted() throws Exception {
        Path binfmt = Files.createDirectories(temp.resolve("binfmt-unmounted"));
        CliTest.Result result = buildWithBinfmt(binfmt, "unmounted");
        assertClearError(result, "Dockerfile:2");
        assertTrue(result.err().contains("binfmt_misc is not mounted at " + binfmt), result.err());
    }

    /**
     * As an unprivileged user the step runs in a user namespace (and, as for root, a chroot): the host's
     * handler still serves it, because it holds its interpreter open (F) and new user namespaces use the host's
     * binfmt_misc.
     */
    @Test
    void emulationWorksInAUserNamespace() throws Exception {
        RootlessTestUser user = RootlessTestUser.require();
        Path work = user.createWorkDirectory("jbuild-emulated-");
        try {
            String classpath = ReadableClasspath.copyTo(work.resolve("classpath"));
            BusyboxImage image = BusyboxImage.writeArm64(work.resolve("busybox"), "arm64");
            Path context = Files.createDirectories(work.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN uname -m > /arch && id -u > /uid\n");
            if (!user.name().equals(System.getProperty("user.name"))) {
                ExternalTool.command("chown", "-R", user.name() + ":", image.layoutDirectory().toString(),
                        context.toString()).runSuccessfully();
            }
            Path out = work.resolve("out");
            ExternalTool.Result result = user.command(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                    "-cp", classpath, "dev.jbuild.cli.Main", "--root", work.resolve("store").toString(),
                    "build", "--progress=plain", "--platform", "linux/arm64",
                    "--build-context", "busybox=oci-layout://" + image.layoutDirectory() + ":arm64",
                    "-o", "type=local,dest=" + out, context.toString())
                    .timeout(Duration.ofMinutes(3)).run();
            if (!emulation) {
                assertEquals(1, result.exitCode(), result.describe());
                assertTrue(result.stderr().contains("Dockerfile:2: " + CLEAR_ERROR), result.describe());
                return;
            }
            assertTrue(result.succeeded(), result.describe());
            assertEquals("aarch64\n", Files.readString(out.resolve("arch")));
            assertEquals("0\n", Files.readString(out.resolve("uid")));
        } finally {
            user.deleteWorkDirectory(work);
        }
    }

    /**
     * The platforms of one build run at the same time: each platform's RUN marks a shared cache
     * mount with its machine name and waits (30 s at most) for the other's mark, which one
     * platform after the other could never see.
     */
    @Test
    void platformsBuildAtTheSameTime() throws Exception {
        CliTest.Result result = build("meet", "multi", """
                FROM busybox
                RUN --mount=type=cache,id=platforms-meet,target=/meet,sharing=shared \\
                    touch /meet/$(uname -m) && i=0 && \\
                    while [ ! -e /meet/x86_64 ] || [ ! -e /meet/aarch64 ]; do \\
                      sleep 0.1; i=$((i+1)); [ $i -lt 300 ] || exit 7; done && uname -m > /arch
                """, "--platform", "linux/amd64,linux/arm64");
        if (!emulation) {
            assertClearError(result, "Dockerfile:2");
            return;
        }
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("[linux/amd64 1/1]") && result.err().contains("[linux/arm64 1/1]"),
                "progress names each step's platform: " + result.err());
    }

    /** A platform that fails cancels the other one (its long RUN is killed) and the build reports the failure. */
    @Test
    void aFailingPlatformCancelsTheOthers() throws Exception {
        long started = System.nanoTime();
        CliTest.Result result = build("fail", "multi", """
                FROM busybox
                RUN if [ "$(uname -m)" = x86_64 ]; then sleep 0.5; exit 3; else sleep 600; fi
                """, "--platform", "linux/amd64,linux/arm64");
        if (!emulation) {
            assertClearError(result, "Dockerfile:2");
            return;
        }
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("Dockerfile:2: RUN failed") && result.err().contains("exit code: 3"), result.err());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(120),
                "the arm64 step's sleep 600 was cancelled");
        try (var tmp = Files.list(temp.resolve("store/tmp"))) {
            assertEquals(List.of(), tmp.toList(), "no scratch files are left");
        }
    }
}
