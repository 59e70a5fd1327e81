package dev.jbuild.plan;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The build args every Dockerfile can use without a value from the command line. */
final class BuiltinArgs {

    /**
     * Args that BuildKit accepts on the command line without an ARG to consume them: the proxy
     * settings (passed to RUN but kept out of the image and its history) and the builder's own knobs.
     */
    private static final Set<String> ALWAYS_ALLOWED = Set.of(
            "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
            "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "SOURCE_DATE_EPOCH");

    private BuiltinArgs() {}

    static boolean isAlwaysAllowed(String name) {
        return ALWAYS_ALLOWED.contains(name) || name.startsWith("BUILDKIT_");
    }

    /** TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the BUILD* equivalents. */
    static Map<String, String> of(String targetPlatform, String buildPlatform) {
        Map<String, String> args = new HashMap<>();
        put(args, "TARGET", targetPlatform);
        put(args, "BUILD", buildPlatform);
        return args;
    }

    private static void put(Map<String, String> args, String prefix, String platform) {
        String[] parts = platform.split("/");
        args.put(prefix + "PLATFORM", platform);
        args.put(prefix + "OS", parts[0]);
        args.put(prefix + "ARCH", parts.length > 1 ? parts[1] : "");
        args.put(prefix + "VARIANT", parts.length > 2 ? parts[2] : "");
    }
}
