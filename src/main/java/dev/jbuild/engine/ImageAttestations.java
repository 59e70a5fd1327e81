package dev.jbuild.engine;

import dev.jbuild.attestation.AttestationLayout;
import dev.jbuild.attestation.Provenance;
import dev.jbuild.attestation.ProvenanceFacts;
import dev.jbuild.attestation.Purls;
import dev.jbuild.context.BuildContexts;
import dev.jbuild.context.SourceTree;
import dev.jbuild.engine.api.AttestationOptions;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.LayerRecord;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.StageGraph;
import dev.jbuild.export.Exporter;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.Stage;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes the attestation manifest of one platform's image: each requested attestation as an in-toto
 * statement blob about the image manifest, and the manifest that lists them (see {@link AttestationLayout}).
 * Everything is written to the store, so pushes and archives carry it like any other blob.
 */
final class ImageAttestations {

    /** What the platforms of one build share: one invocation id and one start time. */
    record Run(String invocationId, Instant started) {}

    private ImageAttestations() {}

    /**
     * What an SBOM covers besides the image, as BuildKit's "extras": a stage the image was built from
     * ({@code BUILDKIT_SBOM_SCAN_STAGE}, {@code scan-stage=true}) or the build context
     * ({@code BUILDKIT_SBOM_SCAN_CONTEXT}). Each gets its own document and statement, named
     * {@code sbom-<name>} as BuildKit names the scanner's extra targets.
     */
    sealed interface SbomExtra {
        String name();

        /** A finished stage's image (its layers are in the store or the cache's registry). */
        record StageImage(String name, ImageState state) implements SbomExtra {}

        /** The build context as the build saw it, {@code .dockerignore} applied. */
        record Context(SourceTree tree) implements SbomExtra {
            @Override
            public String name() {
                return "context";
            }
        }
    }

    /** Writes the attestations of {@code image} and returns the attestation manifest's index entry. */
    static Descriptor write(BuildSession session, Descriptor image, Run run, List<SbomExtra> extras) throws IOException {
        BuildRequest request = session.request();
        AttestationOptions options = request.attestations();
        Store store = session.store();
        List<AttestationLayout.Subject> subjects = subjects(options.invocation().subjectNames(), request.platform(),
                image.digest());
        List<Descriptor> layers = new ArrayList<>();
        if (options.sbom() != null) {
            SbomFormat format = SbomFormat.of(options.sbom().format());
            List<String> names = options.invocation().subjectNames();
            List<byte[]> documents = new ArrayList<>();
            documents.add(scanImage(session, image, format, names.isEmpty() ? "_" : names.get(0), "the image"));
            for (SbomExtra extra : extras) {
                documents.add(scanExtra(session, extra, format));
            }
            for (byte[] document : documents) {
                byte[] statement = AttestationLayout.statement(AttestationLayout.STATEMENT_V01, format.predicateType(), subjects,
                        AttestationLayout.parseStatement(document));
                Descriptor blob = store.putBytes(AttestationLayout.IN_TOTO, statement);
                layers.add(AttestationLayout.layer(blob.digest(), blob.size(), format.predicateType()));
            }
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
     * The extras BuildKit's Dockerfile frontend would scan for this build: every stage the target was built
     * from whose {@code BUILDKIT_SBOM_SCAN_STAGE} (a global ARG, or the stage's own ARG, as the stage saw its
     * value) is {@code true} or lists the stage's name, every such stage when {@code scan-stage=true}; and
     * the context when the target's {@code BUILDKIT_SBOM_SCAN_CONTEXT} says so. Stages that did not run
     * for the target are never scanned.
     */
    static List<SbomExtra> extras(BuildSession session, StageGraph graph, ImageState target) throws IOException {
        AttestationOptions.SbomOptions sbom = session.request().attestations().sbom();
        if (sbom == null) {
            return List.of();
        }
        BuildPlan plan = session.request().plan();
        List<SbomExtra> extras = new ArrayList<>();
        if (enabled(SCAN_CONTEXT, plan, target.args(), plan.stage(plan.target()).map(Stage::displayName).orElse(""))) {
            extras.add(new SbomExtra.Context(BuildContexts.directory(session.request().contextDir(), session.request().ignore())));
        }
        for (Stage stage : plan.stages()) {
            if (stage.index() == plan.target()) {
                continue;
            }
            Optional<ImageState> state = graph.finished(stage.index());
            if (state.isPresent() && (sbom.scanStages() || enabled(SCAN_STAGE, plan, state.get().args(), stage.displayName()))) {
                extras.add(new SbomExtra.StageImage(stage.displayName(), state.get()));
            }
        }
        return extras;
    }

    static final String SCAN_STAGE = "BUILDKIT_SBOM_SCAN_STAGE";
    static final String SCAN_CONTEXT = "BUILDKIT_SBOM_SCAN_CONTEXT";

    /** BuildKit's rule: the stage's own ARG wins over the global one; a Go boolean, or a comma list of stage names. */
    private static boolean enabled(String name, BuildPlan plan, Map<String, String> stageArgs, String stageName) {
        String value = stageArgs.containsKey(name) ? stageArgs.get(name) : plan.globalArgs().get(name);
        if (value == null) {
            return false;
        }
        if (GO_TRUE.contains(value)) {
            return true;
        }
        if (GO_FALSE.contains(value)) {
            return false;
        }
        return List.of(value.split(",", -1)).contains(stageName);
    }

    private static final Set<String> GO_TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> GO_FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

    private static byte[] scanExtra(BuildSession session, SbomExtra extra, SbomFormat format) throws IOException {
        String name = "sbom-" + extra.name();
        if (extra instanceof SbomExtra.Context context) {
            StepId step = session.startStep("", 0, 0, "scanning the build context for its SBOM (" + format.flagValue() + ")");
            long started = System.nanoTime();
            SbomContents contents = Sboms.scan(new SourceTreeFiles(context.tree()));
            byte[] document = Sboms.write(contents, format, new SbomDocumentInfo(name,
                    session.materials().contextDigest() == null ? "context" : session.materials().contextDigest().toString(),
                    session.createdTime(), version()));
            session.finishStep(step, false, started);
            return document;
        }
        SbomExtra.StageImage stage = (SbomExtra.StageImage) extra;
        return scanImage(session, stageManifest(session, stage.state()), format, name, "stage " + stage.name());
    }

    /**
     * A stage's image as a manifest in the store, so it unpacks like any image: its config with the
     * layers' diff_ids, its layers. Nothing refers to it; the store's collection removes it.
     */
    private static Descriptor stageManifest(BuildSession session, ImageState state) throws IOException {
        Store store = session.store();
        List<Digest> diffIds = new ArrayList<>();
        List<Descriptor> layers = new ArrayList<>();
        for (LayerRecord layer : state.layers()) {
            if (!store.ensure(layer.descriptor().digest())) {
                throw new IOException("layer " + layer.descriptor().digest() + " of a stage is missing from the store");
            }
            diffIds.add(layer.diffId());
            layers.add(layer.descriptor());
        }
        ImageConfig config = state.config().withRootfs(new ImageConfig.RootFs(diffIds)).withHistory(state.history());
        Descriptor configBlob = store.putBytes(MediaTypes.OCI_CONFIG, ImageDocuments.encode(config).bytes());
        return store.putBytes(MediaTypes.OCI_MANIFEST,
                ImageDocuments.encode(new Manifest(MediaTypes.OCI_MANIFEST, configBlob, layers)).bytes());
    }

    /**
     * The SBOM of an image's root filesystem: unpacked once into the store's temporary space (every
     * layer verified, paths confined), scanned, removed.
     */
    private static byte[] scanImage(BuildSession session, Descriptor image, SbomFormat format, String name, String what)
            throws IOException {
        Store store = session.store();
        StepId step = session.startStep("", 0, 0, "scanning " + what + " for its SBOM (" + format.flagValue() + ")");
        long started = System.nanoTime();
        Path root = store.createTemporaryDirectory("sbom");
        try {
            Path rootfs = root.resolve("rootfs");
            Exporter.localDirectory(store, image, rootfs, false);
            SbomContents contents = Sboms.scan(RootFiles.directory(rootfs));
            byte[] document = Sboms.write(contents, format, new SbomDocumentInfo(name, image.digest().toString(),
                    session.createdTime(), version()));
            session.finishStep(step, false, started);
            return document;
        } finally {
            store.deleteTemporaryDirectory(root);
        }
    }

    private static String version() {
        String version = Builder.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
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
        return new ProvenanceFacts(provenance.version(), provenance.max(), provenance.builderId(), invocation.invoker(),
                version(), invocation.dockerfileName(), Digest.of(invocation.dockerfile()),
                invocation.dockerfile(), invocation.args(), session.materials().secrets(), session.materials().ssh(),
                Platform.host().normalize().toString(), session.materials().materials(), run.invocationId(), run.started(),
                Instant.now(), provenance.reproducible(), session.materials().network(), session.materials().steps());
    }
}
