package dev.jbuild.layer;

import java.util.List;

/**
 * What applying a layer did.
 *
 * @param digest           sha256 of the blob as read ("sha256:…"), verified when an expected one was given
 * @param diffId           sha256 of the uncompressed tar, verified when an expected one was given
 * @param compression      codec detected from the blob's magic bytes; null for a context tar in bzip2 or xz,
 *                         which no layer media type names
 * @param compressedSize   bytes read from the blob
 * @param uncompressedSize bytes of tar
 * @param entries          tar members applied (including whiteouts)
 * @param warnings         non-fatal problems (device nodes or xattrs that could not be created, ownership not
 *                         applied, …), grouped by kind
 */
public record ExtractResult(String digest, String diffId, Compression compression, long compressedSize,
        long uncompressedSize, long entries, List<String> warnings) {

    public ExtractResult {
        warnings = List.copyOf(warnings);
    }
}
