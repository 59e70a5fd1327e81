package dev.jbuild.maven;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Server;

/**
 * What Maven's {@code settings.xml} says about reaching registries, in the terms jbuild's API takes: a
 * {@code <server>} whose id is a registry host gives that registry's user name and password, and the active
 * {@code <proxy>} becomes the {@code HTTPS_PROXY}/{@code HTTP_PROXY}/{@code NO_PROXY} of the build's environment,
 * which is where jbuild's registry client reads its proxy (docs/registries.md). Works on decrypted settings.
 */
final class MavenRegistries {

    private MavenRegistries() {}

    /** A registry's credentials from a {@code <server>}. */
    record ServerCredentials(String registry, String username, String password) {}

    /**
     * The servers with both a user name and a password. Every such server is offered (jbuild sends a registry
     * only its own host's entry), so a server of a Maven repository ({@code central}) is never used for a registry.
     */
    static List<ServerCredentials> credentials(List<Server> servers) {
        List<ServerCredentials> credentials = new ArrayList<>();
        for (Server server : servers) {
            if (server.getId() != null && server.getUsername() != null && server.getPassword() != null) {
                credentials.add(new ServerCredentials(server.getId(), server.getUsername(), server.getPassword()));
            }
        }
        return credentials;
    }

    /**
     * {@code environment} with Maven's active proxy (the first active {@code <proxy>}, as Maven takes it) as the
     * proxy variables, replacing those of the environment: Maven uses its proxy for every URL whatever the
     * scheme, so both variables name it. {@code nonProxyHosts} ({@code |}-separated, {@code *.example.com})
     * becomes {@code NO_PROXY}. jbuild sends no proxy credentials: a proxy user name is reported to
     * {@code warnings} and left out of the URL, as are host patterns {@code NO_PROXY} cannot say ({@code 10.*}).
     */
    static Map<String, String> withProxy(Map<String, String> environment, List<Proxy> proxies,
            Consumer<String> warnings) {
        Proxy active = proxies.stream().filter(Proxy::isActive).findFirst().orElse(null);
        if (active == null) {
            return environment;
        }
        Map<String, String> result = new LinkedHashMap<>(environment);
        for (String variable : List.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")) {
            result.remove(variable);
        }
        String protocol = active.getProtocol() == null ? "http" : active.getProtocol().toLowerCase(Locale.ROOT);
        String url = URI.create(protocol + "://" + hostForUrl(active.getHost()) + ":" + active.getPort()).toString();
        if (active.getUsername() != null && !active.getUsername().isEmpty()) {
            warnings.accept("Maven proxy " + active.getId() + ": jbuild does not send proxy credentials; the proxy must"
                    + " let this machine through without them");
        }
        result.put("HTTPS_PROXY", url);
        result.put("HTTP_PROXY", url);
        List<String> noProxy = new ArrayList<>();
        if (active.getNonProxyHosts() != null) {
            for (String pattern : active.getNonProxyHosts().split("[|,]")) {
                String p = pattern.trim();
                if (p.isEmpty()) {
                    continue;
                }
                if (p.equals("*") || (p.indexOf('*') < 0) || (p.startsWith("*.") && p.indexOf('*', 1) < 0)) {
                    noProxy.add(p);
                } else {
                    warnings.accept("Maven proxy " + active.getId() + ": the non-proxy host " + p
                            + " has no NO_PROXY equivalent (only *.domain) and is left out");
                }
            }
        }
        if (!noProxy.isEmpty()) {
            result.put("NO_PROXY", String.join(",", noProxy));
        }
        return result;
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
