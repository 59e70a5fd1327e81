package dev.jbuild.sandbox;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * The files the caller's JVM and the agent inside the namespaces exchange: serialized records (both sides
 * are the same jbuild build; Java serialization starts far faster than a JSON mapper in the agent JVM).
 *
 * <p>Each file is framed (magic, length, payload) so that a reader tells a missing, cut-short or corrupt
 * answer from a real one and says which. The answer's room is reserved ({@link #reserve}) before the command
 * runs and overwritten in place, so a command that fills the disk cannot leave the agent unable to answer.
 */
final class AgentProtocol {
    private static final int MAGIC = 0x6a626131; // "jba1"
    /** Room reserved for an answer: far more than one needs (warnings, timings, extracted layers). */
    static final int ANSWER_ROOM = 64 * 1024;

    private AgentProtocol() {
    }

    /** Writes {@code value} into {@code file}, over what is there (a reservation) and cut to its length. */
    static void write(Path file, Serializable value) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(8 + bytes.size());
        frame.putInt(MAGIC).putInt(bytes.size()).put(bytes.toByteArray()).flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (frame.hasRemaining()) {
                ch.write(frame);
            }
            ch.truncate(ch.position());
        } catch (IOException e) {
            throw NoSpaceLeftException.of(e, file).<IOException>map(n -> n).orElse(e);
        }
    }

    /** Fills {@code file} with zeros: blocks the answer can later be written into without allocating. */
    static void reserve(Path file, int bytes) throws IOException {
        try {
            Files.write(file, new byte[bytes]);
        } catch (IOException e) {
            throw NoSpaceLeftException.of(e, file).<IOException>map(n -> n).orElse(e);
        }
    }

    /** Reads a framed record; the exception's message says what is wrong with the file (never null). */
    static <T> T read(Path file, Class<T> type) throws IOException {
        byte[] all = Files.readAllBytes(file);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(all);
        if (all.length < 8 || in.getInt() != MAGIC) {
            throw new IOException(all.length == 0 || all[0] == 0 ? "no answer was written to " + file
                    : file + " is not an answer of this jbuild (" + all.length + " bytes)");
        }
        int length = in.getInt();
        if (length < 0 || length != in.remaining()) {
            throw new IOException("the answer in " + file + " is cut short: " + in.remaining() + " of " + length
                    + " bytes");
        }
        try (ObjectInputStream objects = new ObjectInputStream(new java.io.ByteArrayInputStream(all, 8, length))) {
            objects.setObjectInputFilter(info -> info.serialClass() == null
                    || info.serialClass().getName().startsWith("dev.jbuild.sandbox.")
                    || info.serialClass().getName().startsWith("java.") || info.serialClass().isArray()
                    ? java.io.ObjectInputFilter.Status.ALLOWED : java.io.ObjectInputFilter.Status.REJECTED);
            return type.cast(objects.readObject());
        } catch (ClassNotFoundException | IOException | ClassCastException e) {
            throw new IOException("the answer in " + file + " is corrupt: " + e, e);
        }
    }

    /** One extra mount, flattened. */
    record MountSpec(String type, String source, String sourcePath, String target, boolean readWrite, long size,
            long uid, long gid, int mode) implements Serializable {
    }

    /**
     * A layer to extract; into {@code target} when set, else into the request's target. {@code parents}
     * (top first) are the directories the target will be stacked on: directories the layer needs but lacks
     * take their attributes from there.
     */
    record Blob(String path, String digest, String diffId, String target, List<String> parents)
            implements Serializable {
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
     * @param noSpaceLeft the path being written when the file system was full (the command's directory when it
     *                 failed on a full disk), else null
     */
    record Response(boolean ok, String error, boolean started, int exitCode, List<String> nextLowers,
            List<String> warnings, Map<String, Long> timings, List<Extracted> extracted, boolean overlayWorks,
            String noSpaceLeft) implements Serializable {
    }
}
