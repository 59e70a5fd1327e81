package dev.jbuild.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image configuration blob ({@link MediaTypes#OCI_CONFIG} or {@link MediaTypes#DOCKER_CONFIG};
 * the JSON is the same). Field names are Docker's exact spellings; field order is that of the
 * image-spec {@code Image} struct with Docker's extensions appended, which is what Go writes:
 * created, author, architecture, os, os.version, os.features, variant, config, rootfs, history.
 * Absent fields stay absent; fields this model does not know (Docker's old {@code container_config},
 * {@code docker_version}, ...) are kept in {@code unknownFields} at every level.
 *
 * @param created RFC 3339 time as written (see {@link #formatTime}); kept as text so a parsed
 *     value re-serialises exactly
 */
@JsonPropertyOrder({"created", "author", "architecture", "os", "os.version", "os.features", "variant", "config", "rootfs", "history"})
@JsonInclude(Include.NON_NULL)
public record ImageConfig(
        @JsonProperty("created") @JsonInclude(Include.NON_EMPTY) String created,
        @JsonProperty("author") @JsonInclude(Include.NON_EMPTY) String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("os.version") @JsonInclude(Include.NON_EMPTY) String osVersion,
        @JsonProperty("os.features") @JsonInclude(Include.NON_EMPTY) List<String> osFeatures,
        @JsonProperty("variant") @JsonInclude(Include.NON_EMPTY) String variant,
        @JsonProperty("config") Config config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") @JsonInclude(Include.NON_EMPTY) List<History> history,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    public ImageConfig {
        osFeatures = Json.copy(osFeatures);
        history = Json.copy(history);
        unknownFields = Json.unknown(unknownFields);
    }

    /** A new, empty config for a platform: no layers, an empty {@code config} object. */
    public static ImageConfig forPlatform(Platform platform) {
        return new ImageConfig(null, null, null, null, null, null, null, Config.EMPTY, new RootFs(List.of()), null, null)
                .withPlatform(platform);
    }

    /** The platform this image is for, from the flattened os/architecture/variant fields. */
    public Platform platform() {
        return new Platform(os, architecture, variant, osVersion, osFeatures, null);
    }

    public ImageConfig withPlatform(Platform p) {
        return new ImageConfig(created, author, p.architecture(), p.os(), p.osVersion(), p.osFeatures(), p.variant(),
                config, rootfs, history, unknownFields);
    }

    public ImageConfig withCreated(String newCreated) {
        return new ImageConfig(newCreated, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history, unknownFields);
    }

    public ImageConfig withAuthor(String newAuthor) {
        return new ImageConfig(created, newAuthor, architecture, os, osVersion, osFeatures, variant, config, rootfs, history, unknownFields);
    }

    public ImageConfig withConfig(Config newConfig) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, newConfig, rootfs, history, unknownFields);
    }

    public ImageConfig withRootfs(RootFs newRootfs) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, newRootfs, history, unknownFields);
    }

    public ImageConfig withHistory(List<History> newHistory) {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, newHistory, unknownFields);
    }

    /**
     * This config with one more top-level field this model does not know (for example jbuild's
     * inline build cache), written after the known fields; replaces a field of the same name.
     */
    public ImageConfig withExtraField(String name, JsonNode value) {
        Map<String, JsonNode> fields = new LinkedHashMap<>(unknownFields);
        fields.remove(name);
        fields.put(name, value);
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history, fields);
    }

    /** This config without the fields it does not model (for a new image derived from a base). */
    public ImageConfig withoutUnknownFields() {
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history, null);
    }

    /**
     * A time as Go writes {@code time.Time} in JSON (RFC 3339 with nanoseconds, trailing zeros of
     * the fraction dropped), always in UTC: {@code 2024-05-01T10:00:00Z},
     * {@code 2024-05-01T10:00:00.5Z}.
     */
    public static String formatTime(Instant instant) {
        String base = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(instant);
        int nanos = instant.getNano();
        if (nanos == 0) {
            return base + "Z";
        }
        String fraction = String.format("%09d", nanos).replaceAll("0+$", "");
        return base + "." + fraction + "Z";
    }

    /**
     * The execution defaults of a container ({@code config} in the JSON). Docker's field names and
     * order: the image-spec's, then Docker's Healthcheck, OnBuild and Shell.
     *
     * @param exposedPorts ports such as {@code 80/tcp}; written as {@code {"80/tcp":{}}}
     * @param volumes paths; written as {@code {"/data":{}}}
     */
    @JsonPropertyOrder({"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels",
            "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell"})
    @JsonInclude(Include.NON_EMPTY)
    public record Config(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts")
                    @JsonSerialize(using = Json.StringSetSerializer.class)
                    @JsonDeserialize(using = Json.StringSetDeserializer.class)
                    Set<String> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes")
                    @JsonSerialize(using = Json.StringSetSerializer.class)
                    @JsonDeserialize(using = Json.StringSetDeserializer.class)
                    Set<String> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("ArgsEscaped") @JsonInclude(Include.NON_DEFAULT) boolean argsEscaped,
            @JsonProperty("Healthcheck") @JsonInclude(Include.NON_NULL) Healthcheck healthcheck,
            @JsonProperty("OnBuild") List<String> onBuild,
            @JsonProperty("Shell") List<String> shell,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

        public static final Config EMPTY = new Config(null, null, null, null, null, null, null, null, null, false, null, null, null, null);

        public Config {
            exposedPorts = Json.copy(exposedPorts);
            env = Json.copy(env);
            entrypoint = Json.copy(entrypoint);
            cmd = Json.copy(cmd);
            volumes = Json.copy(volumes);
            labels = Json.copy(labels);
            onBuild = Json.copy(onBuild);
            shell = Json.copy(shell);
            unknownFields = Json.unknown(unknownFields);
        }

        public Config withUser(String v) {
            return new Config(v, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withExposedPorts(Set<String> v) {
            return new Config(user, v, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withEnv(List<String> v) {
            return new Config(user, exposedPorts, v, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withEntrypoint(List<String> v) {
            return new Config(user, exposedPorts, env, v, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withCmd(List<String> v) {
            return new Config(user, exposedPorts, env, entrypoint, v, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withVolumes(Set<String> v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, v, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withWorkingDir(String v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, v, labels, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withLabels(Map<String, String> v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, v, stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withStopSignal(String v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, v, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withHealthcheck(Healthcheck v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, v, onBuild, shell, unknownFields);
        }

        public Config withOnBuild(List<String> v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, v, shell, unknownFields);
        }

        public Config withArgsEscaped(boolean v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, v, healthcheck, onBuild, shell, unknownFields);
        }

        public Config withShell(List<String> v) {
            return new Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped, healthcheck, onBuild, v, unknownFields);
        }
    }

    /**
     * HEALTHCHECK settings. Durations are Go {@code time.Duration}s: integer nanoseconds, zero
     * meaning "inherit". {@code test} is {@code ["NONE"]}, {@code ["CMD", args...]} or
     * {@code ["CMD-SHELL", command]}.
     */
    @JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
    @JsonInclude(Include.NON_DEFAULT)
    public record Healthcheck(
            @JsonProperty("Test") @JsonInclude(Include.NON_EMPTY) List<String> test,
            @JsonProperty("Interval") long interval,
            @JsonProperty("Timeout") long timeout,
            @JsonProperty("StartPeriod") long startPeriod,
            @JsonProperty("StartInterval") long startInterval,
            @JsonProperty("Retries") int retries,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

        public Healthcheck {
            test = Json.copy(test);
            unknownFields = Json.unknown(unknownFields);
        }

        public Healthcheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod,
                Duration startInterval, int retries) {
            this(test, nanos(interval), nanos(timeout), nanos(startPeriod), nanos(startInterval), retries, null);
        }

        private static long nanos(Duration d) {
            return d == null ? 0 : d.toNanos();
        }
    }

    /** The layers' uncompressed digests ({@code diff_ids}), base first; {@code type} is "layers". */
    @JsonPropertyOrder({"type", "diff_ids"})
    @JsonInclude(Include.NON_NULL)
    public record RootFs(
            @JsonProperty("type") String type,
            @JsonProperty("diff_ids") List<Digest> diffIds,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

        public RootFs {
            diffIds = Json.copy(diffIds);
            unknownFields = Json.unknown(unknownFields);
        }

        public RootFs(List<Digest> diffIds) {
            this("layers", diffIds, null);
        }
    }

    /** One build step; {@code emptyLayer} steps (ENV, CMD, ...) have no entry in the layers. */
    @JsonPropertyOrder({"created", "created_by", "author", "comment", "empty_layer"})
    @JsonInclude(Include.NON_EMPTY)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") @JsonInclude(Include.NON_DEFAULT) boolean emptyLayer,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

        public History {
            unknownFields = Json.unknown(unknownFields);
        }

        public History(String created, String createdBy, String comment, boolean emptyLayer) {
            this(created, createdBy, null, comment, emptyLayer, null);
        }
    }
}
