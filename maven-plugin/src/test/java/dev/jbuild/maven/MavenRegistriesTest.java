package dev.jbuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Server;
import org.junit.jupiter.api.Test;

class MavenRegistriesTest {

    @Test
    void serversWithUserAndPasswordAreRegistryCredentials() {
        List<MavenRegistries.ServerCredentials> credentials = MavenRegistries.credentials(List.of(
                server("localhost:5000", "ci", "secret"), server("central", null, null),
                server("ghcr.io", "token-only", null)));
        assertEquals(List.of(new MavenRegistries.ServerCredentials("localhost:5000", "ci", "secret")), credentials);
    }

    @Test
    void theActiveProxyReplacesTheEnvironmentsProxyVariables() {
        Proxy inactive = proxy("off", false, "other", 1, null);
        Proxy active = proxy("corp", true, "proxy.corp", 3128, "localhost|*.corp|10.1.2.3|registry.local:5000");
        List<String> warnings = new ArrayList<>();
        Map<String, String> environment = MavenRegistries.withProxy(
                Map.of("HTTPS_PROXY", "http://old:1", "no_proxy", "old", "PATH", "/bin"), List.of(inactive, active),
                warnings::add);
        assertEquals(Map.of("PATH", "/bin", "HTTPS_PROXY", "http://proxy.corp:3128", "HTTP_PROXY",
                "http://proxy.corp:3128", "NO_PROXY", "localhost,*.corp,10.1.2.3,registry.local:5000"), environment);
        assertEquals(List.of(), warnings);
    }

    @Test
    void proxyCredentialsAndPrefixPatternsAreReportedNotPassed() {
        Proxy active = proxy("corp", true, "::1", 8080, "10.*|*.ok");
        active.setUsername("user");
        active.setPassword("pw");
        List<String> warnings = new ArrayList<>();
        Map<String, String> environment = MavenRegistries.withProxy(Map.of(), List.of(active), warnings::add);
        assertEquals("http://[::1]:8080", environment.get("HTTPS_PROXY"));
        assertEquals("*.ok", environment.get("NO_PROXY"));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("does not send proxy credentials"), warnings.get(0));
        assertTrue(warnings.get(1).contains("10.*"), warnings.get(1));
    }

    @Test
    void withoutAnActiveProxyTheEnvironmentStays() {
        Map<String, String> environment = Map.of("HTTPS_PROXY", "http://env:1");
        assertSame(environment, MavenRegistries.withProxy(environment, List.of(proxy("off", false, "p", 1, null)),
                w -> {}));
    }

    @Test
    void theDefaultTagIsArtifactIdAndVersionInLowerCase() {
        assertEquals("my-app:1.0-snapshot", AbstractJBuildMojo.defaultTag("My-App", "1.0-SNAPSHOT"));
    }

    private static Server server(String id, String username, String password) {
        Server server = new Server();
        server.setId(id);
        server.setUsername(username);
        server.setPassword(password);
        return server;
    }

    private static Proxy proxy(String id, boolean active, String host, int port, String nonProxyHosts) {
        Proxy proxy = new Proxy();
        proxy.setId(id);
        proxy.setActive(active);
        proxy.setHost(host);
        proxy.setPort(port);
        proxy.setNonProxyHosts(nonProxyHosts);
        return proxy;
    }
}
