package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the credentials for a registry, first match wins:
 * <ol>
 * <li>explicit credentials ({@code --creds}, {@link RegistryOptions.Builder#credentials});
 * <li>{@code DOCKER_AUTH_CONFIG}: the content of a {@code config.json} in an environment variable
 *     (GitLab CI's convention), {@code auths} only;
 * <li>{@code REGISTRY_AUTH_FILE}: a containers {@code auth.json} (Podman, Buildah, Skopeo);
 * <li>the Docker config ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}):
 *     {@code credHelpers}, {@code credsStore}, {@code auths}, read by jib-core, which follows
 *     Docker's rules (Docker Hub's aliases, {@code https://} and path forms of keys) and runs
 *     {@code docker-credential-HELPER get}; an {@code identitytoken} is read here, as Docker
 *     reads it (jib only knows Azure's form);
 * <li>unless {@code --config} names the Docker config: podman's logins, {@link #containersAuthFiles}.
 * </ol>
 * Nothing found means anonymous access. Secrets are never logged.
 */
final class CredentialLookup {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialLookup.class);

    private final RegistryOptions options;

    CredentialLookup(RegistryOptions options) {
        this.options = options;
    }

    Optional<Credentials> lookup(String registry) throws IOException {
        String key = RegistryOptions.normalizeRegistry(registry);
        Credentials explicit = options.credentials().get(key);
        if (explicit != null) {
            LOG.debug("using explicit credentials for {}", key);
            return Optional.of(explicit);
        }
        Map<String, String> env = options.environment();
        String inline = env.get("DOCKER_AUTH_CONFIG");
        if (inline != null && !inline.isBlank()) {
            Optional<Credentials> c = fromAuths(inline.getBytes(StandardCharsets.UTF_8), key, "DOCKER_AUTH_CONFIG");
            if (c.isPresent()) {
                LOG.debug("using credentials for {} from DOCKER_AUTH_CONFIG", key);
                return c;
            }
        }
        String authFile = env.get("REGISTRY_AUTH_FILE");
        boolean explicitAuthFile = authFile != null && !authFile.isBlank();
        if (explicitAuthFile) {
            Optional<Credentials> c = fromDockerConfig(Path.of(authFile), registry);
            if (c.isPresent()) {
                return c;
            }
        }
        Optional<Credentials> docker = fromDockerConfig(dockerConfigFile(options), registry);
        if (docker.isPresent() || options.dockerConfigFile() != null) {
            return docker; // --config names the one file to read, as docker --config does
        }
        for (Path file : containersAuthFiles(env, explicitAuthFile)) {
            Optional<Credentials> c = fromDockerConfig(file, registry);
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    /**
     * podman's, buildah's and skopeo's logins (containers-auth.json(5)): the primary file
     * {@code $XDG_RUNTIME_DIR/containers/auth.json} ({@code /run/containers/UID/auth.json} without
     * that variable), which {@code REGISTRY_AUTH_FILE} replaces, then
     * {@code $XDG_CONFIG_HOME/containers/auth.json} (default {@code ~/.config}). Read after Docker's
     * config, which is where {@code jbuild login} writes, so jbuild's own login wins over another tool's.
     */
    static List<Path> containersAuthFiles(Map<String, String> env, boolean explicitAuthFile) {
        List<Path> files = new ArrayList<>();
        if (!explicitAuthFile) {
            String runtime = env.get("XDG_RUNTIME_DIR");
            if (runtime != null && !runtime.isBlank()) {
                files.add(Path.of(runtime, "containers", "auth.json"));
            } else {
                uid().ifPresent(uid -> files.add(Path.of("/run/containers", uid, "auth.json")));
            }
        }
        String config = env.get("XDG_CONFIG_HOME");
        if (config != null && !config.isBlank()) {
            files.add(Path.of(config, "containers", "auth.json"));
        } else {
            files.add(Path.of(DockerConfigFile.home(env), ".config", "containers", "auth.json"));
        }
        return files;
    }

    private static Optional<String> uid() {
        try {
            return Optional.of(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty(); // not Linux: podman keeps its primary file elsewhere there
        }
    }

    /** The Docker config file in use: explicit, else {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    static Path dockerConfigFile(RegistryOptions options) {
        if (options.dockerConfigFile() != null) {
            return options.dockerConfigFile();
        }
        return DockerConfigFile.defaultPath(options.environment());
    }

    private Optional<Credentials> fromDockerConfig(Path file, String registry) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            DockerConfigFile.at(file).checkReadable();
        } catch (IOException e) {
            // jib would read nothing from it without a word, and the registry's refusal would then say "log in".
            options.listener().warning(e.getMessage() + " (its credentials are not used)");
            return Optional.empty();
        }
        // jib names Docker Hub by its API host; its alias table maps the config's keys to it.
        String jibRegistry = RegistryOptions.normalizeRegistry(registry).equals("docker.io") ? "registry-1.docker.io" : registry;
        ImageReference ref = ImageReference.of(jibRegistry, "jbuild/credentials", null);
        // jib reports one problem as several events (a missing helper, then "  Caused by: ..."):
        // they become one warning, in jbuild's words, after the lookup.
        List<String> problems = new ArrayList<>();
        Consumer<LogEvent> logger = event -> {
            if (event.getLevel() == LogEvent.Level.WARN || event.getLevel() == LogEvent.Level.ERROR) {
                problems.add(event.getMessage().strip());
            } else {
                LOG.debug("{}", event.getMessage());
            }
        };
        CredentialRetriever retriever = CredentialRetrieverFactory.forImage(ref, logger, options.environment()).dockerConfig(file);
        Optional<Credential> found;
        try {
            found = retriever.retrieve();
        } catch (CredentialRetrievalException e) {
            throw new IOException("cannot get credentials for " + registry + " from " + file + ": " + e.getMessage(), e);
        } finally {
            if (!problems.isEmpty()) {
                options.listener().warning(problemLine(registry, file, problems));
            }
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Credential c = found.get();
        LOG.debug("using credentials for {} from {}", registry, file);
        if (c.getPassword() == null || c.getPassword().isEmpty()) {
            // jib reads an identitytoken only in Azure's form; Docker uses it whatever the user name.
            Optional<Credentials> own = fromAuths(Files.readAllBytes(file), registry, file.toString());
            return own.filter(Credentials::isIdentityToken);
        }
        return Optional.of(Credentials.of(c.getUsername(), c.getPassword()));
    }

    /**
     * jib's warnings of one lookup as one line: {@code credentials for R from FILE: The system does
     * not have docker-credential-x CLI (Cannot run program ...)}; a {@code Caused by:} event is put
     * in brackets after the event it explains.
     */
    static String problemLine(String registry, Path file, List<String> problems) {
        StringBuilder line = new StringBuilder("credentials for " + registry + " from " + file + ": ");
        for (int i = 0; i < problems.size(); i++) {
            String p = problems.get(i);
            if (p.startsWith("Caused by:") && i > 0) {
                line.append(" (").append(p.substring("Caused by:".length()).strip()).append(')');
            } else {
                line.append(i > 0 ? "; " : "").append(p);
            }
        }
        return line.toString();
    }

    /** The entry for {@code registry} in the {@code auths} of a config.json text. */
    static Optional<Credentials> fromAuths(byte[] json, String registry, String source) throws IOException {
        JsonNode tree;
        try {
            tree = Response.json().readTree(json);
        } catch (IOException e) {
            throw new IOException(source + " is not valid JSON");
        }
        JsonNode auths = tree == null ? null : tree.get("auths");
        if (auths == null || !auths.isObject()) {
            return Optional.empty();
        }
        String wanted = RegistryOptions.normalizeRegistry(registry);
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!RegistryOptions.normalizeRegistry(e.getKey()).equals(wanted)) {
                continue;
            }
            JsonNode entry = e.getValue();
            String identityToken = entry.path("identitytoken").asText("");
            if (!identityToken.isEmpty()) {
                return Optional.of(Credentials.identityToken(identityToken));
            }
            String auth = entry.path("auth").asText("");
            if (!auth.isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException ex) {
                    throw new IOException(source + ": the auth entry for " + e.getKey() + " is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw new IOException(source + ": the auth entry for " + e.getKey() + " is not USER:PASSWORD");
                }
                return Optional.of(Credentials.of(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
            String user = entry.path("username").asText("");
            String password = entry.path("password").asText("");
            if (!user.isEmpty() && !password.isEmpty()) {
                return Optional.of(Credentials.basic(user, password));
            }
        }
        return Optional.empty();
    }
}
