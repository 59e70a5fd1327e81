/**
 * The local content-addressed store under {@code $JBUILD_ROOT}: an OCI image layout (blobs by
 * digest, tags in {@code index.json}) shared safely by concurrent jbuild processes.
 * {@link dev.jbuild.store.Store} is the entry point and documents the layout, the locking and
 * the crash-safety rules; {@link dev.jbuild.store.BlobWriter} streams verified content in.
 * This package knows nothing about the network.
 */
package dev.jbuild.store;
