/**
 * jbuild's OCI distribution client. {@link dev.jbuild.registry.RegistryClient} is the entry point:
 * it resolves references (indexes narrowed to a platform), downloads manifests, configs and
 * blobs into a {@link dev.jbuild.registry.BlobSink}, pushes images and indexes from a
 * {@link dev.jbuild.registry.BlobSource}, and checks credentials for {@code jbuild login};
 * {@link dev.jbuild.registry.DockerConfigFile} writes the login into Docker's config.
 *
 * <p>Inside, in small package-private classes: the transport ({@code java.net.http}, redirects
 * followed by hand so that credentials stay with their origin, TLS per registry from the system
 * trust store, {@code --tls-ca} and {@code certs.d}, proxies from the environment), the
 * authentication (challenge parsing, Basic, Bearer tokens cached per scope, OAuth2 grants,
 * credential lookup through jib-core), the retry policy, resumable verified downloads and
 * monolithic or chunked uploads. See {@code docs/registries.md} for the user's view.
 *
 * <p>This package knows nothing about the store's layout: content goes in and out through the
 * two small interfaces above.
 */
package dev.jbuild.registry;
