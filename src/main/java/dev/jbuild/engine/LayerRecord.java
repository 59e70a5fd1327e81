package dev.jbuild.engine;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;

/** A layer of an image being built: its blob in the store and its uncompressed digest. */
record LayerRecord(Descriptor descriptor, Digest diffId) {}
