package dev.jbuild.layer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes layer entries as one deterministic tar, compressed in the same pass: tar → sha256 (diff_id) →
 * compressor → sha256 + size (digest) → the caller's stream. The same entries give the same bytes on every
 * run and machine (for gzip: given the same zlib build; see {@link ParallelGzipOutputStream}).
 *
 * <p>What "deterministic" fixes, in BuildKit/Docker's spelling where they have one:
 * <ul>
 *   <li>order: by path, component by component in unsigned UTF-8 byte order (see {@link LayerPaths#ORDER});
 *       parents before children; the order entries were given in does not matter;</li>
 *   <li>names: relative, no leading '/' or "./", directories with a trailing '/', whiteouts as
 *       {@code dir/.wh.name}, opaque directories as {@code dir/.wh..wh..opq};</li>
 *   <li>ustar headers with numeric uid/gid and empty uname/gname; only the permission bits (07777) in the
 *       mode field; the prefix field is never used;</li>
 *   <li>PAX records (sorted by key) only for long or non-ASCII names, big ids/sizes/times and xattrs
 *       ({@code SCHILY.xattr.*}, values written as raw bytes);</li>
 *   <li>mtime truncated to whole seconds and clamped to {@code sourceDateEpoch} when given; no atime or
 *       ctime;</li>
 *   <li>the archive ends with two zero blocks, no record padding.</li>
 * </ul>
 * The writer is stateless apart from its options and may be shared between threads.
 */
public final class LayerWriter {

    /**
     * @param compression     codec of the blob (gzip by default)
     * @param level           codec level, or -1 for its default (gzip 6, zstd 3)
     * @param threads         compression threads; changes speed only, never the bytes
     * @param sourceDateEpoch clamp for mtimes (the {@code SOURCE_DATE_EPOCH} value, passed in by the
     *                        caller), or null for none
     */
    public record Options(Compression compression, int level, int threads, Instant sourceDateEpoch) {
        public Options {
            Objects.requireNonNull(compression, "compression");
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1");
            }
        }

        public static Options defaults() {
            return new Options(Compression.GZIP, -1, Math.max(1, Runtime.getRuntime().availableProcessors()),
                    null);
        }

        public Options withCompression(Compression c) {
            return new Options(c, -1, threads, sourceDateEpoch);
        }

        public Options withThreads(int t) {
            return new Options(compression, level, t, sourceDateEpoch);
        }

        public Options withSourceDateEpoch(Instant epoch) {
            return new Options(compression, level, threads, epoch);
        }
    }

    private final Options options;

    public LayerWriter(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Writes {@code entries} to {@code sink}, which is left open (and flushed). Entries are sorted here;
     * two entries with the same path are an error.
     *
     * @throws IllegalArgumentException for duplicate paths or a hard link to a later entry
     * @throws IOException              when content cannot be read, a file changed size while it was being
     *                                  read, or the sink fails
     */
    public LayerResult write(Collection<? extends LayerEntry> entries, OutputStream sink) throws IOException {
        return write(entries, sink, ByteProgress.NONE);
    }

    /**
     * Like {@link #write(Collection, OutputStream)}, telling {@code progress} how many bytes of file
     * content of the total have gone into the tar (and so through the compressor), at most every 100 ms.
     */
    public LayerResult write(Collection<? extends LayerEntry> entries, OutputStream sink, ByteProgress progress)
            throws IOException {
        List<LayerEntry> sorted = sortAndCheck(entries);
        long contentBytes = 0;
        for (LayerEntry entry : sorted) {
            if (entry instanceof LayerEntry.RegularFile file) {
                contentBytes += file.size();
            }
        }
        ByteProgress.Counter counter = ByteProgress.throttled(progress, contentBytes, 100_000_000L);
        CountingDigestOutputStream compressed = new CountingDigestOutputStream(sink);
        OutputStream compressor = Compressors.open(options.compression(), compressed, options.level(),
                options.threads());
        CountingDigestOutputStream tar = new CountingDigestOutputStream(compressor);
        boolean done = false;
        try {
            // Buffer small header writes above the digest; its flush() stops at the compressor's shield.
            OutputStream out = new BufferedOutputStream(tar, 64 * 1024);
            byte[] copyBuffer = new byte[64 * 1024];
            for (LayerEntry entry : sorted) {
                writeEntry(out, clamp(entry), copyBuffer, counter);
            }
            TarFormat.writeEnd(out);
            out.flush();
            compressor.close();
            done = true;
        } finally {
            if (!done) {
                abandon(compressor);
            }
        }
        sink.flush();
        return new LayerResult(tar.digest(), compressed.digest(), compressed.count(), tar.count(),
                options.compression());
    }

    /** After a failure: stop gzip workers, free zstd's native context. The sink's content is garbage anyway. */
    private static void abandon(OutputStream compressor) {
        if (compressor instanceof ParallelGzipOutputStream gzip) {
            gzip.abort();
            return;
        }
        try {
            compressor.close();
        } catch (IOException | RuntimeException e) {
            // already failing; the first error is the one that matters
        }
    }

    private static List<LayerEntry> sortAndCheck(Collection<? extends LayerEntry> entries) {
        List<LayerEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> LayerPaths.ORDER.compare(tarPath(a), tarPath(b)));
        Set<String> seen = new HashSet<>();
        for (LayerEntry e : sorted) {
            if (!seen.add(tarPath(e))) {
                throw new IllegalArgumentException("duplicate layer entry: " + tarPath(e));
            }
        }
        for (LayerEntry e : sorted) {
            String p = tarPath(e);
            // A link may name a lower layer's file, but if its target is in this layer it must come first.
            if (e instanceof LayerEntry.Hardlink link && LayerPaths.ORDER.compare(link.target(), p) > 0
                    && seen.contains(link.target())) {
                throw new IllegalArgumentException("hard link " + p + " points to " + link.target()
                        + ", which is written after it");
            }
        }
        return sorted;
    }

    /** The path the entry has in the tar, without a directory's trailing slash; the sort key. */
    static String tarPath(LayerEntry e) {
        if (e instanceof LayerEntry.Whiteout w) {
            return LayerPaths.join(LayerPaths.parent(w.path()), EntryPaths.WHITEOUT_PREFIX
                    + LayerPaths.baseName(w.path()));
        }
        if (e instanceof LayerEntry.OpaqueWhiteout o) {
            return LayerPaths.join(o.path(), EntryPaths.OPAQUE_MARKER);
        }
        return e.path();
    }

    private LayerEntry clamp(LayerEntry e) {
        Instant mtime = e.attributes().mtime();
        Instant truncated = Instant.ofEpochSecond(mtime.getEpochSecond());
        Instant epoch = options.sourceDateEpoch();
        if (epoch != null && truncated.isAfter(epoch)) {
            truncated = Instant.ofEpochSecond(epoch.getEpochSecond());
        }
        return truncated.equals(mtime) ? e : e.withAttributes(e.attributes().withMtime(truncated));
    }

    private static void writeEntry(OutputStream out, LayerEntry entry, byte[] buffer, ByteProgress.Counter counter)
            throws IOException {
        EntryAttributes a = entry.attributes();
        Map<String, byte[]> xattrs = a.xattrsView();
        String name = tarPath(entry);
        TarHeader header;
        if (entry instanceof LayerEntry.RegularFile f) {
            header = header(name, TarHeader.REGULAR, a, f.size(), "", 0, 0, xattrs);
        } else if (entry instanceof LayerEntry.Directory) {
            header = header(name + "/", TarHeader.DIRECTORY, a, 0, "", 0, 0, xattrs);
        } else if (entry instanceof LayerEntry.Symlink s) {
            header = header(name, TarHeader.SYMLINK, a, 0, s.target(), 0, 0, xattrs);
        } else if (entry instanceof LayerEntry.Hardlink h) {
            header = header(name, TarHeader.HARDLINK, a, 0, h.target(), 0, 0, xattrs);
        } else if (entry instanceof LayerEntry.Device d) {
            byte type = d.kind() == DeviceKind.CHARACTER ? TarHeader.CHAR_DEVICE : TarHeader.BLOCK_DEVICE;
            header = header(name, type, a, 0, "", d.major(), d.minor(), xattrs);
        } else if (entry instanceof LayerEntry.Fifo) {
            header = header(name, TarHeader.FIFO, a, 0, "", 0, 0, xattrs);
        } else {
            // Whiteout markers are empty regular files; xattrs on them would mean nothing.
            header = header(name, TarHeader.REGULAR, a, 0, "", 0, 0, Map.of());
        }
        TarFormat.writeHeader(out, header);
        if (entry instanceof LayerEntry.RegularFile file) {
            copyExactly(file, out, buffer, counter);
            TarFormat.pad(out, file.size());
        }
    }

    private static TarHeader header(String name, byte type, EntryAttributes a, long size, String link, int major,
            int minor, Map<String, byte[]> xattrs) {
        return new TarHeader(name, type, a.mode(), a.uid(), a.gid(), size, a.mtime(), link, major, minor, xattrs);
    }

    /** Exactly {@code size} bytes, or an error: a file that grows or shrinks mid-build must not slip through. */
    private static void copyExactly(LayerEntry.RegularFile file, OutputStream out, byte[] buffer,
            ByteProgress.Counter counter) throws IOException {
        long left = file.size();
        try (InputStream in = file.content().open()) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file.path() + ": content ended " + left + " bytes before its declared size "
                            + file.size() + " (file changed while the layer was written?)");
                }
                out.write(buffer, 0, n);
                left -= n;
                counter.add(n);
            }
            if (in.read() >= 0) {
                throw new IOException(file.path() + ": content is longer than its declared size " + file.size()
                        + " (file changed while the layer was written?)");
            }
        }
    }
}
