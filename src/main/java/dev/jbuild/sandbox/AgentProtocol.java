package dev.jbuild.sandbox;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The files the caller's JVM and the agent inside the namespaces exchange: serialized records (both sides
 * are the same jbuild build; Java serialization starts far faster than a JSON mapper in the agent JVM).
 */
final class AgentProtocol {
    private AgentProtocol() {
    }

    static void write(Path file, Serializable value) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeObject(value);
        }
    }

    static <T> T read(Path file, Class<T> type) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            in.setObjectInputFilter(info -> info.serialClass() == null
                    || info.serialClass().getName().startsWith("dev.jbuild.sandbox.")
                    || info.serialClass().getName().startsWith("java.") || info.serialClass().isArray()
                    ? java.io.ObjectInputFilter.Status.ALLOWED : java.io.ObjectInputFilter.Status.REJECTED);
            return type.cast(in.readObject());
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }

    /** One extra mount, flattened. */
    record MountSpec(String type, String source, String sourcePath, String target, boolean readWrite, long size,
            long uid, long gid, int mode) implements Serializable {
    }

    /** A layer to extract; into {@code target} when set, else into the request's target. */
    record Blob(String path, String digest, String diffId, String target) implements Serializable {
    }

    /**
     * @param op          "run", "extract" or "probe"
     * @param tools       absolute host paths of the programs the agent and its script use
     * @param mapping     how container ids map (the agent runs as container root)
     * @param namespaces  what the command may use ({@link ChrootSupport} names): all of them, except with
     *                    chroot isolation in a container that forbids some
     */
    record Request(String op, String workDir, Map<String, String> tools, IdMapping mapping,
            List<String> lowers, String snapshotter,
            List<String> argv, List<String> env, String cwd, long uid, long gid, List<Long> groups,
            String hostname, String network, List<MountSpec> mounts, String hosts, String resolvConf,
            List<Blob> blobs, String target, List<String> namespaces) implements Serializable {
    }

    record Extracted(String digest, String diffId, String compression, long compressedSize, long uncompressedSize,
            long entries, List<String> warnings) implements Serializable {
    }

    /**
     * @param started  the command was started (setup succeeded); otherwise {@code error} says why
     * @param timings  milliseconds per phase (prepare, run, diff, ...)
     */
    record Response(boolean ok, String error, boolean started, int exitCode, List<String> nextLowers,
            List<String> warnings, Map<String, Long> timings, List<Extracted> extracted, boolean overlayWorks) implements Serializable {
    }
}
