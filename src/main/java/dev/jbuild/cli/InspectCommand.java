package dev.jbuild.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.attestation.AttestationReader;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.Platform;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild inspect NAME...}: the manifest and config of stored images, as JSON; with {@code --provenance}
 * or {@code --sbom}, an image's attestation of that kind (its predicate), from the store or, for a name the
 * store does not have, its registry.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the manifest and config of images in the local store, as a JSON array; or, with "
                + "--provenance or --sbom, an image's attestation (from the store, else its registry).")
final class InspectCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image names or IDs.")
    List<String> references;

    /** Which attestation to print; neither: the manifest and config. */
    static final class Kind {
        @Option(names = "--provenance", required = true, description = "Print the image's SLSA provenance predicate.")
        boolean provenance;

        @Option(names = "--sbom", required = true, description = "Print the image's SBOM (SPDX or CycloneDX document).")
        boolean sbom;
    }

    @ArgGroup(exclusive = true)
    Kind kind;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "The platform whose attestation to show (default: this machine's).")
    String platform;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        StoredImages images = new StoredImages(store);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (kind != null) {
                for (String reference : references) {
                    out.println(json.writeValueAsString(attestation(store, images, reference)));
                }
                out.flush();
                return;
            }
            if (platform != null) {
                throw new ParameterException(spec.commandLine(), "--platform goes with --provenance or --sbom");
            }
            ArrayNode result = json.createArrayNode();
            for (String reference : references) {
                StoredImages.StoredImage image = images.find(reference);
                ObjectNode entry = result.addObject();
                entry.put("Name", image.name());
                entry.put("Id", image.config().digest().toString());
                entry.put("Digest", image.descriptor().digest().toString());
                entry.set("Manifest", json.readTree(image.manifest().bytes()));
                entry.set("Config", json.readTree(image.config().bytes()));
            }
            out.println(json.writeValueAsString(result));
            out.flush();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
        }
    }

    /** The predicate of the asked-for attestation of {@code reference}; several statements of one kind make an array. */
    private JsonNode attestation(Store store, StoredImages images, String reference) throws IOException {
        Platform wanted = platform == null ? Platform.host() : Platform.parse(platform);
        List<String> types = kind.provenance ? List.of("https://slsa.dev/provenance/")
                : List.of("https://spdx.dev/Document", "https://cyclonedx.org/bom");
        String what = kind.provenance ? "provenance" : "SBOM";
        Optional<Map.Entry<String, Descriptor>> stored = images.lookup(reference);
        AttestationReader.Found found;
        if (stored.isPresent()) {
            Document<ManifestOrIndex> root = ImageDocuments.parseManifestOrIndex(store.readBytes(stored.get().getValue().digest()));
            found = read(AttestationReader.Source.byDigest(store::readBytes), root, wanted, types, what, reference);
        } else {
            ImageName name;
            try {
                name = ImageName.parse(reference);
            } catch (IllegalArgumentException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: no such image: " + reference);
            }
            try (RegistryClient registry = Registries.client(spec, List.of(name))) {
                Document<ManifestOrIndex> root = registry.fetchManifest(name);
                found = read(new AttestationReader.Source() {
                    @Override
                    public byte[] manifest(Digest digest) throws IOException {
                        return registry.fetchManifest(new ImageName(name.registry(), name.repository(), null, digest.toString()))
                                .bytes();
                    }

                    @Override
                    public byte[] blob(Descriptor descriptor) throws IOException {
                        return registry.fetchBytes(name, descriptor);
                    }
                }, root, wanted, types, what, reference);
            }
        }
        if (found.statements().size() == 1) {
            return found.statements().get(0).path("predicate");
        }
        ArrayNode predicates = new ObjectMapper().createArrayNode();
        found.statements().forEach(statement -> predicates.add(statement.path("predicate")));
        return predicates;
    }

    private static AttestationReader.Found read(AttestationReader.Source source, Document<ManifestOrIndex> root, Platform platform,
            List<String> types, String what, String reference) {
        try {
            return AttestationReader.find(source, root, platform, types, what);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + reference + ": " + e.getMessage());
        }
    }
}
