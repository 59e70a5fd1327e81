package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox agent's class-data archive: an agent asked to write one at exit does, and an agent given it loads
 * its own classes from it (what the launchers' training run and {@code -Djbuild.agentArchive} rely on). The agent
 * runs from the shaded jar, as installed: the JVM archives no classes of a directory on the class path.
 */
@Integration
class AgentArchiveIT {

    @TempDir
    Path temp;

    @Test
    void anAgentWritesItsArchiveAndTheNextOneLoadsItsClassesFromIt() throws Exception {
        Path rootfs = Files.createDirectories(temp.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        Path archive = temp.resolve("agent.jsa");
        Path classLog = temp.resolve("classes.log");
        String jar = Path.of(System.getProperty("jbuild.jar", "target/jbuild.jar")).toAbsolutePath().toString();
        SandboxOptions defaults = SandboxOptions.defaults(temp.resolve("work"));
        SandboxOptions plain = new SandboxOptions(defaults.workRoot(), Snapshotter.COPY, defaults.agentJava(), jar);

        List<String> training = new ArrayList<>(plain.agentJava());
        training.addAll(SandboxOptions.agentArchiveOptions(null, archive.toString()));
        runTrue(new SandboxOptions(plain.workRoot(), Snapshotter.COPY, training, plain.agentClasspath()));
        assertTrue(Files.size(archive) > 100_000, "the agent wrote its archive as it exited");

        List<String> using = new ArrayList<>(plain.agentJava());
        using.addAll(SandboxOptions.agentArchiveOptions(archive.toString(), null));
        using.add("-Xlog:class+load=info:file=" + classLog);
        runTrue(new SandboxOptions(plain.workRoot(), Snapshotter.COPY, using, plain.agentClasspath()));
        List<String> agentClasses = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains(" dev.jbuild.sandbox.SandboxAgent ") || l.contains(" dev.jbuild.sandbox.RunOperation "))
                .toList();
        assertEquals(2, agentClasses.size(), agentClasses.toString());
        assertTrue(agentClasses.stream().allMatch(l -> l.endsWith("source: shared objects file (top)")),
                agentClasses.toString());
    }

    private void runTrue(SandboxOptions options) throws Exception {
        try (Sandbox sandbox = Sandbox.open(options);
                RunResult result = sandbox.run(Rootfs.of(temp.resolve("rootfs")), ProcessSpec.of("/bin/busybox", "true"),
                        OutputListener.discard())) {
            assertEquals(0, result.exitCode());
        }
    }
}
