package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void loginCreatesAPrivateFileThatLookupReads() throws Exception {
        Path file = tmp.resolve("new/.docker/config.json");
        DockerConfigFile config = DockerConfigFile.at(file);
        config.storeCredentials("registry.example:5000", Credentials.basic("me", "s3cret"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        JsonNode tree = JSON.readTree(file.toFile());
        assertEquals(Base64.getEncoder().encodeToString("me:s3cret".getBytes(StandardCharsets.UTF_8)),
                tree.path("auths").path("registry.example:5000").path("auth").asText());
        Optional<Credentials> found = new CredentialLookup(Clients.isolated(tmp).dockerConfigFile(file).build())
                .lookup("registry.example:5000");
        assertEquals(Optional.of(Credentials.basic("me", "s3cret")), found);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary files left");
        }
    }

    @Test
    void otherEntriesAndSettingsAreKept() throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\n\t\"auths\": {\n\t\t\"other.example\": {\"auth\": \"b3RoZXI6cHc=\"},\n"
                + "\t\t\"index.docker.io\": {\"auth\": \"b2xkOm9sZA==\"}\n\t},\n"
                + "\t\"credHelpers\": {\"gcr.io\": \"gcloud\"},\n\t\"proxies\": {\"default\": {\"httpProxy\": \"http://p:3128\"}},\n"
                + "\t\"psFormat\": \"table {{.ID}}\"\n}\n");
        DockerConfigFile config = DockerConfigFile.at(file);
        config.storeCredentials("docker.io", Credentials.basic("hub", "pw"));
        JsonNode tree = JSON.readTree(file.toFile());
        assertEquals(List.of("other.example", DockerConfigFile.DOCKER_HUB_KEY), fieldNames(tree.get("auths")));
        assertEquals("b3RoZXI6cHc=", tree.path("auths").path("other.example").path("auth").asText());
        assertEquals("gcloud", tree.path("credHelpers").path("gcr.io").asText());
        assertEquals("http://p:3128", tree.path("proxies").path("default").path("httpProxy").asText());
        assertEquals("table {{.ID}}", tree.path("psFormat").asText());
        assertEquals(Optional.of(Credentials.basic("hub", "pw")),
                new CredentialLookup(Clients.isolated(tmp).dockerConfigFile(file).build()).lookup("docker.io"));

        assertTrue(config.removeCredentials("registry-1.docker.io"));
        tree = JSON.readTree(file.toFile());
        assertEquals(List.of("other.example"), fieldNames(tree.get("auths")));
        assertEquals("gcloud", tree.path("credHelpers").path("gcr.io").asText());

        byte[] before = Files.readAllBytes(file);
        assertFalse(config.removeCredentials("never.example"));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertFalse(DockerConfigFile.at(tmp.resolve("absent.json")).removeCredentials("x"));
        assertFalse(Files.exists(tmp.resolve("absent.json")));
    }

    @Test
    void credentialHelperForARegistry() throws Exception {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"credHelpers\":{\"gcr.io\":\"gcloud\"},\"credsStore\":\"desktop\"}");
        DockerConfigFile config = DockerConfigFile.at(file);
        assertEquals(Optional.of("gcloud"), config.credentialHelper("gcr.io"));
        assertEquals(Optional.of("desktop"), config.credentialHelper("ghcr.io"));
        assertEquals(Optional.empty(), DockerConfigFile.at(tmp.resolve("none.json")).credentialHelper("ghcr.io"));
    }

    @Test
    void locationFromTheEnvironmentAndKeys() {
        assertEquals(Path.of("/cfg/config.json"), DockerConfigFile.fromEnvironment(Map.of("DOCKER_CONFIG", "/cfg")).path());
        assertEquals(Path.of(System.getProperty("user.home"), ".docker", "config.json"), DockerConfigFile.fromEnvironment(Map.of()).path());
        assertEquals(DockerConfigFile.DOCKER_HUB_KEY, DockerConfigFile.key("index.docker.io"));
        assertEquals("ghcr.io", DockerConfigFile.key("https://GHCR.io/"));
    }

    @Test
    void identityTokensAreStoredAsDockerDoes() throws Exception {
        Path file = tmp.resolve("config.json");
        DockerConfigFile.at(file).storeCredentials("oauth.example", Credentials.identityToken("refresh"));
        assertEquals(Optional.of(Credentials.identityToken("refresh")),
                new CredentialLookup(Clients.isolated(tmp).dockerConfigFile(file).build()).lookup("oauth.example"));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
