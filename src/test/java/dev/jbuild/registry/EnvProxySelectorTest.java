package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvProxySelectorTest {

    private static String proxyOf(EnvProxySelector s, String uri) {
        List<Proxy> p = s.select(URI.create(uri));
        if (p.get(0).type() == Proxy.Type.DIRECT) {
            return "DIRECT";
        }
        InetSocketAddress a = (InetSocketAddress) p.get(0).address();
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void schemeSpecificProxiesUpperCaseFirst() {
        EnvProxySelector s = new EnvProxySelector(Map.of(
                "HTTPS_PROXY", "http://secure-proxy:3128", "https_proxy", "http://ignored:1",
                "http_proxy", "plain-proxy:8080"));
        assertEquals("secure-proxy:3128", proxyOf(s, "https://ghcr.io/v2/"));
        assertEquals("plain-proxy:8080", proxyOf(s, "http://registry.local:5000/v2/"));
        assertTrue(s.configured());
        assertFalse(new EnvProxySelector(Map.of()).configured());
        assertEquals("DIRECT", proxyOf(new EnvProxySelector(Map.of()), "https://ghcr.io/v2/"));
    }

    @Test
    void noProxyRules() {
        EnvProxySelector s = new EnvProxySelector(Map.of("HTTPS_PROXY", "http://p:3128", "HTTP_PROXY", "http://p:3128",
                "NO_PROXY", "internal.example, .corp.example,*.dev.example, 10.0.0.0/8, 192.168.1.5, registry.local:5000, [fd00::1]"));
        assertEquals("DIRECT", proxyOf(s, "https://internal.example/v2/"));
        assertEquals("DIRECT", proxyOf(s, "https://reg.internal.example/v2/"));
        assertEquals("p:3128", proxyOf(s, "https://notinternal.example/v2/"));
        assertEquals("DIRECT", proxyOf(s, "https://a.corp.example/v2/"));
        assertEquals("p:3128", proxyOf(s, "https://corp.example/v2/"));
        assertEquals("DIRECT", proxyOf(s, "https://x.dev.example/v2/"));
        assertEquals("DIRECT", proxyOf(s, "https://10.1.2.3/v2/"));
        assertEquals("p:3128", proxyOf(s, "https://11.1.2.3/v2/"));
        assertEquals("DIRECT", proxyOf(s, "https://192.168.1.5:443/v2/"));
        assertEquals("DIRECT", proxyOf(s, "http://registry.local:5000/v2/"));
        assertEquals("p:3128", proxyOf(s, "http://registry.local:5001/v2/"));
        assertEquals("DIRECT", proxyOf(s, "https://[fd00::1]:5000/v2/"));
    }

    @Test
    void loopbackIsNeverProxiedAndStarDisablesAll() {
        EnvProxySelector s = new EnvProxySelector(Map.of("HTTP_PROXY", "http://p:3128"));
        assertEquals("DIRECT", proxyOf(s, "http://127.0.0.1:5000/v2/"));
        assertEquals("DIRECT", proxyOf(s, "http://localhost:5000/v2/"));
        assertEquals("DIRECT", proxyOf(s, "http://[::1]:5000/v2/"));
        EnvProxySelector all = new EnvProxySelector(Map.of("HTTP_PROXY", "http://p:3128", "no_proxy", "*"));
        assertEquals("DIRECT", proxyOf(all, "http://anything:80/"));
    }

    @Test
    void unsupportedProxiesAreIgnored() {
        EnvProxySelector s = new EnvProxySelector(Map.of("HTTPS_PROXY", "socks5://p:1080"));
        assertFalse(s.configured());
        assertEquals("DIRECT", proxyOf(s, "https://ghcr.io/v2/"));
    }
}
