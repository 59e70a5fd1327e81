/**
 * The local content-addressed store under {@code $JBUILD_ROOT}: an OCI image layout (blobs by
 * digest, tags in {@code index.json}) shared safely by concurrent jbuild processes.
 * {@link dev.jbuild.store.Store} is the entry point and documents the layout, the locking and
 * the crash-safety rules; it composes one package-private class per concept (blobs, tags, cache
 * records, temporary space, the build record). {@link dev.jbuild.store.BlobWriter} streams verified content in;
 * {@link dev.jbuild.store.StoreMaintenance} measures and collects garbage. This package knows
 * nothing about the network, nor about the build whose cache records it keeps; the build record
 * ({@link dev.jbuild.store.BuildRecord}) is plain data the CLI fills in.
 */
package dev.jbuild.store;
