package dev.jbuild.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code builds.jsonl}: the record of every build on this store, one {@link BuildRecord} per line
 * ({@link BuildRecordJson}), oldest first. The audit trail a daemon cannot give: each line says who
 * built what from what.
 *
 * <p><b>Appends</b> are serialised by {@link IndexLock} on {@code builds.jsonl.lock} (threads and
 * processes) and write the whole line at the end in one call, then fsync. A line torn by a killed
 * process (or a full disk) has no newline: the next append starts on a new line, so it cannot glue
 * itself to the torn one, and the torn line is skipped when reading. A failed write is cut off
 * again where it began. Earlier lines are never rewritten in place.
 *
 * <p><b>Bounded</b> at {@link #MAX_BYTES}: an append that takes the file past it replaces the file
 * (atomically, under the lock) with its newest lines, about half of it, so a trim happens once in
 * thousands of builds. Readers take no lock: they see the old file or the new one, whole.
 *
 * <p>{@code jbuild prune} leaves it alone (it is no cache); {@code jbuild system reset} removes it
 * with the rest of the store.
 */
public final class BuildRecords {

    static final String FILE = "builds.jsonl";
    static final String LOCK_FILE = "builds.jsonl.lock";
    /** The size past which the oldest lines go: at ~1 KiB a line, the last few thousand builds. */
    public static final long MAX_BYTES = 4L << 20;

    /**
     * The records that could be read, oldest first, each with its line as stored, and how many
     * lines could not be (torn, damaged or of another version).
     */
    public record Reading(List<Entry> entries, int unreadable) {
        public Reading {
            entries = List.copyOf(entries);
        }
    }

    /** One record and its line's exact text. */
    public record Entry(BuildRecord record, String line) {}

    private final Path root;
    private final Path file;
    private final IndexLock lock;
    private final long maxBytes;

    BuildRecords(Path root, IndexLock lock, long maxBytes) {
        this.root = root;
        this.file = root.resolve(FILE);
        this.lock = lock;
        this.maxBytes = maxBytes;
    }

    /** The file, for messages. */
    public Path file() {
        return file;
    }

    /**
     * Appends {@code record} durably. A full disk is a {@link NoSpaceLeftException} naming the file
     * and the store; nothing of a failed append stays.
     */
    public void append(BuildRecord record) throws IOException {
        byte[] json = BuildRecordJson.write(record);
        lock.locked(() -> {
            boolean created = !Files.exists(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long size = channel.size();
                // After a torn line: begin a new one, so this record is whole and readable.
                boolean afterTornLine = size > 0 && lastByte(channel, size) != '\n';
                ByteBuffer line = ByteBuffer.allocate(json.length + 2);
                if (afterTornLine) {
                    line.put((byte) '\n');
                }
                line.put(json).put((byte) '\n').flip();
                try {
                    // Positional writes at the end: every writer holds the lock, so the end is ours.
                    long position = size;
                    while (line.hasRemaining()) {
                        position += channel.write(line, position);
                    }
                    channel.force(false);
                } catch (IOException e) {
                    cutBack(channel, size);
                    throw e;
                }
                if (size + line.limit() > maxBytes) {
                    try {
                        trim(channel);
                    } catch (IOException e) {
                        // The record is written; the next append tries the trim again.
                    }
                }
            } catch (IOException e) {
                throw NoSpaceLeftException.forStore(e, file, root);
            }
            if (created) {
                DurableFiles.fsyncDirectory(root);
            }
            return null;
        });
    }

    /** Every readable record, oldest first; an empty reading when no build was recorded yet. */
    public Reading read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Reading(List.of(), 0);
        }
        List<Entry> entries = new ArrayList<>();
        int unreadable = 0;
        int start = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            int stop = end < 0 ? bytes.length : end;
            if (stop > start) {
                byte[] line = Arrays.copyOfRange(bytes, start, stop);
                try {
                    entries.add(new Entry(BuildRecordJson.read(line), new String(line, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    unreadable++;
                }
            }
            start = stop + 1;
        }
        return new Reading(entries, unreadable);
    }

    private static byte lastByte(FileChannel channel, long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        return last.get(0);
    }

    /** Undoes a partial append (best effort: a torn line would be skipped anyway). */
    private static void cutBack(FileChannel channel, long size) {
        try {
            channel.truncate(size);
        } catch (IOException e) {
            // The next append starts a new line after whatever stayed.
        }
    }

    /**
     * Keeps the newest whole lines that fit in half of the limit, replacing the file atomically: a
     * process killed meanwhile leaves the file as it was.
     */
    private void trim(FileChannel channel) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(channel.size()));
        while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
            // read on until full
        }
        byte[] bytes = all.array();
        int keepFrom = bytes.length - (int) Math.min(bytes.length, maxBytes / 2);
        // The first line kept begins after a newline.
        while (keepFrom > 0 && keepFrom < bytes.length && bytes[keepFrom - 1] != '\n') {
            keepFrom++;
        }
        DurableFiles.writeAtomically(file, Arrays.copyOfRange(bytes, keepFrom, bytes.length), root);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
