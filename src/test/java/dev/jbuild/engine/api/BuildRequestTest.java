package dev.jbuild.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.context.DockerIgnore;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.image.Platform;
import dev.jbuild.layer.Compression;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.sandbox.HostEntry;
import dev.jbuild.sandbox.Isolation;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.sandbox.Snapshotter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuildRequestTest {

    private static final Platform PLATFORM = new Platform("linux", "arm64");
    private static final Path CONTEXT = Path.of("context");

    private final Dockerfile dockerfile;
    private final BuildPlan plan;

    BuildRequestTest() throws Exception {
        dockerfile = DockerfileParser.parse("FROM scratch\n", "Dockerfile");
        plan = Planner.plan(dockerfile, new PlanOptions(Map.of(), null, PLATFORM.toString(), PLATFORM.toString(), Set.of()));
    }

    /** The defaults a caller gets without asking: those the 17-argument constructor and the CLI gave. */
    @Test
    void theBuilderStartsAtTheDefaults() {
        BuildRequest request = BuildRequest.builder(dockerfile, plan, CONTEXT, PLATFORM).build();
        assertEquals(dockerfile, request.dockerfile());
        assertEquals(plan, request.plan());
        assertEquals(CONTEXT, request.contextDir());
        assertEquals(PLATFORM, request.platform());
        assertSame(DockerIgnore.none(), request.ignore());
        assertEquals(Map.of(), request.namedContexts());
        assertEquals(List.of(), request.tags());
        assertEquals(Map.of(), request.labels());
        assertEquals(Map.of(), request.annotations());
        assertNull(request.sourceDateEpoch());
        assertEquals(Compression.GZIP, request.compression());
        assertEquals(List.of(), request.outputs());
        assertFalse(request.pull());
        assertFalse(request.push());
        assertEquals(Map.of(), request.secrets());
        assertEquals("host", request.network());
        assertEquals(Snapshotter.AUTO, request.snapshotter());
        assertEquals(Isolation.AUTO, request.isolation());
        assertEquals(Map.of(), request.sshSockets());
        assertEquals(DescriptorAnnotations.NONE, request.descriptorAnnotations());
        assertEquals(List.of(), request.extraHosts());
        assertEquals(List.of(), request.ulimits());
        assertEquals(0, request.shmSize());
    }

    @Test
    void toBuilderKeepsEveryFieldAndAPlatformPartDropsNamesOutputsAndPush() {
        BuildRequest request = BuildRequest.builder(dockerfile, plan, CONTEXT, PLATFORM)
                .namedContexts(Map.of("src", new NamedContext.Directory(Path.of("src"))))
                .tags(List.of("docker.io/library/app:1"))
                .labels(Map.of("l", "1"))
                .annotations(Map.of("a", "2"))
                .sourceDateEpoch(Instant.EPOCH)
                .compression(Compression.ZSTD)
                .outputs(List.of(new OutputSpec.LocalDirectory(Path.of("out"))))
                .pull(true)
                .push(true)
                .secrets(Map.of("token", Path.of("token")))
                .network("none")
                .snapshotter(Snapshotter.COPY)
                .isolation(Isolation.CHROOT)
                .sshSockets(Map.of("default", Path.of("agent.sock")))
                .extraHosts(List.of(new HostEntry("db", "10.0.0.7")))
                .ulimits(List.of(ResourceLimit.parse("nofile=1024:2048")))
                .shmSize(64L << 20)
                .build();
        assertEquals(request, request.toBuilder().build());

        BuildRequest part = request.asPlatformPart();
        assertEquals(List.of(), part.tags());
        assertEquals(List.of(), part.outputs());
        assertFalse(part.push());
        assertEquals(request.toBuilder().tags(List.of()).outputs(List.of()).push(false).build(), part);
        assertTrue(part.pull());
    }

    @Test
    void aNegativeShmSizeIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BuildRequest.builder(dockerfile, plan, CONTEXT, PLATFORM).shmSize(-1).build());
    }
}
