package dev.jbuild.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Registry options for tests: nothing from the developer's environment, fast retries. */
final class Clients {

    private Clients() {}

    static RegistryOptions.Builder isolated(Path scratch) {
        return RegistryOptions.builder()
                .environment(Map.of())
                .dockerConfigFile(scratch.resolve("no-docker-config.json"))
                .certsDirectories(List.of())
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .connectTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(20))
                .readTimeout(Duration.ofSeconds(20));
    }
}
