package dev.jbuild.registry;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses an HTTP proxy from {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY} (upper
 * case first, then lower case), with the rules of Go's {@code httpproxy} package that Docker,
 * containerd and skopeo follow: {@code NO_PROXY} lists host names (matching the name and its
 * subdomains; a leading dot or {@code *.} matches only subdomains), IP addresses, CIDR ranges,
 * each optionally with a port, or {@code *} for everything; loopback hosts are never proxied.
 * Only HTTP proxies are supported (HTTPS goes through them with CONNECT).
 */
final class EnvProxySelector extends ProxySelector {

    private static final Logger LOG = LoggerFactory.getLogger(EnvProxySelector.class);
    private static final List<Proxy> DIRECT = List.of(Proxy.NO_PROXY);

    private final Proxy httpProxy;
    private final Proxy httpsProxy;
    private final List<String> noProxy;

    EnvProxySelector(Map<String, String> env) {
        this(env, warning -> LOG.debug("{}", warning));
    }

    /** {@code warnings} hears of proxy variables that are ignored, one line each. */
    EnvProxySelector(Map<String, String> env, Consumer<String> warnings) {
        this.httpProxy = proxy(get(env, "HTTP_PROXY"), "HTTP_PROXY", warnings);
        this.httpsProxy = proxy(get(env, "HTTPS_PROXY"), "HTTPS_PROXY", warnings);
        List<String> entries = new ArrayList<>();
        String np = get(env, "NO_PROXY");
        if (np != null) {
            for (String e : np.split(",")) {
                String t = e.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    entries.add(t);
                }
            }
        }
        this.noProxy = List.copyOf(entries);
    }

    /** Whether any proxy is configured at all. */
    boolean configured() {
        return httpProxy != null || httpsProxy != null;
    }

    @Override
    public List<Proxy> select(URI uri) {
        Proxy p = "https".equalsIgnoreCase(uri.getScheme()) ? httpsProxy : httpProxy;
        if (p == null || !useProxy(uri.getHost(), port(uri))) {
            return DIRECT;
        }
        return List.of(p);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        LOG.debug("proxy {} failed for {}: {}", sa, uri.getHost(), ioe.toString());
    }

    boolean useProxy(String host, int port) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return false;
        }
        byte[] ip = literalIp(h);
        if (ip != null && isLoopback(ip)) {
            return false;
        }
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return false;
            }
            if (matches(entry, h, ip, port)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(String entry, String host, byte[] ip, int port) {
        int slash = entry.indexOf('/');
        if (slash > 0) {
            return ip != null && inCidr(ip, entry.substring(0, slash), entry.substring(slash + 1));
        }
        String name = entry;
        int entryPort = -1;
        // host:port, [v6]:port; a bare IPv6 literal has several colons and no port.
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            if (end > 0) {
                if (end + 1 < name.length() && name.charAt(end + 1) == ':') {
                    entryPort = parsePort(name.substring(end + 2));
                }
                name = name.substring(1, end);
            }
        } else if (name.indexOf(':') > 0 && name.indexOf(':') == name.lastIndexOf(':')) {
            entryPort = parsePort(name.substring(name.indexOf(':') + 1));
            name = name.substring(0, name.indexOf(':'));
        }
        if (entryPort > 0 && entryPort != port) {
            return false;
        }
        byte[] entryIp = literalIp(name);
        if (entryIp != null) {
            return ip != null && Arrays.equals(entryIp, ip);
        }
        if (name.startsWith("*.")) {
            name = name.substring(1);
        }
        if (name.startsWith(".")) {
            return host.endsWith(name);
        }
        return host.equals(name) || host.endsWith("." + name);
    }

    private static boolean inCidr(byte[] ip, String network, String bits) {
        byte[] net = literalIp(network);
        int prefix;
        try {
            prefix = Integer.parseInt(bits);
        } catch (NumberFormatException e) {
            return false;
        }
        if (net == null || net.length != ip.length || prefix < 0 || prefix > ip.length * 8) {
            return false;
        }
        int total = ip.length * 8;
        BigInteger mask = prefix == 0 ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE).shiftLeft(total - prefix);
        return new BigInteger(1, ip).and(mask).equals(new BigInteger(1, net).and(mask));
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** The address bytes of an IP literal, or null for a name (never resolves names). */
    static byte[] literalIp(String s) {
        if (s.isEmpty()) {
            return null;
        }
        boolean v4 = s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')) && s.chars().filter(c -> c == '.').count() == 3;
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isLoopback(byte[] ip) {
        if (ip.length == 4) {
            return ip[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[15] == 1;
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) {
            v = env.get(name.toLowerCase(Locale.ROOT));
        }
        return v == null || v.isEmpty() ? null : v;
    }

    private static Proxy proxy(String value, String variable, Consumer<String> warnings) {
        if (value == null) {
            return null;
        }
        String v = value.contains("://") ? value : "http://" + value;
        URI uri;
        try {
            uri = URI.create(v);
        } catch (IllegalArgumentException e) {
            warnings.accept("ignoring " + variable + ": not a URL");
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            warnings.accept("ignoring " + variable + ": " + scheme + " proxies are not supported, only HTTP proxies");
            return null;
        }
        if (uri.getHost() == null) {
            warnings.accept("ignoring " + variable + ": no proxy host");
            return null;
        }
        if (uri.getUserInfo() != null) {
            warnings.accept(variable + ": proxy credentials in the URL are not supported and are not sent");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
    }
}
