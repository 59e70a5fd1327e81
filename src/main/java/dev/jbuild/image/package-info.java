/**
 * The OCI and Docker image model: media types ({@link dev.jbuild.image.MediaTypes}), digests
 * ({@link dev.jbuild.image.Digest}, {@link dev.jbuild.image.Digester}), descriptors, platforms and
 * platform matching, and the manifest, index and config documents as immutable records.
 *
 * <p>{@link dev.jbuild.image.ImageDocuments} is the entry point: it parses documents into a
 * {@link dev.jbuild.image.Document}, which keeps the exact bytes read so an unmodified document
 * keeps its digest, and it serialises new documents canonically (Go {@code encoding/json} style)
 * so their digests are reproducible.
 *
 * <p>Every record keeps the JSON fields it does not model in {@code unknownFields}; absent fields
 * are null and stay absent when written. This package knows nothing about registries or disk.
 */
package dev.jbuild.image;
