package dev.jbuild.registry;

import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How a {@link RegistryClient} connects, authenticates and retries. Immutable; start from
 * {@link #defaults()} or {@link #builder()}.
 *
 * <pre>{@code
 * RegistryOptions options = RegistryOptions.builder()
 *         .credentials("ghcr.io", Credentials.parse(System.getenv("GHCR_CREDS")))
 *         .insecureRegistry("registry.local:5000")
 *         .tlsCaFile(Path.of("corp-ca.pem"))
 *         .build();
 * }</pre>
 */
public final class RegistryOptions {

    /**
     * The proxies {@code env}'s {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY} name, by the rules the
     * registry client follows (loopback never proxied), for the build's other downloads to go the same way.
     *
     * @param warnings told of a variable that names no usable proxy
     */
    public static ProxySelector proxiesFrom(Map<String, String> env, Consumer<String> warnings) {
        return new EnvProxySelector(env, warnings);
    }

    /** Where Docker (and then Podman) look for per-registry CAs and client certificates. */
    public static final List<Path> DEFAULT_CERTS_DIRECTORIES =
            List.of(Path.of("/etc/docker/certs.d"), Path.of("/etc/containers/certs.d"));

    /** The environment variable the command line reads {@link #minTransferRate()} from (a size per second). */
    public static final String MIN_TRANSFER_RATE_VARIABLE = "JBUILD_MIN_TRANSFER_RATE";

    /** {@link #minTransferRate()} unless configured: 16 KiB/s, slow enough for three transfers sharing a 512 kbit/s line. */
    public static final long DEFAULT_MIN_TRANSFER_RATE = 16 * 1024;

    private final Map<String, Credentials> credentials;
    private final Set<String> insecureRegistries;
    private final Set<String> plainHttpRegistries;
    private final boolean loopbackInsecure;
    private final List<Path> tlsCaFiles;
    private final List<Path> certsDirectories;
    private final Path dockerConfigFile;
    private final Map<String, String> environment;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration readTimeout;
    private final long minTransferRate;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryTime;
    private final int parallelism;
    private final long chunkSize;
    private final long monolithicLimit;
    private final String userAgent;
    private final RegistryListener listener;

    private RegistryOptions(Builder b) {
        this.credentials = Map.copyOf(b.credentials);
        this.insecureRegistries = Set.copyOf(b.insecureRegistries);
        this.plainHttpRegistries = Set.copyOf(b.plainHttpRegistries);
        this.loopbackInsecure = b.loopbackInsecure;
        this.tlsCaFiles = List.copyOf(b.tlsCaFiles);
        this.certsDirectories = List.copyOf(b.certsDirectories);
        this.dockerConfigFile = b.dockerConfigFile;
        this.environment = Map.copyOf(b.environment);
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.readTimeout = b.readTimeout;
        this.minTransferRate = b.minTransferRate;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryTime = b.maxRetryTime;
        this.parallelism = b.parallelism;
        this.chunkSize = b.chunkSize;
        this.monolithicLimit = b.monolithicLimit;
        this.userAgent = b.userAgent;
        this.listener = b.listener;
    }

    /** Defaults: the process environment, Docker's config and certificate directories, 5 attempts. */
    public static RegistryOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.credentials.putAll(credentials);
        b.insecureRegistries.addAll(insecureRegistries);
        b.plainHttpRegistries.addAll(plainHttpRegistries);
        b.loopbackInsecure = loopbackInsecure;
        b.tlsCaFiles.addAll(tlsCaFiles);
        b.certsDirectories.clear();
        b.certsDirectories.addAll(certsDirectories);
        b.dockerConfigFile = dockerConfigFile;
        b.environment = environment;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.readTimeout = readTimeout;
        b.minTransferRate = minTransferRate;
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.maxRetryTime = maxRetryTime;
        b.parallelism = parallelism;
        b.chunkSize = chunkSize;
        b.monolithicLimit = monolithicLimit;
        b.userAgent = userAgent;
        b.listener = listener;
        return b;
    }

    /** Explicit credentials by registry ({@code host[:port]}, {@code docker.io} for Docker Hub). */
    public Map<String, Credentials> credentials() {
        return credentials;
    }

    /** Registries reached over plain HTTP, or HTTPS without certificate verification. */
    public Set<String> insecureRegistries() {
        return insecureRegistries;
    }

    /**
     * Registries known to speak plain HTTP only: no HTTPS attempt first (BuildKit's
     * {@code http = true}). Such registries are insecure too.
     */
    Set<String> plainHttpRegistries() {
        return plainHttpRegistries;
    }

    /** Whether {@code registry} is insecure: listed (or plain HTTP), or a loopback address when that default is on. */
    boolean isInsecure(String registry) {
        String r = registry.toLowerCase(Locale.ROOT);
        // "*" is --tls-verify=false: every registry of this command is insecure.
        if (insecureRegistries.contains("*") || insecureRegistries.contains(r) || insecureRegistries.contains(hostOf(r))
                || plainHttpRegistries.contains(r)) {
            return true;
        }
        if (!loopbackInsecure) {
            return false;
        }
        String host = hostOf(r);
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    /** Whether loopback registries ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}) are insecure, as in Docker. */
    boolean loopbackInsecure() {
        return loopbackInsecure;
    }

    /** Extra CA certificate files (PEM) trusted for every registry, in addition to the system's. */
    List<Path> tlsCaFiles() {
        return tlsCaFiles;
    }

    /** Directories holding {@code HOST[:PORT]/ca.crt}, {@code client.cert}, {@code client.key}. */
    List<Path> certsDirectories() {
        return certsDirectories;
    }

    /** The Docker config file to read credentials from; null for the default location. */
    public Path dockerConfigFile() {
        return dockerConfigFile;
    }

    /** The environment: proxies, {@code DOCKER_CONFIG}, {@code DOCKER_AUTH_CONFIG}, {@code REGISTRY_AUTH_FILE}. */
    public Map<String, String> environment() {
        return environment;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for a response's status and headers. */
    Duration responseTimeout() {
        return responseTimeout;
    }

    /** How long a response body may stall (no bytes at all) before the transfer is abandoned. */
    Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The slowest transfer waited for, in bytes per second: a response body must arrive within the
     * {@link #responseTimeout()} plus its size at this rate (request bodies must go out as fast),
     * or the transfer fails for good. Without it a server sending a byte every few seconds would
     * hold a pull forever, since each byte resets the {@link #readTimeout()}.
     */
    public long minTransferRate() {
        return minTransferRate;
    }

    /** The time a body of {@code bytes} may take: the response timeout plus its size at the minimum rate. */
    Duration transferAllowance(long bytes) {
        long b = Math.max(0, bytes);
        // In two parts, so that no size can overflow the multiplication.
        return responseTimeout.plusMillis(b / minTransferRate * 1000 + b % minTransferRate * 1000 / minTransferRate);
    }

    /** Attempts per operation, the first included. */
    int maxAttempts() {
        return maxAttempts;
    }

    Duration initialBackoff() {
        return initialBackoff;
    }

    Duration maxBackoff() {
        return maxBackoff;
    }

    /** No retry starts once this much time has passed since an operation's first attempt. */
    Duration maxRetryTime() {
        return maxRetryTime;
    }

    /** Blobs transferred at once. */
    public int parallelism() {
        return parallelism;
    }

    /** Bytes per PATCH request of a chunked upload (raised to the registry's minimum). */
    long chunkSize() {
        return chunkSize;
    }

    /** Blobs up to this size are uploaded in one PUT; larger ones in chunks. */
    long monolithicLimit() {
        return monolithicLimit;
    }

    String userAgent() {
        return userAgent;
    }

    public RegistryListener listener() {
        return listener;
    }

    static String hostOf(String registry) {
        if (registry.startsWith("[")) {
            int end = registry.indexOf(']');
            return end < 0 ? registry : registry.substring(0, end + 1);
        }
        int colon = registry.lastIndexOf(':');
        return colon < 0 || registry.indexOf(':') != colon ? registry : registry.substring(0, colon);
    }

    static String defaultUserAgent() {
        String version = RegistryClient.class.getPackage().getImplementationVersion();
        return "jbuild/" + (version == null ? "dev" : version);
    }

    /** Builds {@link RegistryOptions}; every setter returns the builder. */
    public static final class Builder {
        private final Map<String, Credentials> credentials = new LinkedHashMap<>();
        private final Set<String> insecureRegistries = new LinkedHashSet<>();
        private final Set<String> plainHttpRegistries = new LinkedHashSet<>();
        private boolean loopbackInsecure = true;
        private final List<Path> tlsCaFiles = new ArrayList<>();
        private final List<Path> certsDirectories = new ArrayList<>(DEFAULT_CERTS_DIRECTORIES);
        private Path dockerConfigFile;
        private Map<String, String> environment = System.getenv();
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration responseTimeout = Duration.ofSeconds(120);
        private Duration readTimeout = Duration.ofSeconds(60);
        private long minTransferRate = DEFAULT_MIN_TRANSFER_RATE;
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration maxRetryTime = Duration.ofMinutes(5);
        private int parallelism = 3;
        private long chunkSize = 32L << 20;
        private long monolithicLimit = 32L << 20;
        private String userAgent = defaultUserAgent();
        private RegistryListener listener = RegistryListener.NONE;

        private Builder() {}

        public Builder credentials(String registry, Credentials creds) {
            credentials.put(normalizeRegistry(registry), Objects.requireNonNull(creds, "credentials"));
            return this;
        }

        public Builder insecureRegistry(String registry) {
            insecureRegistries.add(normalizeRegistry(registry));
            return this;
        }

        /** A registry reached over plain HTTP without trying HTTPS first. */
        Builder plainHttpRegistry(String registry) {
            plainHttpRegistries.add(normalizeRegistry(registry));
            return this;
        }

        Builder loopbackInsecure(boolean value) {
            loopbackInsecure = value;
            return this;
        }

        public Builder tlsCaFile(Path file) {
            tlsCaFiles.add(Objects.requireNonNull(file, "file"));
            return this;
        }

        /** Replaces the certificate directories (default {@link #DEFAULT_CERTS_DIRECTORIES}). */
        Builder certsDirectories(List<Path> directories) {
            certsDirectories.clear();
            certsDirectories.addAll(directories);
            return this;
        }

        public Builder dockerConfigFile(Path file) {
            dockerConfigFile = file;
            return this;
        }

        public Builder environment(Map<String, String> env) {
            environment = Map.copyOf(env);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            connectTimeout = positive(d, "connect timeout");
            return this;
        }

        Builder responseTimeout(Duration d) {
            responseTimeout = positive(d, "response timeout");
            return this;
        }

        Builder readTimeout(Duration d) {
            readTimeout = positive(d, "read timeout");
            return this;
        }

        /** See {@link RegistryOptions#minTransferRate()}; at least 1 byte per second. */
        public Builder minTransferRate(long bytesPerSecond) {
            if (bytesPerSecond < 1) {
                throw new IllegalArgumentException("the minimum transfer rate must be at least 1 byte per second");
            }
            minTransferRate = bytesPerSecond;
            return this;
        }

        Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("at least one attempt is needed");
            }
            maxAttempts = n;
            return this;
        }

        Builder backoff(Duration initial, Duration max) {
            initialBackoff = positive(initial, "initial backoff");
            maxBackoff = positive(max, "maximum backoff");
            return this;
        }

        Builder maxRetryTime(Duration d) {
            maxRetryTime = positive(d, "maximum retry time");
            return this;
        }

        public Builder parallelism(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1");
            }
            parallelism = n;
            return this;
        }

        /** Chunked uploads: blobs above {@code monolithicLimit} bytes go in PATCHes of {@code chunkSize}. */
        Builder uploadChunking(long monolithicLimit, long chunkSize) {
            if (chunkSize < 1 || monolithicLimit < 0) {
                throw new IllegalArgumentException("invalid chunking: limit " + monolithicLimit + ", chunk " + chunkSize);
            }
            this.monolithicLimit = monolithicLimit;
            this.chunkSize = chunkSize;
            return this;
        }

        Builder userAgent(String value) {
            userAgent = Objects.requireNonNull(value, "user agent");
            return this;
        }

        public Builder listener(RegistryListener value) {
            listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        public RegistryOptions build() {
            return new RegistryOptions(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }

    /** Registry names compare in lower case; Docker Hub's aliases are one registry. */
    static String normalizeRegistry(String registry) {
        String r = registry.trim().toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"https://", "http://"}) {
            if (r.startsWith(prefix)) {
                r = r.substring(prefix.length());
            }
        }
        int slash = r.indexOf('/');
        if (slash >= 0) {
            r = r.substring(0, slash);
        }
        switch (r) {
            case "index.docker.io":
            case "registry-1.docker.io":
            case "registry.hub.docker.com":
                return "docker.io";
            default:
                return r;
        }
    }
}
