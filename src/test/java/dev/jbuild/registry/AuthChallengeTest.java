package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void bearerWithQuotedParameters() {
        List<AuthChallenge> c = AuthChallenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"");
        assertEquals(1, c.size());
        assertTrue(c.get(0).isBearer());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/alpine:pull"), c.get(0).params());
    }

    @Test
    void schemeAndNamesAreCaseInsensitiveAndSpacesAllowed() {
        AuthChallenge c = AuthChallenge.parse("BEARER  Realm = \"https://r/t\" , Service=svc").get(0);
        assertTrue(c.isBearer());
        assertEquals("https://r/t", c.param("realm"));
        assertEquals("svc", c.param("service"));
    }

    @Test
    void severalChallengesInOneHeaderAndAcrossHeaders() {
        List<AuthChallenge> c = AuthChallenge.parseAll(List.of(
                "Basic realm=\"Registry Realm\", Bearer realm=\"https://r/token\",service=\"s\"", "Negotiate"));
        assertEquals(3, c.size());
        assertTrue(c.get(0).isBasic());
        assertEquals("Registry Realm", c.get(0).param("realm"));
        assertTrue(c.get(1).isBearer());
        assertEquals("s", c.get(1).param("service"));
        assertEquals("negotiate", c.get(2).scheme());
    }

    @Test
    void escapesInQuotedStringsAndScopesWithSpaces() {
        AuthChallenge c = AuthChallenge.parse(
                "Bearer realm=\"https://r/t\",scope=\"repository:a:pull repository:b:pull,push\",error=\"insufficient_scope\",x=\"a\\\"b\"")
                .get(0);
        assertEquals("repository:a:pull repository:b:pull,push", c.param("scope"));
        assertEquals("insufficient_scope", c.param("error"));
        assertEquals("a\"b", c.param("x"));
    }

    @Test
    void token68AndGarbageDoNotBreakParsing() {
        List<AuthChallenge> c = AuthChallenge.parse("Basic YWxhZGRpbjpvcGVuc2VzYW1l==, Bearer realm=\"x\"");
        assertEquals(List.of("basic", "bearer"), c.stream().map(AuthChallenge::scheme).toList());
        assertEquals(List.of(), AuthChallenge.parse(""));
        assertEquals(List.of(), AuthChallenge.parse(null));
        assertEquals("x", AuthChallenge.parse("Bearer realm=\"x").get(0).param("realm"));
    }
}
