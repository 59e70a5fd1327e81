package dev.jbuild.registry;

import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageName;
import java.util.List;
import java.util.Map;

/**
 * Extras for {@link RegistryClient#push}.
 *
 * @param additionalTags tags to point at the pushed manifest besides the target's own tag
 * @param mountSources for blobs known to come from another repository (a base image), that
 *     repository; blobs on the same registry are then mounted instead of uploaded
 */
public record PushOptions(List<String> additionalTags, Map<Digest, ImageName> mountSources) {

    public PushOptions {
        additionalTags = List.copyOf(additionalTags);
        mountSources = Map.copyOf(mountSources);
    }

    public static PushOptions defaults() {
        return new PushOptions(List.of(), Map.of());
    }

    PushOptions withAdditionalTags(List<String> tags) {
        return new PushOptions(tags, mountSources);
    }

    public PushOptions withMountSources(Map<Digest, ImageName> sources) {
        return new PushOptions(additionalTags, sources);
    }
}
