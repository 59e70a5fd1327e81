package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        "--add-host=db:10.0.0.2", "--add-host db:10.0.0.2", "--ulimit nofile=1024:1024", "--shm-size=1g", "--shm-size 64m",
        "--cgroup-parent=/ci", "--builder mybuilder", "--builder=default", "--check", "--detach",
        "--squash", "--stream", "--security-opt seccomp=unconfined", "-c 512", "--cpu-shares=512", "--cpu-period=100000",
        "--cpu-quota 50000", "--cpuset-cpus 0-1", "--cpuset-mems=0", "-m 2g", "--memory=2g", "--memory-swap -1",
        "--provenance=true", "--provenance=mode=max", "--provenance mode=min,inline-only=true", "--sbom=true", "--sbom=1",
        "--sbom=generator=docker/scout-sbom-indexer", "--attest type=provenance,mode=max", "--attest=type=sbom",
        "--disable-content-trust=false", "--call=check", "--call outline", "--allow security.insecure",
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

    @Test
    void pullTakesBuildxsBooleanForms() {
        // --pull alone still means true and does not swallow the context argument.
        CliTest.Result pull = build("--pull");
        assertEquals(0, pull.exitCode(), pull.err());
        CliTest.Result pullTrue = build("--pull=true");
        assertEquals(0, pullTrue.exitCode(), pullTrue.err());
    }
}
