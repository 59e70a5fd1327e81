package dev.jbuild.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** The files the caller's JVM and the agent inside the namespaces exchange (JSON). */
final class AgentProtocol {
    private AgentProtocol() {
    }

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One extra mount, flattened. */
    record MountSpec(String type, String source, String sourcePath, String target, boolean readWrite, long size,
            long uid, long gid, int mode) {
    }

    record Blob(String path, String digest, String diffId) {
    }

    /**
     * @param op          "run", "extract" or "probe"
     * @param tools       absolute host paths of the programs the agent and its script use
     * @param mapping     how container ids map (the agent runs as container root)
     */
    record Request(String op, String workDir, Map<String, String> tools, IdMapping mapping,
            List<String> lowers, String snapshotter,
            List<String> argv, List<String> env, String cwd, long uid, long gid, List<Long> groups,
            String hostname, String network, List<MountSpec> mounts, String hosts, String resolvConf,
            List<Blob> blobs, String target) {
    }

    record Extracted(String digest, String diffId, String compression, long compressedSize, long uncompressedSize,
            long entries, List<String> warnings) {
    }

    /**
     * @param started  the command was started (setup succeeded); otherwise {@code error} says why
     * @param timings  milliseconds per phase (prepare, run, diff, ...)
     */
    record Response(boolean ok, String error, boolean started, int exitCode, List<String> nextLowers,
            List<String> warnings, Map<String, Long> timings, List<Extracted> extracted, boolean overlayWorks) {
    }
}
