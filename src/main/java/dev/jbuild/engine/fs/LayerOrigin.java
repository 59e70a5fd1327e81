package dev.jbuild.engine.fs;

import dev.jbuild.image.Digest;

/**
 * Where a layer sits in the image it came from, for errors about it: {@code index} (0-based) of
 * {@code count} layers of {@code image} (the reference as the Dockerfile or the build names it).
 */
public record LayerOrigin(String image, int index, int count) {

    /** {@code layer 2 of 3 (sha256:…) of image NAME}. */
    public String describe(Digest blob) {
        return "layer " + (index + 1) + " of " + count + " (" + blob + ") of image " + image;
    }

    /** The config field that gives this layer's diff_id. */
    String diffIdField() {
        return "rootfs.diff_ids[" + index + "]";
    }
}
