package dev.jbuild.build;

import dev.jbuild.dockerfile.Location;
import dev.jbuild.export.Exporter;
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Document;
import dev.jbuild.image.ImageConfig;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.Manifest;
import dev.jbuild.image.ManifestOrIndex;
import dev.jbuild.image.PlatformMatcher;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Loads the images stages start from or copy out of, and indexes their file trees. */
final class BaseImages {

    private final BuildSession session;
    /** Loaded images by manifest digest: a base used twice is indexed once. */
    private final Map<String, ImageState> loaded = new HashMap<>();

    BaseImages(BuildSession session) {
        this.session = session;
    }

    /** An empty image for the build's platform, with Docker's default PATH. */
    ImageState scratch() {
        ImageConfig config = ImageConfig.forPlatform(session.request.platform())
                .withConfig(ImageConfig.Config.EMPTY.withEnv(List.of("PATH=" + ImageState.DEFAULT_PATH)));
        return new ImageState(config, List.of(), List.of(), new FsView());
    }

    /** An image by reference: a named OCI-layout context, or a name in the local store. */
    ImageState image(String reference, Location at) throws BuildException {
        NamedContext named = session.request.namedContexts().get(reference);
        Descriptor manifest;
        try {
            if (named instanceof NamedContext.OciLayout layout) {
                manifest = Exporter.importOciLayout(session.store, layout.path(), layout.reference(), session.request.platform());
            } else if (named instanceof NamedContext.Directory) {
                throw new BuildException(at, "build context \"" + reference + "\" is a directory, not an image");
            } else {
                manifest = fromStore(reference, at);
            }
            return load(manifest, at);
        } catch (IOException | IllegalArgumentException e) {
            throw new BuildException(at, "loading image " + reference + ": " + e.getMessage(), e);
        }
    }

    private Descriptor fromStore(String reference, Location at) throws IOException, BuildException {
        String name = ImageName.parse(reference).toString();
        Optional<Descriptor> stored = session.store.resolve(name);
        if (stored.isEmpty()) {
            throw new BuildException(at, "image " + reference + " is not in the local store, and pulling from a registry"
                    + " is not implemented yet; build it with -t first, or pass --build-context " + reference
                    + "=oci-layout:///path/to/layout");
        }
        return stored.get();
    }

    private ImageState load(Descriptor descriptor, Location at) throws IOException, BuildException {
        Document<ManifestOrIndex> document = ImageDocuments.parseManifestOrIndex(session.store.readBytes(descriptor.digest()));
        if (document.value() instanceof Index index) {
            Descriptor chosen = PlatformMatcher.of(session.request.platform()).best(index)
                    .orElseThrow(() -> new BuildException(at, "the image has no manifest for " + session.request.platform()));
            return load(chosen, at);
        }
        Manifest manifest = (Manifest) document.value();
        ImageState cached = loaded.get(document.digest().toString());
        if (cached != null) {
            return cached.copy();
        }
        ImageConfig config = ImageDocuments.parseConfig(session.store.readBytes(manifest.config().digest())).value();
        List<LayerRecord> layers = new ArrayList<>();
        List<dev.jbuild.image.Digest> diffIds = config.rootfs() == null ? List.of() : config.rootfs().diffIds();
        if (diffIds.size() != manifest.layers().size()) {
            throw new IOException("the config lists " + diffIds.size() + " layers but the manifest has " + manifest.layers().size());
        }
        FsView fs = new FsView();
        for (int i = 0; i < manifest.layers().size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            layers.add(new LayerRecord(layer, diffIds.get(i)));
            fs.beginLayer();
            try (InputStream in = session.store.open(layer.digest())) {
                LayerReader.read(in, (entry, content) -> fs.apply(entry, entry instanceof LayerEntry.RegularFile
                        ? new FsView.Content.InLayer(layer.digest(), entry.path()) : null));
            }
        }
        List<ImageConfig.History> history = config.history() == null ? List.of() : config.history();
        ImageState state = new ImageState(config.withoutUnknownFields().withHistory(null).withRootfs(null), layers, history, fs);
        loaded.put(document.digest().toString(), state);
        return state.copy();
    }
}
