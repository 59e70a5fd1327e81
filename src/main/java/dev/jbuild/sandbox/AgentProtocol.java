package dev.jbuild.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What the caller's JVM and the sandbox agent inside the namespaces say to each other, over the agent's
 * standard input (requests, kills) and standard output (command output, answers). Requests and answers are
 * records in {@link RecordCodec}'s encoding (both sides are the same jbuild build; it starts far faster in
 * the agent JVM than a JSON mapper or Java serialization).
 *
 * <p>The agent's output starts with {@link #MAGIC}; then, both ways, frames: payload length (int), kind
 * (byte), call id (int), payload. A call id names one request from its {@link #REQUEST} to its
 * {@link #ANSWER}; {@link #OUTPUT} frames in between carry its command's output (first payload byte: 1 stdout,
 * 2 stderr), {@link #PROGRESS} frames its bytes done and total (two longs,
 * an unpack's), {@link #KILL} asks the agent to end it. A reader tells the end of the stream, a frame cut short
 * and bytes that are no frame apart, and says which.
 */
final class AgentProtocol {
    /** The agent's first four bytes: "jba2" (the file-based protocol before it was "jba1"). */
    static final int MAGIC = 0x6a626132;
    static final byte REQUEST = 1;
    static final byte KILL = 2;
    static final byte OUTPUT = 3;
    static final byte ANSWER = 4;
    static final byte PROGRESS = 5;
    static final byte STDOUT = 1;
    static final byte STDERR = 2;
    /** Far more than any frame needs (an answer lists warnings and extracted layers, output comes in chunks). */
    static final int MAX_PAYLOAD = 16 << 20;

    private AgentProtocol() {
    }

    /** One message. */
    record Frame(byte kind, int id, byte[] payload) {
    }

    /** Writes one frame and flushes it; callers serialize writers on {@code out}. */
    static void write(DataOutputStream out, byte kind, int id, byte[] payload, int length) throws IOException {
        out.writeInt(length);
        out.writeByte(kind);
        out.writeInt(id);
        out.write(payload, 0, length);
        out.flush();
    }

    static void write(DataOutputStream out, byte kind, int id, byte[] payload) throws IOException {
        write(out, kind, id, payload, payload.length);
    }

    /** Checks the agent's greeting; the exception's message says what came instead. */
    static void readMagic(DataInputStream in) throws IOException {
        byte[] first = new byte[4];
        int n = in.readNBytes(first, 0, 4);
        if (n == 0) {
            throw new EOFException("it ended before answering");
        }
        if (n < 4 || ByteBuffer.wrap(first).getInt() != MAGIC) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            text.write(first, 0, n);
            text.write(in.readNBytes(2048));
            throw new IOException("it wrote what is not an answer of this jbuild: " + printable(text.toByteArray()));
        }
    }

    /**
     * The next frame, or null at the end of the stream between frames; the exception's message says what is
     * wrong otherwise (never null).
     */
    static Frame read(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null; // a partial length is as good as none: the writer died between frames or in one
        }
        byte kind;
        int id;
        try {
            kind = in.readByte();
            id = in.readInt();
        } catch (EOFException e) {
            throw new EOFException("an answer is cut short (its header)");
        }
        if (length < 0 || length > MAX_PAYLOAD || kind < REQUEST || kind > PROGRESS) {
            throw new IOException("a frame is corrupt (kind " + kind + ", " + length + " bytes)");
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length != length) {
            throw new EOFException("an answer is cut short: " + payload.length + " of " + length + " bytes");
        }
        return new Frame(kind, id, payload);
    }

    static byte[] serialize(Record value) throws IOException {
        return RecordCodec.encode(value);
    }

    /** Reads a request or answer; the exception's message says what is wrong (never null). */
    static <T extends Record> T deserialize(byte[] payload, Class<T> type) throws IOException {
        try {
            return RecordCodec.decode(payload, type);
        } catch (IOException | RuntimeException e) {
            throw new IOException("an answer is corrupt: " + e.getMessage(), e);
        }
    }

    private static String printable(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}&&[^\n]]", "?").strip();
    }

    /**
     * A layer to extract; into {@code target} when set, else into the request's target. {@code parents}
     * (top first) are the directories the target will be stacked on: directories the layer needs but lacks
     * take their attributes from there.
     */
    record Blob(String path, String digest, String diffId, String target, List<String> parents) {
    }

    /**
     * @param op          "run", "extract", "probe" or "delete" (of {@code target})
     * @param tools       absolute host paths of the programs the agent and its script use
     * @param mapping     how container ids map (the agent runs as container root)
     * @param namespaces  what the command may use ({@link ChrootSupport} names): all of them, except with
     *                    chroot isolation in a container that forbids some
     * @param ulimits     a run's resource limits ({@link ProcessSpec#ulimits})
     * @param shmSize     a run's {@code /dev/shm} size in bytes, 0 for tmpfs's default
     */
    record Request(String op, String workDir, Map<String, String> tools, IdMapping mapping,
            List<String> lowers, String snapshotter,
            List<String> argv, List<String> env, String cwd, long uid, long gid, List<Long> groups,
            String hostname, String network, List<SandboxMount> mounts, String hosts, String resolvConf,
            List<Blob> blobs, String target, List<String> namespaces, List<ResourceLimit> ulimits, long shmSize) {
    }

    record Extracted(String digest, String diffId, String compression, long compressedSize, long uncompressedSize,
            long entries, List<String> warnings) {
    }

    /**
     * @param started  the command was started (setup succeeded); otherwise {@code error} says why
     * @param timings  milliseconds per phase (prepare, run, diff, ...)
     * @param noSpaceLeft the path being written when the file system was full (the command's directory when it
     *                 failed on a full disk), else null
     */
    record Response(boolean ok, String error, boolean started, int exitCode, List<String> nextLowers,
            List<String> warnings, Map<String, Long> timings, List<Extracted> extracted, boolean overlayWorks,
            String noSpaceLeft) {
    }
}
