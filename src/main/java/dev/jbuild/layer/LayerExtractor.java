package dev.jbuild.layer;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Applies an OCI layer blob (tar, tar+gzip or tar+zstd, recognised by magic bytes) onto a root directory,
 * confining every write to the root (see {@link LayerApplier} for the rules) and verifying the blob digest
 * and, optionally, the diff_id while streaming.
 *
 * <p>Digests can only be checked once the whole blob has been read, so a mismatch is reported after the
 * tree was modified: on any {@link LayerException} the caller must treat the root as garbage. Every error
 * names the layer (its expected digest) and what was wrong.
 */
public final class LayerExtractor {

    /**
     * Attributes for the directories a layer needs but does not contain: the parents of its entries that
     * are missing from the root. A layer unpacked on its own (an overlay lower) must give such a directory
     * the attributes it has in the layers below (a {@code COPY x /tmp/x} layer without a {@code tmp/}
     * entry must not turn {@code /tmp} into 0755 root:root), as containerd does with its parents option.
     */
    @FunctionalInterface
    public interface MissingDirectories {
        /** None: missing directories are 0755, owned by the extracting user, with the current mtime. */
        MissingDirectories DEFAULT = path -> Optional.empty();

        /** The attributes for {@code path} (cleaned, relative to the root), or empty for the default. */
        Optional<EntryAttributes> attributes(String path) throws IOException;
    }

    /**
     * @param expectedDigest sha256 digest of the blob ("sha256:…"), or null to skip the check
     * @param expectedDiffId sha256 of the uncompressed tar, or null to skip the check
     * @param applyOwnership apply uid/gid from the tar when running as root (ignored otherwise)
     * @param missingDirectories attributes for parent directories the layer lacks
     */
    public record Options(String expectedDigest, String expectedDiffId, boolean applyOwnership,
            MissingDirectories missingDirectories) {
        public Options {
            for (String d : new String[] {expectedDigest, expectedDiffId}) {
                if (d != null && !Sha256.isValid(d)) {
                    throw new IllegalArgumentException("unsupported or malformed digest: " + d);
                }
            }
            java.util.Objects.requireNonNull(missingDirectories, "missingDirectories");
        }

        public Options(String expectedDigest, String expectedDiffId, boolean applyOwnership) {
            this(expectedDigest, expectedDiffId, applyOwnership, MissingDirectories.DEFAULT);
        }

        public static Options defaults() {
            return new Options(null, null, true);
        }

        public Options withExpectedDigest(String digest) {
            return new Options(digest, expectedDiffId, applyOwnership, missingDirectories);
        }

        public Options withExpectedDiffId(String diffId) {
            return new Options(expectedDigest, diffId, applyOwnership, missingDirectories);
        }

        public Options withApplyOwnership(boolean apply) {
            return new Options(expectedDigest, expectedDiffId, apply, missingDirectories);
        }

        public Options withMissingDirectories(MissingDirectories missing) {
            return new Options(expectedDigest, expectedDiffId, applyOwnership, missing);
        }
    }

    private final boolean privileged;

    /** An extractor for this process; device nodes and ownership are attempted only when it runs as root. */
    public LayerExtractor() {
        this(SpecialFiles.runningAsRoot());
    }

    /** For tests: behave as root or not regardless of the real uid (operations may still fail as usual). */
    LayerExtractor(boolean privileged) {
        this.privileged = privileged;
    }

    /**
     * Reads {@code blob} to its end and applies it to {@code root} (an existing directory). {@code blob} is
     * not closed.
     */
    public ExtractResult extract(InputStream blob, Path root, Options options) throws IOException {
        String layer = options.expectedDigest() != null ? options.expectedDigest() : "(unverified blob)";
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(root)) {
            throw new LayerException("layer " + layer + ": target root " + root + " is not a directory");
        }
        Path realRoot = root.toRealPath();
        // The caller owns the blob stream: closing the decompressor (to free native memory) must not close it.
        CountingDigestInputStream raw = new CountingDigestInputStream(new FilterInputStream(blob) {
            @Override
            public void close() {
            }
        });
        BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
        Warnings warnings = new Warnings();
        Compression compression;
        long entries = 0;
        LayerApplier applier = new LayerApplier(realRoot, privileged, options.applyOwnership(),
                options.missingDirectories(), warnings);
        CountingDigestInputStream tar;
        try {
            compression = detect(buffered);
            InputStream decompressed;
            try {
                decompressed = decompress(compression, buffered);
            } catch (IOException e) { // e.g. a gzip header that is not one
                throw new LayerException("corrupt " + compression.name().toLowerCase() + " stream: " + e.getMessage(), e);
            }
            tar = new CountingDigestInputStream(new StreamErrors(decompressed, compression));
            try (tar) {
                TarReader reader = new TarReader(tar);
                for (TarHeader h = reader.next(); h != null; h = reader.next()) {
                    applier.apply(h, reader.content());
                    entries++;
                }
                if (!reader.endMarkerSeen()) {
                    warnings.add("tar stream", "ended without an end-of-archive marker");
                }
                tar.drain(); // padding after the end marker is part of the diff_id
                raw.drain(); // and anything after the compressed stream is part of the blob digest
            }
        } catch (LayerException | TooManyLinksException e) {
            throw new LayerException("layer " + layer + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new LayerException("layer " + layer + ": failed to apply: " + e, e);
        }
        String digest = raw.digest();
        String diffId = tar.digest();
        if (options.expectedDigest() != null && !options.expectedDigest().equals(digest)) {
            throw new LayerException("layer " + layer + ": digest mismatch: the blob (" + raw.count()
                    + " bytes) hashes to " + digest);
        }
        if (options.expectedDiffId() != null && !options.expectedDiffId().equals(diffId)) {
            throw new LayerException("layer " + layer + ": diff_id mismatch: expected " + options.expectedDiffId()
                    + ", the uncompressed tar hashes to " + diffId);
        }
        try {
            applier.finish();
        } catch (IOException e) {
            throw new LayerException("layer " + layer + ": failed to apply directory attributes: " + e, e);
        }
        return new ExtractResult(digest, diffId, compression, raw.count(), tar.count(), entries,
                warnings.toList());
    }

    static Compression detect(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h'
                || magic.length == 4 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z') {
            throw new LayerException("unsupported compression (bzip2/xz); OCI layers are tar, gzip or zstd");
        }
        return Compression.NONE;
    }

    static InputStream decompress(Compression compression, InputStream in) throws IOException {
        return switch (compression) {
            case GZIP -> new GZIPInputStream(in, 64 * 1024);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            case NONE -> in;
        };
    }

    /** Turns decompressor failures (EOF, bad data) into a LayerException that says which codec failed. */
    static final class StreamErrors extends FilterInputStream {
        private final Compression compression;

        StreamErrors(InputStream in, Compression compression) {
            super(in);
            this.compression = compression;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (LayerException e) {
                throw e;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (LayerException e) {
                throw e;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        private LayerException failure(IOException e) {
            String codec = compression == Compression.NONE ? "tar" : compression.name().toLowerCase();
            return new LayerException("corrupt or truncated " + codec + " stream: " + e.getMessage(), e);
        }
    }
}
