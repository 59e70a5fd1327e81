package dev.jbuild.layer;

import dev.jbuild.image.Digest;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Applies an OCI layer blob (tar, tar+gzip or tar+zstd, recognised by magic bytes) onto a root directory,
 * confining every write to the root (see {@link LayerApplier} for the rules) and verifying the blob digest
 * and, optionally, the diff_id while streaming. The one safe extractor: a build context sent as a tar is
 * unpacked here too, with {@link TarRules#CONTEXT} instead of {@link TarRules#LAYER}.
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
     * @param rules what the stream is: {@link TarRules#LAYER} or {@link TarRules#CONTEXT}
     * @param returnCapabilities hand regular files' {@code security.capability} to the caller
     *                           ({@link ExtractResult#fileCapabilities}) rather than warn that the JDK cannot set it
     */
    public record Options(String expectedDigest, String expectedDiffId, boolean applyOwnership,
            MissingDirectories missingDirectories, TarRules rules, boolean returnCapabilities) {
        public Options {
            for (String d : new String[] {expectedDigest, expectedDiffId}) {
                if (d != null && !Digest.isSha256(d)) {
                    throw new IllegalArgumentException("unsupported or malformed digest: " + d);
                }
            }
            Objects.requireNonNull(missingDirectories, "missingDirectories");
            Objects.requireNonNull(rules, "rules");
        }

        public Options(String expectedDigest, String expectedDiffId, boolean applyOwnership,
                MissingDirectories missingDirectories, TarRules rules) {
            this(expectedDigest, expectedDiffId, applyOwnership, missingDirectories, rules, false);
        }

        public Options(String expectedDigest, String expectedDiffId, boolean applyOwnership,
                MissingDirectories missingDirectories) {
            this(expectedDigest, expectedDiffId, applyOwnership, missingDirectories, TarRules.LAYER);
        }

        public Options(String expectedDigest, String expectedDiffId, boolean applyOwnership) {
            this(expectedDigest, expectedDiffId, applyOwnership, MissingDirectories.DEFAULT);
        }

        static Options defaults() {
            return new Options(null, null, true);
        }

        /** A build context tar: no digests to check, no ownership, {@link TarRules#CONTEXT}. */
        public static Options contextTar() {
            return new Options(null, null, false, MissingDirectories.DEFAULT, TarRules.CONTEXT);
        }

        Options withExpectedDigest(String digest) {
            return new Options(digest, expectedDiffId, applyOwnership, missingDirectories, rules, returnCapabilities);
        }

        Options withExpectedDiffId(String diffId) {
            return new Options(expectedDigest, diffId, applyOwnership, missingDirectories, rules, returnCapabilities);
        }

        public Options withMissingDirectories(MissingDirectories missing) {
            return new Options(expectedDigest, expectedDiffId, applyOwnership, missing, rules, returnCapabilities);
        }

        /** For a caller that sets file capabilities itself (the sandbox agent, with setfattr). */
        public Options withCapabilitiesReturned() {
            return new Options(expectedDigest, expectedDiffId, applyOwnership, missingDirectories, rules, true);
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
        TarRules rules = options.rules();
        String layer = rules.subject() + (options.expectedDigest() != null ? " " + options.expectedDigest()
                : rules == TarRules.LAYER ? " (unverified blob)" : "");
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(root)) {
            throw new LayerException(layer + ": target root " + root + " is not a directory");
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
        ArchiveFormat format;
        long entries = 0;
        LayerApplier applier = new LayerApplier(realRoot, privileged, options.applyOwnership(),
                options.missingDirectories(), rules, warnings, options.returnCapabilities());
        CountingDigestInputStream tar;
        try {
            format = rules.accept(ArchiveFormat.peek(buffered));
            tar = new CountingDigestInputStream(decompressed(format, buffered));
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
            throw new LayerException(layer + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new LayerException(layer + ": failed to apply: " + e, e);
        }
        String digest = raw.digest();
        String diffId = tar.digest();
        if (options.expectedDigest() != null && !options.expectedDigest().equals(digest)) {
            throw new LayerException(layer + ": digest mismatch: the blob (" + raw.count()
                    + " bytes) hashes to " + digest);
        }
        if (options.expectedDiffId() != null && !options.expectedDiffId().equals(diffId)) {
            throw new LayerException(layer + ": diff_id mismatch: expected " + options.expectedDiffId()
                    + ", the uncompressed tar hashes to " + diffId);
        }
        try {
            applier.finish();
        } catch (IOException e) {
            throw new LayerException(layer + ": failed to apply directory attributes: " + e, e);
        }
        return new ExtractResult(digest, diffId, format.layerCompression().orElse(null), raw.count(), tar.count(), entries,
                warnings.toList(), applier.capabilities());
    }

    /**
     * The tar stream inside {@code in} (of {@code format}), its failures named by codec: the decompression
     * every reader of tar streams goes through.
     */
    static InputStream decompressed(ArchiveFormat format, InputStream in) throws LayerException {
        try {
            return new StreamErrors(format.decompress(in), format);
        } catch (IOException e) { // e.g. a gzip header that is not one
            throw new LayerException("corrupt " + format.displayName() + " stream: " + e.getMessage(), e);
        }
    }

    /** Turns decompressor failures (EOF, bad data) into a LayerException that says which codec failed. */
    static final class StreamErrors extends FilterInputStream {
        private final ArchiveFormat format;

        StreamErrors(InputStream in, ArchiveFormat format) {
            super(in);
            this.format = format;
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
            return new LayerException("corrupt or truncated " + format.displayName() + " stream: " + e.getMessage(), e);
        }
    }
}
