package dev.jbuild.layer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param fileCapabilities with {@code Options#withCapabilitiesReturned}: each regular file's
 *                         {@code security.capability} value (the JDK cannot set it), for the caller to set
 */
public record ExtractResult(String digest, String diffId, Compression compression, long compressedSize,
        long uncompressedSize, long entries, List<String> warnings, Map<Path, byte[]> fileCapabilities) {

    public ExtractResult {
        warnings = List.copyOf(warnings);
        fileCapabilities = Collections.unmodifiableMap(new LinkedHashMap<>(fileCapabilities));
    }

    public ExtractResult(String digest, String diffId, Compression compression, long compressedSize, long uncompressedSize,
            long entries, List<String> warnings) {
        this(digest, diffId, compression, compressedSize, uncompressedSize, entries, warnings, Map.of());
    }
}
