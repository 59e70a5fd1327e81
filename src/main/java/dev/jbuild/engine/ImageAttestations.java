package dev.jbuild.engine;

import dev.jbuild.attestation.AttestationLayout;
import dev.jbuild.attestation.Provenance;
import dev.jbuild.attestation.ProvenanceFacts;
import dev.jbuild.attestation.Purls;
import dev.jbuild.engine.api.AttestationOptions;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.export.Exporter;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.sbom.RootFiles;
import dev.jbuild.sbom.SbomContents;
import dev.jbuild.sbom.SbomDocumentInfo;
import dev.jbuild.sbom.SbomFormat;
import dev.jbuild.sbom.Sboms;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the attestation manifest of one platform's image: each requested attestation as an in-toto
 * statement blob about the image manifest, and the manifest that lists them (see {@link AttestationLayout}).
 * Everything is written to the store, so pushes and archives carry it like any other blob.
 */
final class ImageAttestations {

    /** What the platforms of one build share: one invocation id and one start time. */
    record Run(String invocationId, Instant started) {}

    private ImageAttestations() {}

    /** Writes the attestations of {@code image} and returns the attestation manifest's index entry. */
    static Descriptor write(BuildSession session, Descriptor image, Run run) throws IOException {
        BuildRequest request = session.request();
        AttestationOptions options = request.attestations();
        Store store = session.store();
        List<AttestationLayout.Subject> subjects = subjects(options.invocation().subjectNames(), request.platform(),
                image.digest());
        List<Descriptor> layers = new ArrayList<>();
        if (options.sbom() != null) {
            SbomFormat format = SbomFormat.of(options.sbom().format());
            byte[] document = sbom(session, image, format, options.invocation().subjectNames());
            byte[] statement = AttestationLayout.statement(AttestationLayout.STATEMENT_V01, format.predicateType(), subjects,
                    AttestationLayout.parseStatement(document));
            Descriptor blob = store.putBytes(AttestationLayout.IN_TOTO, statement);
            layers.add(AttestationLayout.layer(blob.digest(), blob.size(), format.predicateType()));
        }
        if (options.provenance() != null) {
            AttestationOptions.ProvenanceOptions provenance = options.provenance();
            String predicateType = Provenance.predicateType(provenance.version());
            String statementType = Provenance.V1.equals(provenance.version())
                    ? AttestationLayout.STATEMENT_V1 : AttestationLayout.STATEMENT_V01;
            byte[] statement = AttestationLayout.statement(statementType, predicateType, subjects,
                    Provenance.predicate(facts(session, provenance, run)));
            Descriptor blob = store.putBytes(AttestationLayout.IN_TOTO, statement);
            layers.add(AttestationLayout.layer(blob.digest(), blob.size(), predicateType));
        }
        Descriptor empty = store.putBytes(MediaTypes.OCI_EMPTY, AttestationLayout.EMPTY_JSON);
        Descriptor subject = new Descriptor(image.mediaType(), image.digest(), image.size());
        Manifest manifest = new Manifest(2, MediaTypes.OCI_MANIFEST, AttestationLayout.ARTIFACT_TYPE, empty, layers, subject,
                null, null);
        Descriptor stored = store.putBytes(MediaTypes.OCI_MANIFEST, ImageDocuments.encode(manifest).bytes());
        return AttestationLayout.indexEntry(stored, image.digest());
    }

    /**
     * The SBOM of the image's root filesystem: unpacked once into the store's temporary space (every
     * layer verified, paths confined), scanned, removed.
     */
    private static byte[] sbom(BuildSession session, Descriptor image, SbomFormat format, List<String> names) throws IOException {
        Store store = session.store();
        StepId step = session.startStep("", 0, 0, "scanning the image for its SBOM (" + format.flagValue() + ")");
        long started = System.nanoTime();
        Path root = store.createTemporaryDirectory("sbom");
        try {
            Path rootfs = root.resolve("rootfs");
            Exporter.localDirectory(store, image, rootfs, false);
            SbomContents contents = Sboms.scan(RootFiles.directory(rootfs));
            String version = Builder.class.getPackage().getImplementationVersion();
            byte[] document = Sboms.write(contents, format, new SbomDocumentInfo(names.isEmpty() ? "_" : names.get(0),
                    image.digest().toString(), session.createdTime(), version == null ? "development" : version));
            session.finishStep(step, false, started);
            return document;
        } finally {
            store.deleteTemporaryDirectory(root);
        }
    }

    /** BuildKit's subjects: each name as {@code pkg:docker/NAME@TAG?platform=…}, or {@code _} for an unnamed image. */
    private static List<AttestationLayout.Subject> subjects(List<String> names, Platform platform, Digest image) {
        if (names.isEmpty()) {
            return List.of(new AttestationLayout.Subject("_", image));
        }
        List<AttestationLayout.Subject> subjects = new ArrayList<>();
        for (String name : names) {
            subjects.add(new AttestationLayout.Subject(Purls.image("docker", ImageName.parse(name), platform), image));
        }
        return subjects;
    }

    private static ProvenanceFacts facts(BuildSession session, AttestationOptions.ProvenanceOptions provenance, Run run) {
        AttestationOptions.Invocation invocation = session.request().attestations().invocation();
        String version = Builder.class.getPackage().getImplementationVersion();
        return new ProvenanceFacts(provenance.version(), provenance.max(), provenance.builderId(), invocation.invoker(),
                version == null ? "development" : version, invocation.dockerfileName(), Digest.of(invocation.dockerfile()),
                invocation.dockerfile(), invocation.args(), invocation.secretIds(), invocation.sshIds(),
                Platform.host().normalize().toString(), session.materials().materials(), run.invocationId(), run.started(),
                Instant.now(), provenance.reproducible(), session.materials().network(), session.materials().steps());
    }
}
