package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Integration
class LocalRegistryExtensionTest {

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.withBasicAuth();

    @Test
    void theRegistryRunsDuringTheTests() throws Exception {
        LocalRegistry registry = REGISTRY.registry();
        HttpResponse<Void> response = registry.httpClient().send(
                HttpRequest.newBuilder(registry.baseUri().resolve("/v2/")).build(), HttpResponse.BodyHandlers.discarding());

        assertEquals(401, response.statusCode());
    }

    @Test
    void aFailingTestCarriesTheRegistryLog() {
        AssertionError failure = new AssertionError("boom");

        AssertionError thrown = assertThrows(AssertionError.class,
                () -> REGISTRY.handleTestExecutionException(null, failure));

        assertSame(failure, thrown);
        String log = thrown.getSuppressed()[0].getMessage();
        assertTrue(log.contains("--- registry log ") && log.contains("listening on 127.0.0.1:" + REGISTRY.registry().port()), log);
    }
}
