package dev.jbuild.layer;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a tar stream means to the one reader and the one extractor, for each kind of tar jbuild unpacks:
 * the caller's rules as data, so that layers, context tars and {@code ADD} archives share every line
 * that reads, confines and writes a member. The presets are the only instances jbuild uses.
 *
 * @param subject       what the stream is, for messages ("layer", "context tar")
 * @param rootName      what the extraction root is, for messages ("root", "context")
 * @param formats       the compressions accepted ({@link ArchiveFormat}); others fail with a message
 * @param whiteouts     {@code .wh.NAME} deletes NAME and {@code .wh..wh..opq} empties its directory (OCI
 *                      layers); otherwise such names are ordinary files
 * @param resolveInRoot names are resolved inside the root as containerd does for layers: {@code ..} stops
 *                      at the root and symbolic links on the way are followed inside it. Otherwise a name
 *                      or hard link target that climbs out with {@code ..} or passes through a symbolic
 *                      link fails the extraction
 * @param specialFiles  device nodes and fifos are created (when the process may); otherwise skipped
 * @param rootEntry     an entry for the root itself ({@code ./}) sets the root's attributes; otherwise the
 *                      root keeps its own
 */
public record TarRules(String subject, String rootName, Set<ArchiveFormat> formats, boolean whiteouts,
        boolean resolveInRoot, boolean specialFiles, boolean rootEntry) {

    /** OCI layers: tar, gzip or zstd; whiteouts; names resolved inside the root; devices; the root entry. */
    public static final TarRules LAYER = new TarRules("layer", "root",
            EnumSet.of(ArchiveFormat.TAR, ArchiveFormat.GZIP, ArchiveFormat.ZSTD), true, true, true, true);

    /**
     * A build context sent as a tar ({@code jbuild build -}): every compression; no whiteouts; names and
     * hard links must stay inside without help (a context is files to copy, not a root filesystem);
     * devices and fifos skipped; the directory keeps its own mode.
     */
    public static final TarRules CONTEXT = new TarRules("context tar", "context",
            EnumSet.allOf(ArchiveFormat.class), false, false, false, false);

    /**
     * An archive {@code ADD} unpacks: every compression, as BuildKit's {@code ADD} (moby's
     * {@code DecompressStream}: gzip, bzip2, xz, zstd); no whiteouts; names stop at the destination as in
     * a layer. {@code ADD} reads the entries ({@link LayerReader#read(java.io.InputStream, TarRules,
     * LayerReader.Visitor)}) and places them through the stage's file tree, never on disk.
     */
    public static final TarRules ARCHIVE = new TarRules("archive", "destination",
            EnumSet.allOf(ArchiveFormat.class), false, true, false, false);

    public TarRules {
        formats = Set.copyOf(formats);
    }

    /** The format of a stream, refused with a message when these rules do not take it. */
    ArchiveFormat accept(ArchiveFormat format) throws LayerException {
        if (!formats.contains(format)) {
            throw new LayerException("unsupported compression (" + format.displayName() + "); a " + subject
                    + " is " + String.join(", ", formats.stream().sorted().map(ArchiveFormat::displayName).toList()));
        }
        return format;
    }
}
