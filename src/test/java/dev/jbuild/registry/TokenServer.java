package dev.jbuild.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jbuild.testing.ExternalTool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A token server for CNCF distribution's {@code auth: token}: issues JWTs signed (RS256) with a
 * key generated for the test, carrying the signing certificate in the {@code x5c} header so the
 * registry verifies them against the certificate bundle it is configured with. Policy: user
 * {@code alice} (password {@value #PASSWORD}, or refresh token {@value #REFRESH_TOKEN}) may pull
 * and push anything; anonymous clients may pull {@code public/*}. Serves GET (Basic auth) and
 * OAuth2 POST (password and refresh_token grants); GET can be switched off to test the POST
 * fallback.
 */
final class TokenServer implements AutoCloseable {

    static final String USER = "alice";
    static final String PASSWORD = "wonderland";
    static final String REFRESH_TOKEN = "alice-refresh-token";
    static final String SERVICE = "jbuild-test-registry";
    static final String ISSUER = "jbuild-test-issuer";

    /** One token request as received. */
    record Request(String method, String grant, String account, List<String> scopes) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "token-server");
        t.setDaemon(true);
        return t;
    });
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Path certificateFile;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    final AtomicBoolean rejectGet = new AtomicBoolean();
    final AtomicBoolean nextTokenForWrongAudience = new AtomicBoolean();

    private TokenServer(Path directory) throws IOException {
        ExternalTool.command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key",
                "-out", "token.crt", "-days", "2", "-subj", "/CN=jbuild token signer").directory(directory).runSuccessfully();
        this.key = Pem.privateKey(directory.resolve("token.key"));
        this.certificateFile = directory.resolve("token.crt");
        this.certificate = Pem.certificates(certificateFile).get(0);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/token", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static TokenServer start(Path directory) throws IOException {
        return new TokenServer(directory);
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The certificate the registry must trust ({@code rootcertbundle}). */
    Path certificateFile() {
        return certificateFile;
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    void clearRequests() {
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            Map<String, List<String>> params;
            String user = null;
            boolean authenticated = false;
            String grant;
            if (method.equals("GET")) {
                if (rejectGet.get()) {
                    respond(exchange, 405, "{\"error\":\"unsupported\"}");
                    return;
                }
                params = parse(exchange.getRequestURI().getRawQuery());
                grant = "basic";
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                if (authorization != null) {
                    String decoded = new String(Base64.getDecoder().decode(authorization.substring("Basic ".length())),
                            StandardCharsets.UTF_8);
                    String[] parts = decoded.split(":", 2);
                    if (!parts[0].equals(USER) || !parts[1].equals(PASSWORD)) {
                        requests.add(new Request(method, grant, parts[0], params.getOrDefault("scope", List.of())));
                        respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid username or password\"}]}");
                        return;
                    }
                    user = USER;
                    authenticated = true;
                }
            } else if (method.equals("POST")) {
                params = parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                grant = first(params, "grant_type");
                if ("password".equals(grant)) {
                    authenticated = USER.equals(first(params, "username")) && PASSWORD.equals(first(params, "password"));
                } else if ("refresh_token".equals(grant)) {
                    authenticated = REFRESH_TOKEN.equals(first(params, "refresh_token"));
                }
                if (!authenticated) {
                    requests.add(new Request(method, grant, null, params.getOrDefault("scope", List.of())));
                    respond(exchange, 401, "{\"error\":\"invalid_grant\",\"error_description\":\"bad credentials\"}");
                    return;
                }
                user = USER;
            } else {
                respond(exchange, 405, "{}");
                return;
            }
            List<String> scopes = new ArrayList<>();
            for (String s : params.getOrDefault("scope", List.of())) {
                for (String one : s.split(" ")) {
                    if (!one.isEmpty()) {
                        scopes.add(one);
                    }
                }
            }
            requests.add(new Request(method, grant, user, scopes));
            String jwt = token(user, scopes, authenticated);
            ObjectNode body = JSON.createObjectNode();
            if (method.equals("POST")) {
                body.put("access_token", jwt);
                body.put("refresh_token", REFRESH_TOKEN);
            } else {
                body.put("token", jwt);
            }
            body.put("expires_in", 300);
            body.put("issued_at", Instant.now().toString());
            respond(exchange, 200, JSON.writeValueAsString(body));
        } catch (Exception e) {
            respond(exchange, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    private String token(String user, List<String> scopes, boolean authenticated) throws Exception {
        ObjectNode header = JSON.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", ISSUER);
        claims.put("sub", user == null ? "" : user);
        claims.put("aud", nextTokenForWrongAudience.getAndSet(false) ? "someone-else" : SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            String[] parts = scope.split(":");
            if (parts.length != 3 || !parts[0].equals("repository")) {
                continue;
            }
            List<String> granted = new ArrayList<>();
            for (String action : parts[2].split(",")) {
                boolean allowed = authenticated || (parts[1].startsWith("public/") && action.equals("pull"));
                if (allowed) {
                    granted.add(action);
                }
            }
            ObjectNode entry = access.addObject();
            entry.put("type", "repository");
            entry.put("name", parts[1]);
            ArrayNode actions = entry.putArray("actions");
            granted.forEach(actions::add);
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(signature.sign());
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, List<String>> parse(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
