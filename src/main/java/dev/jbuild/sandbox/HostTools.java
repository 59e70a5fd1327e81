package dev.jbuild.sandbox;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The host programs the sandbox uses, found once in PATH and the sbin directories. */
final class HostTools {
    /** Program → Debian package that has it. */
    private static final List<Map.Entry<String, String>> REQUIRED = List.of(
            Map.entry("unshare", "util-linux"),
            Map.entry("mount", "mount"),
            Map.entry("umount", "mount"),
            Map.entry("pivot_root", "util-linux"),
            Map.entry("setpriv", "util-linux"),
            Map.entry("env", "coreutils"),
            Map.entry("cp", "coreutils"),
            Map.entry("rm", "coreutils"),
            Map.entry("sh", "dash"));

    private static final List<String> OPTIONAL = List.of("newuidmap", "newgidmap", "ip", "hostname", "chroot", "mknod", "mkfifo",
            "prlimit", "xargs", FileCapabilities.TOOL, FileCapabilities.SETTER);

    private HostTools() {
    }

    static Map<String, String> find(IdMapping mapping) throws SandboxException {
        Map<String, String> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : REQUIRED) {
            Optional<String> p = which(e.getKey());
            if (p.isPresent()) {
                found.put(e.getKey(), p.get());
            } else {
                missing.add(e.getKey() + " (Debian package " + e.getValue() + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new SandboxException("RUN needs these programs, which are not installed: "
                    + String.join(", ", missing));
        }
        for (String t : OPTIONAL) {
            which(t).ifPresent(p -> found.put(t, p));
        }
        found.putIfAbsent("hostname", "hostname");
        return found;
    }

    static Optional<String> which(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty() || !d.startsWith("/")) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }
}
