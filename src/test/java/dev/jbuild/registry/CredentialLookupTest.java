package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ExternalTool;
import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where credentials come from, in order, and what config.json entries mean. */
class CredentialLookupTest {

    @TempDir
    Path tmp;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<Credentials> lookup(RegistryOptions.Builder options, String registry) throws IOException {
        return new CredentialLookup(options.build()).lookup(registry);
    }

    private RegistryOptions.Builder withConfig(String json) throws IOException {
        Path config = tmp.resolve("config.json");
        Files.writeString(config, json);
        return Clients.isolated(tmp).dockerConfigFile(config);
    }

    @Test
    void dockerConfigAuthsWithDockersKeyForms() throws Exception {
        RegistryOptions.Builder o = withConfig("{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hubuser:hubpass") + "\"},"
                + "\"https://ghcr.io\":{\"auth\":\"" + b64("gh:token:with:colons") + "\"},"
                + "\"registry.local:5000\":{\"auth\":\"" + b64("local:pw") + "\"},"
                + "\"id.example\":{\"auth\":\"" + b64("<token>:") + "\",\"identitytoken\":\"refresh-me\"}}}");
        assertEquals(Optional.of(Credentials.basic("hubuser", "hubpass")), lookup(o, "registry-1.docker.io"));
        assertEquals(Optional.of(Credentials.basic("hubuser", "hubpass")), lookup(o, "docker.io"));
        assertEquals(Optional.of(Credentials.basic("gh", "token:with:colons")), lookup(o, "ghcr.io"));
        assertEquals(Optional.of(Credentials.basic("local", "pw")), lookup(o, "registry.local:5000"));
        assertEquals(Optional.empty(), lookup(o, "registry.local:5001"));
        assertEquals(Optional.of(Credentials.identityToken("refresh-me")), lookup(o, "id.example"));
    }

    @Test
    void explicitCredentialsThenDockerAuthConfigThenFiles() throws Exception {
        RegistryOptions.Builder o = withConfig("{\"auths\":{\"r.example\":{\"auth\":\"" + b64("file:pw") + "\"}}}");
        assertEquals("file", lookup(o, "r.example").orElseThrow().username());
        o.environment(Map.of("DOCKER_AUTH_CONFIG", "{\"auths\":{\"r.example\":{\"username\":\"env\",\"password\":\"pw\"}}}"));
        assertEquals("env", lookup(o, "r.example").orElseThrow().username());
        o.credentials("r.example", Credentials.basic("explicit", "pw"));
        assertEquals("explicit", lookup(o, "r.example").orElseThrow().username());
        // Broken inline config is an error that names the variable, not a silent fallback.
        IOException e = assertThrows(IOException.class,
                () -> lookup(Clients.isolated(tmp).environment(Map.of("DOCKER_AUTH_CONFIG", "{nope")), "x"));
        assertTrue(e.getMessage().contains("DOCKER_AUTH_CONFIG"), e.getMessage());
    }

    @Test
    void aConfigFileThatIsNotJsonIsAWarningNotASilentMiss() throws Exception {
        List<String> warnings = new ArrayList<>();
        RegistryOptions.Builder o = withConfig("{\"auths\": garbage").listener(new RegistryListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
        assertEquals(Optional.empty(), lookup(o, "r.example"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith(tmp.resolve("config.json") + " is not valid JSON; fix or remove it"), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("(its credentials are not used)"), warnings.get(0));
    }

    @Test
    void credentialsParsing() {
        assertEquals(Credentials.basic("u", "p:w"), Credentials.parse("u:p:w"));
        assertEquals(Credentials.identityToken("abc"), Credentials.parse("<token>:abc"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.parse("nocolon"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.parse(":p"));
        assertEquals("Credentials[user=u, password=***]", Credentials.basic("u", "secret").toString());
        assertEquals("Credentials[identity token]", Credentials.identityToken("secret").toString());
    }

    @Integration
    @Test
    void credentialHelpersAndCredsStoreRunTheHelper() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("docker-credential-jbtest");
        Files.writeString(helper, String.join("\n",
                "#!/bin/sh",
                "read server",
                "[ \"$1\" = get ] || exit 2",
                "case \"$server\" in",
                "  registry.example:5000) echo '{\"ServerURL\":\"registry.example:5000\",\"Username\":\"helper-user\",\"Secret\":\"helper-secret\"}' ;;",
                "  oauth.example) echo '{\"ServerURL\":\"oauth.example\",\"Username\":\"<token>\",\"Secret\":\"refresh-xyz\"}' ;;",
                "  *) echo 'credentials not found in native keychain'; exit 1 ;;",
                "esac", ""));
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = tmp.resolve("helpers.json");
        Files.writeString(config, "{\"credHelpers\":{\"registry.example:5000\":\"jbtest\"},\"credsStore\":\"jbtest\","
                + "\"auths\":{\"fallback.example\":{\"auth\":\"" + b64("fb:pw") + "\"}}}");
        assertEquals("user=helper-user secret=helper-secret", probe(bin, config, "registry.example:5000"));
        assertEquals("identity=refresh-xyz", probe(bin, config, "oauth.example"));
        assertEquals("none", probe(bin, config, "unknown.example"));
    }

    private String probe(Path bin, Path config, String registry) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ExternalTool.command(List.of(java, "-cp", System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=off", CredentialProbe.class.getName(), config.toString(), registry))
                .env("PATH", bin + ":" + System.getenv("PATH"))
                .runSuccessfully().stdout().strip();
    }
}
