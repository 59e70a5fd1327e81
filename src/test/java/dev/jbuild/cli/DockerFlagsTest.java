package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import dev.jbuild.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The flags of {@code docker buildx build} and the classic {@code docker build}: each one works, is
 * accepted because it only turns off what jbuild never does, or is refused by name with exit code 2.
 */
class DockerFlagsTest {

    @TempDir
    Path dir;

    private Path context;

    @BeforeEach
    void context() throws Exception {
        context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
        Files.writeString(context.resolve("a"), "a\n");
    }

    private CliTest.Result build(String... flags) {
        List<String> args = new ArrayList<>(List.of("--root", dir.resolve("store").toString(), "build", "--progress=plain"));
        args.addAll(List.of(flags));
        args.add(context.toString());
        return CliTest.run(args.toArray(String[]::new));
    }

    /** Every refused flag, in the forms CI lines use: the value after a space or an =, or none for booleans. */
    @ParameterizedTest
    @ValueSource(strings = {
        "--cgroup-parent=/ci", "--builder mybuilder", "--builder=default", "--detach",
        "--squash", "--stream", "--security-opt seccomp=unconfined", "-c 512", "--cpu-shares=512", "--cpu-period=100000",
        "--cpu-quota 50000", "--cpuset-cpus 0-1", "--cpuset-mems=0", "-m 2g", "--memory=2g", "--memory-swap -1",
        "--sbom=generator=docker/scout-sbom-indexer", "--attest type=sbom,generator=docker/scout-sbom-indexer",
        "--disable-content-trust=false", "--call outline", "--call=targets", "--allow security.insecure",
        "--allow network.host,device"
    })
    void unimplementedFlagsAreRefusedByName(String flag) {
        String[] words = flag.split(" ");
        CliTest.Result result = build(words);
        assertEquals(ExitCodes.USAGE, result.exitCode(), result.err());
        String name = flag.replaceFirst("[ =].*", "");
        if (name.equals("-c")) {
            name = "--cpu-shares";
        } else if (name.equals("-m")) {
            name = "--memory";
        }
        assertTrue(result.err().contains(name) && result.err().contains(" is not implemented yet"), flag + ": " + result.err());
        assertFalse(result.err().contains("Unknown option"), result.err());
    }

    /** buildx's attestation spellings; what they make is AttestationTest's. */
    @ParameterizedTest
    @ValueSource(strings = {
        "--provenance=true", "--provenance=1", "--provenance=mode=max", "--provenance mode=min,version=v1",
        "--attest type=provenance,mode=max,builder-id=https://ci.example/1", "--attest=type=provenance,reproducible=true"
    })
    void provenanceFlagsAreAccepted(String flag) {
        CliTest.Result result = build(flag.split(" "));
        assertEquals(0, result.exitCode(), flag + ": " + result.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--provenance mode=min,inline-only=true|unknown option inline-only",
        "--provenance=mode=medium|invalid provenance mode medium",
        "--provenance=version=v3|invalid provenance version v3",
        "--attest type=signature|unknown attestation type signature",
        "--attest mode=max|attestation type not specified",
        "--provenance=type=sbom|--provenance makes only provenance attestations",
        "--attest type=provenance,disabled=maybe|disabled=maybe is not a boolean"
    })
    void badAttestationValuesAreUsageErrors(String flagAndMessage) {
        String[] parts = flagAndMessage.split("\\|");
        CliTest.Result result = build(parts[0].split(" "));
        assertEquals(ExitCodes.USAGE, result.exitCode(), result.err());
        assertTrue(result.err().contains(parts[1]), result.err());
    }

    /** Flags that only turn off what jbuild never does, in buildx's spellings; the image is the same. */
    @ParameterizedTest
    @ValueSource(strings = {
        "--provenance=false", "--provenance false", "--provenance=0", "--provenance=False",
        "--provenance=mode=max,disabled=true", "--sbom=false", "--sbom=f", "--attest type=sbom,disabled=true",
        "--attest=type=provenance,disabled=1", "--rm", "--rm=false", "--force-rm", "--force-rm=true", "--pull=false",
        "--compress", "--disable-content-trust", "--disable-content-trust=true", "--call=build", "--allow network.host",
        "--isolation=default", "--no-cache=false", "--push=false", "--load=false"
    })
    void harmlessFlagsAreAccepted(String flag) {
        CliTest.Result result = build(flag.split(" "));
        assertEquals(0, result.exitCode(), flag + ": " + result.err());
    }

    /** The RUN options, in the forms CI lines use; their effect inside RUN is RunBuildTest's. */
    @ParameterizedTest
    @ValueSource(strings = {
        "--add-host=db:10.0.0.2", "--add-host db:10.0.0.2", "--ulimit nofile=1024:1024", "--ulimit=nproc=512",
        "--ulimit core=-1 --ulimit nofile=1024", "--shm-size=1g", "--shm-size 64m", "--shm-size=268435456"
    })
    void runOptionsAreAccepted(String flag) {
        CliTest.Result result = build(flag.split(" "));
        assertEquals(0, result.exitCode(), flag + ": " + result.err());
    }

    @Test
    void pullTakesBuildxsBooleanForms() {
        // --pull alone still means true and does not swallow the context argument.
        CliTest.Result pull = build("--pull");
        assertEquals(0, pull.exitCode(), pull.err());
        CliTest.Result pullTrue = build("--pull=true");
        assertEquals(0, pullTrue.exitCode(), pullTrue.err());
    }

    /** buildx's -o type=image,name=…,push=…: a quoted field holds several names; push=true pushes every one. */
    @Integration
    @Test
    void imageOutputNamesAndPushes() throws Exception {
        try (LocalRegistry registry = LocalRegistry.startPlain()) {
            String first = registry.reference("team/app", "1");
            String second = registry.reference("team/app", "latest");
            CliTest.Result pushed = build("-o", "type=image,\"name=" + first + "," + second + "\",push=true");
            assertEquals(0, pushed.exitCode(), pushed.err());
            assertTrue(skopeoInspect(registry, first).succeeded(), "pushed " + first);
            assertTrue(skopeoInspect(registry, second).succeeded(), "pushed " + second);

            String local = registry.reference("team/local", "1");
            CliTest.Result notPushed = build("-o", "type=image,name=" + local + ",push=false");
            assertEquals(0, notPushed.exitCode(), notPushed.err());
            assertFalse(skopeoInspect(registry, local).succeeded(), "push=false pushes nothing");
            CliTest.Result images = CliTest.run("--root", dir.resolve("store").toString(), "images");
            assertTrue(images.out().contains(registry.host() + "/team/local"), "name= tags the image: " + images.out());

            String viaRegistry = registry.reference("team/reg", "2");
            CliTest.Result registryType = build("-o", "type=registry,name=" + viaRegistry);
            assertEquals(0, registryType.exitCode(), registryType.err());
            assertTrue(skopeoInspect(registry, viaRegistry).succeeded(), "type=registry pushes");

            // buildx: -t replaces the name= of an image output.
            String tagged = registry.reference("team/tagged", "3");
            CliTest.Result withTag = build("-t", tagged, "-o", "type=image,name=" + registry.reference("team/ignored", "3") + ",push=true");
            assertEquals(0, withTag.exitCode(), withTag.err());
            assertTrue(skopeoInspect(registry, tagged).succeeded());
            assertFalse(skopeoInspect(registry, registry.reference("team/ignored", "3")).succeeded());

            CliTest.Result nameless = build("-o", "type=image,push=true");
            assertEquals(ExitCodes.USAGE, nameless.exitCode(), nameless.err());
        }
    }

    private static ExternalTool.Result skopeoInspect(LocalRegistry registry, String reference) {
        List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        command.addAll(registry.skopeoOptions(""));
        command.add("docker://" + reference);
        return ExternalTool.command(command).run();
    }

    /** docker build - < Dockerfile: not an archive by its first bytes, so the Dockerfile, with an empty context. */
    @Integration
    @Test
    void dockerfileOnStandardInputBuildsWithAnEmptyContext() throws Exception {
        String root = dir.resolve("store").toString();
        CliTest.Result built = CliTest.runWithStdin("FROM scratch\nLABEL from=stdin\n".getBytes(StandardCharsets.UTF_8),
                "--root", root, "build", "-t", "stdin:1", "-");
        assertEquals(0, built.exitCode(), built.err());
        CliTest.Result inspect = CliTest.run("--root", root, "inspect", "stdin:1");
        assertTrue(inspect.out().contains("\"from\" : \"stdin\"") || inspect.out().contains("\"from\":\"stdin\""), inspect.out());

        CliTest.Result copy = CliTest.runWithStdin("FROM scratch\nCOPY a /a\n".getBytes(StandardCharsets.UTF_8),
                "--root", root, "build", "-");
        assertEquals(ExitCodes.BUILD_FAILED, copy.exitCode(), copy.err());
        assertTrue(copy.err().contains("COPY failed: \"/a\": not found"), "the context is empty: " + copy.err());

        // A gzip-compressed tar is still a context archive.
        Path tar = dir.resolve("ctx.tar.gz");
        ExternalTool.command("tar", "-czf", tar.toString(), "-C", context.toString(), ".").runSuccessfully();
        CliTest.Result fromArchive = CliTest.runWithStdin(Files.readAllBytes(tar), "--root", root, "build", "-t", "ctx:1", "-");
        assertEquals(0, fromArchive.exitCode(), fromArchive.err());
    }
}
