package dev.jbuild.engine.api;

import java.util.Map;

/**
 * {@code --annotation} values that go elsewhere than the image manifest (which
 * {@link BuildRequest#annotations()} holds), as buildx places them.
 *
 * @param manifestDescriptor on the descriptor of the manifest: an image index's entry for it, or, for one platform, the
 *                           store's and an OCI layout's {@code index.json} entry
 * @param index              on a multi-platform build's image index
 * @param indexDescriptor    on the descriptor of that index ({@code index.json} entries)
 */
public record DescriptorAnnotations(Map<String, String> manifestDescriptor, Map<String, String> index,
        Map<String, String> indexDescriptor) {

    public static final DescriptorAnnotations NONE = new DescriptorAnnotations(Map.of(), Map.of(), Map.of());

    public DescriptorAnnotations {
        manifestDescriptor = Map.copyOf(manifestDescriptor);
        index = Map.copyOf(index);
        indexDescriptor = Map.copyOf(indexDescriptor);
    }
}
