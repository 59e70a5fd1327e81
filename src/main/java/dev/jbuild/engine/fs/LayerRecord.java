package dev.jbuild.engine.fs;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;

/** A layer of an image being built: its blob in the store and its uncompressed digest. */
public record LayerRecord(Descriptor descriptor, Digest diffId) {}
