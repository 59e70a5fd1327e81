package dev.jbuild.sandbox;

import dev.jbuild.testing.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The RUN scenarios as the user running the tests (real root in CI: no user namespace, identity ids; a
 * developer's own account otherwise).
 */
@Integration
class SandboxInProcessTest extends ScenarioChecks {
    private final Map<Snapshotter, Map<String, Scenarios.Outcome>> outcomes = new EnumMap<>(Snapshotter.class);
    private final Map<Snapshotter, Path> roots = new EnumMap<>(Snapshotter.class);

    @BeforeAll
    void runScenarios() throws Exception {
        for (Snapshotter s : new Snapshotter[] {Snapshotter.OVERLAY, Snapshotter.COPY}) {
            Path root = Files.createTempDirectory("jbuild-sandbox-" + s.name().toLowerCase() + "-");
            roots.put(s, root);
            outcomes.put(s, Scenarios.runAll(root, s));
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        try (Sandbox sandbox = Sandbox.open(SandboxOptions.defaults(roots.get(Snapshotter.COPY).resolve("work"))
                .withSnapshotter(Snapshotter.COPY))) {
            for (Path root : roots.values()) {
                sandbox.delete(root);
            }
        }
    }

    @Override
    Map<Snapshotter, Map<String, Scenarios.Outcome>> outcomes() {
        return outcomes;
    }

    @Override
    Path workRoot(Snapshotter s) {
        return roots.get(s);
    }
}
