package dev.jbuild.sandbox;

import java.util.Objects;

/**
 * One extra line of a run's {@code /etc/hosts} ({@code --add-host NAME:ADDRESS}): an address literal, never
 * a name to resolve, so that building the file needs no DNS and cannot vary with it.
 */
public record HostEntry(String name, String address) {

    public HostEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (!name.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})")) {
            throw new IllegalArgumentException("invalid host name " + name);
        }
        if (!isAddressLiteral(address)) {
            throw new IllegalArgumentException("invalid IP address " + address + " for host " + name);
        }
    }

    /** The line in the hosts file. */
    String line() {
        return address + "\t" + name + "\n";
    }

    /** An IPv4 or IPv6 address literal (no brackets), never a name: nothing is looked up. */
    public static boolean isAddressLiteral(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Hex groups and colons, one {@code ::} at most, an IPv4 tail allowed (as {@code ::ffff:10.0.0.1}). */
    private static boolean isIpv6(String s) {
        if (!s.contains(":") || !s.matches("[0-9A-Fa-f:.]+") || s.indexOf("::") != s.lastIndexOf("::")) {
            return false;
        }
        String head = s;
        int groups = 0;
        int lastColon = s.lastIndexOf(':');
        if (s.indexOf('.') >= 0) {
            if (!isIpv4(s.substring(lastColon + 1))) {
                return false;
            }
            head = s.substring(0, lastColon + 1) + "0";
            groups++; // the IPv4 tail is two groups; "0" below counts as one of them
        }
        for (String g : head.split(":", -1)) {
            if (g.length() > 4) {
                return false;
            }
            if (!g.isEmpty()) {
                groups++;
            }
        }
        return s.contains("::") ? groups <= 7 : groups == 8;
    }
}
