package dev.jbuild.registry;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Docker's {@code config.json}, for {@code jbuild login} and {@code logout}: adds, replaces or
 * removes one registry's entry under {@code auths} and leaves everything else in the file as it
 * was (other registries, {@code credHelpers}, {@code credsStore}, {@code proxies}, unknown keys).
 * Credentials are stored as Docker stores them: {@code "auth": base64(user:password)}, Docker Hub
 * under {@code https://index.docker.io/v1/}. The file is replaced atomically (a temporary file in
 * the same directory, fsync, rename) with mode 0600, so a crash or a concurrent reader never sees
 * half a file.
 *
 * <p>When {@link #credentialHelper} names a helper for the registry, Docker would store the
 * credentials there instead; callers should tell the user rather than write a plain-text secret
 * the helper would shadow.
 */
public final class DockerConfigFile {

    /** The key Docker uses for Docker Hub. */
    public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final Path path;

    private DockerConfigFile(Path path) {
        this.path = path;
    }

    public static DockerConfigFile at(Path file) {
        return new DockerConfigFile(file);
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public static DockerConfigFile fromEnvironment(Map<String, String> env) {
        return new DockerConfigFile(defaultPath(env));
    }

    static Path defaultPath(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir, "config.json");
        }
        return Path.of(home(env), ".docker", "config.json");
    }

    /**
     * {@code ~}: {@code $HOME} as docker (Go's {@code os.UserHomeDir}) and podman take it, else the
     * passwd entry's home (Java's {@code user.home}, which ignores {@code $HOME}). The store's default
     * location follows the same rule ({@code Store.defaultRoot}).
     */
    static String home(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isEmpty() ? home : System.getProperty("user.home");
    }

    public Path path() {
        return path;
    }

    /** The key an entry for {@code registry} is stored under. */
    public static String key(String registry) {
        String normalized = RegistryOptions.normalizeRegistry(registry);
        return normalized.equals("docker.io") ? DOCKER_HUB_KEY : normalized;
    }

    /** Stores {@code credentials} for {@code registry}, replacing any entry for it (under any spelling). */
    public synchronized void storeCredentials(String registry, Credentials credentials) throws IOException {
        ObjectNode root = read();
        ObjectNode auths = auths(root);
        removeMatching(auths, registry);
        ObjectNode entry = auths.putObject(key(registry));
        if (credentials.isIdentityToken()) {
            // As Docker writes it: the user name with an empty password, and the token beside.
            entry.put("auth", Base64.getEncoder().encodeToString((Credentials.IDENTITY_TOKEN_USER + ":").getBytes(StandardCharsets.UTF_8)));
            entry.put("identitytoken", credentials.identityToken());
        } else {
            String pair = credentials.username() + ":" + credentials.password();
            entry.put("auth", Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        write(root);
    }

    /** Removes the entry for {@code registry}; false when there was none (the file is then untouched). */
    public synchronized boolean removeCredentials(String registry) throws IOException {
        if (!Files.exists(path)) {
            return false;
        }
        ObjectNode root = read();
        JsonNode auths = root.get("auths");
        if (!(auths instanceof ObjectNode a) || !removeMatching(a, registry)) {
            return false;
        }
        write(root);
        return true;
    }

    /** The credential helper Docker would use for {@code registry}: its {@code credHelpers} entry, else {@code credsStore}. */
    public Optional<String> credentialHelper(String registry) throws IOException {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        ObjectNode root = read();
        String wanted = RegistryOptions.normalizeRegistry(registry);
        JsonNode helpers = root.get("credHelpers");
        if (helpers != null && helpers.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = helpers.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (RegistryOptions.normalizeRegistry(e.getKey()).equals(wanted) && !e.getValue().asText("").isEmpty()) {
                    return Optional.of(e.getValue().asText());
                }
            }
        }
        String store = root.path("credsStore").asText("");
        return store.isEmpty() ? Optional.empty() : Optional.of(store);
    }

    private static boolean removeMatching(ObjectNode auths, String registry) {
        String wanted = RegistryOptions.normalizeRegistry(registry);
        List<String> keys = new ArrayList<>();
        auths.fieldNames().forEachRemaining(k -> {
            if (RegistryOptions.normalizeRegistry(k).equals(wanted)) {
                keys.add(k);
            }
        });
        keys.forEach(auths::remove);
        return !keys.isEmpty();
    }

    private static ObjectNode auths(ObjectNode root) {
        JsonNode auths = root.get("auths");
        if (auths instanceof ObjectNode a) {
            return a;
        }
        return root.putObject("auths");
    }

    /** Fails as {@link #read} does when the file is there but no JSON object (a missing or empty file is fine). */
    void checkReadable() throws IOException {
        read();
    }

    private ObjectNode read() throws IOException {
        if (!Files.exists(path)) {
            return JsonNodeFactory.instance.objectNode();
        }
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode tree;
        try {
            tree = Response.json().readTree(bytes);
        } catch (IOException e) {
            throw new IOException(path + " is not valid JSON; fix or remove it: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(tree instanceof ObjectNode o)) {
            throw new IOException(path + " is not a JSON object; fix or remove it");
        }
        return o;
    }

    private void write(ObjectNode root) throws IOException {
        Path target = Files.isSymbolicLink(path) ? path.toRealPath() : path;
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (posix()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("\t", "\n"));
        byte[] bytes = Response.json().writer(printer).writeValueAsBytes(root);
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(ch)) {
                if (posix()) {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                }
                out.write(bytes);
                out.write('\n');
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
