package dev.jbuild.engine.step;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** EXPOSE values: {@code 80}, {@code 80/udp}, {@code 8000-8002/tcp}; a range becomes one entry per port, as in Docker. */
final class PortSpecs {

    private static final int MAX_RANGE = 65536;

    private PortSpecs() {}

    static List<String> parse(String spec) {
        String ports = spec;
        String protocol = "tcp";
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            ports = spec.substring(0, slash);
            protocol = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
                throw new IllegalArgumentException("invalid proto: " + spec.substring(slash + 1));
            }
        }
        int dash = ports.indexOf('-');
        int first = port(dash < 0 ? ports : ports.substring(0, dash), spec);
        int last = dash < 0 ? first : port(ports.substring(dash + 1), spec);
        if (last < first || last - first >= MAX_RANGE) {
            throw new IllegalArgumentException("invalid range specified for containerPort: " + spec);
        }
        List<String> result = new ArrayList<>();
        for (int port = first; port <= last; port++) {
            result.add(port + "/" + protocol);
        }
        return result;
    }

    private static int port(String text, String spec) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("invalid containerPort: " + spec);
        }
        int port = Integer.parseInt(text);
        if (port > 65535) {
            throw new IllegalArgumentException("invalid containerPort: " + spec);
        }
        return port;
    }
}
