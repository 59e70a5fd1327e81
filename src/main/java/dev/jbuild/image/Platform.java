package dev.jbuild.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The platform an image runs on, as in an index entry or an image config: {@code linux/arm64/v8}.
 * JSON field order is the image-spec's (architecture, os, os.version, os.features, variant).
 *
 * <p>Values are kept as written; {@link #normalize()} gives the canonical spelling used for
 * comparison and for new documents, with containerd's aliases ({@code aarch64} is {@code arm64},
 * {@code x86_64} is {@code amd64}) and default variants ({@code arm} is {@code v7}; {@code arm64/v8}
 * and {@code amd64/v1} are written without a variant).
 *
 * @param unknownFields fields this record does not model, kept so re-serialisation loses nothing
 */
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant"})
@JsonInclude(Include.NON_NULL)
public record Platform(
        @JsonProperty("os") String os,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("variant") @JsonInclude(Include.NON_EMPTY) String variant,
        @JsonProperty("os.version") @JsonInclude(Include.NON_EMPTY) String osVersion,
        @JsonProperty("os.features") @JsonInclude(Include.NON_EMPTY) List<String> osFeatures,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    public Platform {
        osFeatures = Json.copy(osFeatures);
        unknownFields = Json.unknown(unknownFields);
    }

    public Platform(String os, String architecture, String variant) {
        this(os, architecture, variant, null, null, null);
    }

    public Platform(String os, String architecture) {
        this(os, architecture, null);
    }

    /**
     * Parses {@code os/arch[/variant]} as in {@code --platform}. A Windows version may follow the
     * os in parentheses: {@code windows(10.0.17763)/amd64}. A single word is taken as an os when
     * it names one ({@code linux}: the host's architecture) and otherwise as a Linux architecture
     * ({@code arm64}). The result is not normalised.
     */
    public static Platform parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty platform");
        }
        String[] parts = text.trim().split("/", -1);
        if (parts.length > 3) {
            throw new IllegalArgumentException("invalid platform '" + text + "': expected os/arch[/variant]");
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("invalid platform '" + text + "': empty component");
            }
        }
        String os = parts[0];
        String osVersion = null;
        int paren = os.indexOf('(');
        if (paren >= 0) {
            if (!os.endsWith(")") || paren == 0) {
                throw new IllegalArgumentException("invalid platform '" + text + "': expected os(version)");
            }
            osVersion = os.substring(paren + 1, os.length() - 1);
            os = os.substring(0, paren);
        }
        for (String part : new String[] {os, parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : ""}) {
            if (!part.matches("[A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("invalid platform '" + text + "': bad component '" + part + "'");
            }
        }
        if (parts.length == 1 && osVersion == null) {
            if (KnownOs.is(os)) {
                return new Platform(os, host().architecture(), host().variant());
            }
            // One word is an OS or a CPU that containerd knows (normalised: x86_64, aarch64, armhf); "bogus" is neither.
            Platform cpu = new Platform("linux", os, null);
            if (!KnownArchitecture.is(cpu.normalize().architecture())) {
                throw new IllegalArgumentException("invalid platform '" + text + "': unknown operating system or architecture");
            }
            return cpu;
        }
        if (parts.length == 1) {
            return new Platform(os, host().architecture(), host().variant(), osVersion, null, null);
        }
        return new Platform(os, parts[1], parts.length == 3 ? parts[2] : null, osVersion, null, null);
    }

    /** The platform of the running JVM, normalised; containers are Linux even on other hosts' VMs. */
    public static Platform host() {
        return fromJvm(System.getProperty("os.name", "linux"), System.getProperty("os.arch", "amd64"));
    }

    static Platform fromJvm(String osName, String osArch) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("windows") ? "windows" : name.startsWith("mac") ? "darwin" : name.contains("bsd") ? "freebsd" : "linux";
        return new Platform(os, osArch, null).normalize();
    }

    /**
     * The canonical spelling: lower case, architecture aliases resolved, the default variant filled
     * in for arm ({@code v7}) and the baseline ones of arm64 ({@code v8}) and amd64 ({@code v1})
     * dropped, as containerd's normaliser does (so TARGETVARIANT is empty for linux/arm64, as in
     * BuildKit).
     */
    public Platform normalize() {
        String o = os == null ? null : os.toLowerCase(Locale.ROOT);
        if ("macos".equals(o)) {
            o = "darwin";
        }
        String a = architecture == null ? null : architecture.toLowerCase(Locale.ROOT);
        String v = variant == null || variant.isEmpty() ? null : variant.toLowerCase(Locale.ROOT);
        if (a != null) {
            switch (a) {
                case "i386", "i486", "i586", "i686", "x86" -> {
                    a = "386";
                    v = null;
                }
                case "x86_64", "x86-64", "amd64" -> {
                    a = "amd64";
                    if ("v1".equals(v) || "1".equals(v)) {
                        v = null;
                    } else if (v != null && !v.startsWith("v")) {
                        v = "v" + v;
                    }
                }
                case "aarch64", "arm64" -> {
                    // v8 is every arm64 CPU, so containerd (and BuildKit's TARGETVARIANT) spells it
                    // as no variant at all; later versions keep theirs.
                    a = "arm64";
                    if (v != null && !v.startsWith("v")) {
                        v = "v" + v;
                    }
                    if (v != null && v.endsWith(".0")) {
                        v = v.substring(0, v.length() - 2);
                    }
                    if ("v8".equals(v)) {
                        v = null;
                    }
                }
                case "armhf" -> {
                    a = "arm";
                    v = "v7";
                }
                case "armel" -> {
                    a = "arm";
                    v = "v6";
                }
                case "arm" -> {
                    if (v == null) {
                        v = "v7";
                    } else if (!v.startsWith("v")) {
                        v = "v" + v;
                    }
                }
                default -> {
                }
            }
        }
        return new Platform(o, a, v, osVersion, osFeatures, unknownFields);
    }

    /** {@code os/arch[/variant]}, the {@code --platform} spelling. */
    @Override
    public String toString() {
        String s = os + "/" + architecture;
        return variant == null || variant.isEmpty() ? s : s + "/" + variant;
    }

    /** Operating systems Go knows, to tell {@code linux} (an os) from {@code arm64} (an arch). */
    /** containerd's known architectures (its {@code isKnownArch}), as {@link #normalize} spells them. */
    private static final class KnownArchitecture {
        static boolean is(String s) {
            return switch (s) {
                case "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips",
                        "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x",
                        "sparc", "sparc64", "wasm" -> true;
                default -> false;
            };
        }
    }

    private static final class KnownOs {
        static boolean is(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "aix", "android", "darwin", "macos", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js",
                        "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos" -> true;
                default -> false;
            };
        }
    }
}
