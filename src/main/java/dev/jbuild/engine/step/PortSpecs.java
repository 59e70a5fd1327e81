package dev.jbuild.engine.step;

import dev.jbuild.sandbox.HostEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * EXPOSE values, parsed as BuildKit's frontend parses them: {@code [ip:][hostPort:]containerPort[/proto]}.
 * Only the container port counts ({@code 8000-8002/tcp} becomes one entry per port, as in Docker); an IP
 * and a host port are checked and dropped (the ExposeInvalidFormat check warns about them), and an empty
 * protocol ({@code 80/}) is tcp.
 */
final class PortSpecs {

    private static final int MAX_RANGE = 65536;

    private PortSpecs() {}

    static List<String> parse(String spec) {
        String[] parts = spec.split(":", -1);
        String containerPart = parts[parts.length - 1];
        String hostPort = parts.length >= 2 ? parts[parts.length - 2] : "";
        String ip = parts.length >= 3 ? String.join(":", Arrays.copyOf(parts, parts.length - 2)) : "";
        int slash = containerPart.indexOf('/');
        String ports = slash < 0 ? containerPart : containerPart.substring(0, slash);
        String protocol = slash < 0 ? "" : containerPart.substring(slash + 1).toLowerCase(Locale.ROOT);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("invalid port: \"" + spec + "\": no port specified");
        }
        if (protocol.isEmpty()) {
            protocol = "tcp";
        } else if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
            throw new IllegalArgumentException("invalid port: \"" + spec + "\": invalid proto: " + containerPart.substring(slash + 1));
        }
        if (!ip.isEmpty() && !HostEntry.isAddressLiteral(ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip)) {
            throw new IllegalArgumentException("invalid IP address: " + ip);
        }
        int[] range = range(ports, "containerPort");
        if (!hostPort.isEmpty()) {
            int[] host = range(hostPort, "hostPort");
            // A host range is allowed for one container port (a range to allocate from), not for a container range.
            if (range[1] - range[0] != host[1] - host[0] && range[1] != range[0]) {
                throw new IllegalArgumentException("invalid ranges specified for container and host Ports: " + ports + " and "
                        + hostPort);
            }
        }
        List<String> result = new ArrayList<>();
        for (int port = range[0]; port <= range[1]; port++) {
            result.add(port + "/" + protocol);
        }
        return result;
    }

    /** {@code 80} or {@code 8000-8002}, each 0–65535. */
    private static int[] range(String text, String what) {
        int dash = text.indexOf('-');
        int first = port(dash < 0 ? text : text.substring(0, dash), what, text);
        int last = dash < 0 ? first : port(text.substring(dash + 1), what, text);
        if (last < first || last - first >= MAX_RANGE) {
            throw new IllegalArgumentException("invalid range specified for " + what + ": " + text);
        }
        return new int[] {first, last};
    }

    private static int port(String text, String what, String whole) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("invalid " + what + ": " + whole);
        }
        int port = Integer.parseInt(text);
        if (port > 65535) {
            throw new IllegalArgumentException("invalid " + what + ": " + whole);
        }
        return port;
    }
}
