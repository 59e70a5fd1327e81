package dev.jbuild.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.attestation.AttestationReader;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.Index;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.sbom.SbomFormat;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The attestations of a {@code -o type=local} export, as BuildKit's local exporter writes them: each of the
 * platform image's in-toto statements, its subject replaced by the exported files (each regular file's
 * path relative to the directory and its sha256), as an indented JSON file beside them, mode 0600:
 * {@code provenance.json}, {@code sbom.spdx.json} (the image's SBOM; {@code sbom-<stage>.spdx.json} for a
 * stage's, {@code .cdx.json} for CycloneDX).
 */
final class LocalAttestationFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private LocalAttestationFiles() {}

    /**
     * Writes the statements about {@code image} that {@code root} (the build's index in the store) holds into
     * {@code dir}, where the image was just exported. Nothing when {@code root} is a single manifest.
     */
    static void write(Store store, Descriptor root, Digest image, Path dir, Instant mtime) throws IOException {
        ManifestOrIndex document = ImageDocuments.parseManifestOrIndex(store.readBytes(root.digest())).value();
        if (!(document instanceof Index index)) {
            return;
        }
        List<AttestationReader.StoredStatement> statements = new ArrayList<>();
        for (AttestationReader.StoredStatement statement : AttestationReader.all(AttestationReader.Source.byDigest(store::readBytes), index)) {
            if (statement.image().equals(image)) {
                statements.add(statement);
            }
        }
        if (statements.isEmpty()) {
            return;
        }
        ArrayNode subjects = subjects(dir);
        Set<String> written = new HashSet<>();
        for (AttestationReader.StoredStatement statement : statements) {
            ObjectNode json = (ObjectNode) JSON.readTree(statement.bytes());
            json.set("subject", subjects);
            String name = fileName(statement.predicateType(), json.path("predicate"));
            if (!written.add(name)) {
                throw new IOException("two attestations would both be written as " + name);
            }
            Path file = dir.resolve(name);
            Files.deleteIfExists(file);
            Files.write(file, JSON.writeValueAsBytes(json));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.setLastModifiedTime(file, FileTime.from(mtime));
        }
    }

    private static String fileName(String predicateType, JsonNode predicate) {
        if (predicateType.startsWith("https://slsa.dev/provenance/")) {
            return "provenance.json";
        }
        boolean spdx = predicateType.equals(SbomFormat.SPDX_JSON.predicateType());
        String documentName = spdx ? predicate.path("name").asText() : predicate.path("metadata").path("component").path("name").asText();
        String base = documentName.startsWith("sbom-") && documentName.matches("sbom-[A-Za-z0-9._-]+") ? documentName : "sbom";
        return base + (spdx ? ".spdx.json" : ".cdx.json");
    }

    /** A file this class writes (from an earlier export into the same directory): not part of the image. */
    private static boolean isAttestationFile(String name) {
        return name.equals("provenance.json")
                || name.startsWith("sbom") && (name.endsWith(".spdx.json") || name.endsWith(".cdx.json"));
    }

    /** Every regular file below {@code dir} (links not followed), sorted by path, with its sha256; earlier attestation files left out. */
    private static ArrayNode subjects(Path dir) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (attributes.isRegularFile() && !(file.getParent().equals(dir) && isAttestationFile(file.getFileName().toString()))) {
                    files.put(dir.relativize(file).toString(), sha256(file));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        ArrayNode subjects = JSON.createArrayNode();
        files.forEach((name, hex) -> {
            ObjectNode subject = subjects.addObject();
            subject.put("name", name);
            subject.putObject("digest").put("sha256", hex);
        });
        return subjects;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
