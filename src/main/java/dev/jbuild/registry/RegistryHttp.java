package dev.jbuild.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Authenticated requests to registries: picks the endpoint, pings it once to learn its auth
 * scheme, adds the Authorization header for the request's scope, and after a 401 obtains new
 * authorization and sends the request once more. Retries are the caller's business (each
 * operation knows what it can safely repeat).
 */
final class RegistryHttp implements AutoCloseable {

    private final Transport transport;
    private final RetryPolicy retry;
    private final CredentialLookup lookup;
    private final Map<String, Authenticator> authenticators = new ConcurrentHashMap<>();

    RegistryHttp(RegistryOptions options) {
        this.transport = new Transport(options);
        this.retry = RetryPolicy.from(options);
        this.lookup = new CredentialLookup(options);
    }

    RegistryOptions options() {
        return transport.options();
    }

    RetryPolicy retry() {
        return retry;
    }

    Transport transport() {
        return transport;
    }

    Authenticator authenticator(String registry) {
        return authenticators.computeIfAbsent(registry, r -> new Authenticator(r, transport, lookup));
    }

    /**
     * Sends one request to the registry's API. {@code pathOrUri} is a path on the registry
     * ({@code /v2/...}) or an absolute URI it handed out (an upload location). {@code body} may be
     * null and is called again for each send. A success that is a web page fails here, for every
     * caller ({@link Response#isWebPage}): a manifest PUT, a blob HEAD or a login answered by a web
     * server would otherwise pass for done.
     */
    Response send(String registry, String method, String pathOrUri, Map<String, String> headers,
            Supplier<HttpRequest.BodyPublisher> body, Scope scope, String what) throws IOException {
        return send(authenticator(registry), registry, method, pathOrUri, headers, body, scope, what);
    }

    Response send(Authenticator auth, String registry, String method, String pathOrUri, Map<String, String> headers,
            Supplier<HttpRequest.BodyPublisher> body, Scope scope, String what) throws IOException {
        Response r = exchange(auth, registry, method, pathOrUri, headers, body, scope, what);
        if (r.isWebPage()) {
            throw r.notARegistry(what);
        }
        return r;
    }

    /**
     * As {@link #send}, for a blob's bytes: content of any type, often from the storage a registry
     * redirects to, so the web-page rule of the API's answers does not apply (its digest does).
     */
    Response sendForContent(String registry, String method, String pathOrUri, Map<String, String> headers, Scope scope,
            String what) throws IOException {
        return exchange(authenticator(registry), registry, method, pathOrUri, headers, null, scope, what);
    }

    private Response exchange(Authenticator auth, String registry, String method, String pathOrUri, Map<String, String> headers,
            Supplier<HttpRequest.BodyPublisher> body, Scope scope, String what) throws IOException {
        Transport.Endpoint ep = transport.endpoint(registry);
        URI uri = pathOrUri.startsWith("/") ? ep.resolve(pathOrUri) : URI.create(pathOrUri);
        auth.ensurePinged(ep);
        String sent = auth.authorization(scope);
        Response r = transport.exchange(method, uri, headers, sent, body, what);
        if (r.status() != 401 || !Transport.origin(r.uri()).equals(Transport.origin(uri))) {
            return r;
        }
        if (!auth.unauthorized(r, scope, sent)) {
            throw auth.denied(r, scope, what);
        }
        r.close();
        String again = auth.authorization(scope);
        r = transport.exchange(method, uri, headers, again, body, what);
        if (r.status() == 401 && Transport.origin(r.uri()).equals(Transport.origin(uri))) {
            throw auth.denied(r, scope, what);
        }
        return r;
    }

    @Override
    public void close() {
        transport.close();
    }
}
