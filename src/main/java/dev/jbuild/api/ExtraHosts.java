package dev.jbuild.api;

import dev.jbuild.sandbox.HostEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --add-host} values as docker and buildx take them: {@code NAME:ADDRESS} or {@code NAME=ADDRESS},
 * an IPv6 address optionally in brackets ({@code h=[::1]}); several comma-separated in one value, as
 * buildx's CSV reading allows.
 */
final class ExtraHosts {
    private ExtraHosts() {
    }

    static List<HostEntry> parse(List<String> values) {
        List<HostEntry> hosts = new ArrayList<>();
        for (String value : values) {
            for (String one : CsvFields.split("--add-host", value)) {
                hosts.add(parseOne(one.strip()));
            }
        }
        return hosts;
    }

    private static HostEntry parseOne(String value) {
        // "=" first: an IPv6 address holds colons, so "h:::1" splits at the first colon only.
        int at = value.indexOf('=');
        if (at < 0) {
            at = value.indexOf(':');
        }
        if (at <= 0 || at == value.length() - 1) {
            throw Problem.invalid("invalid --add-host " + value + ": want NAME:ADDRESS or NAME=ADDRESS");
        }
        String name = value.substring(0, at);
        String address = value.substring(at + 1);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        if (address.equals("host-gateway")) {
            throw Problem.invalid("--add-host " + value + ": host-gateway is not implemented yet (RUN"
                    + " shares the host's network by default: use 127.0.0.1, or the host's address)");
        }
        try {
            return new HostEntry(name, address);
        } catch (IllegalArgumentException e) {
            throw Problem.invalid("invalid --add-host " + value + ": " + e.getMessage());
        }
    }
}
