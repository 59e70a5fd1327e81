package dev.jbuild.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void mergesByResourceInAStableOrder() {
        Scope s = Scope.push("me/app").and(Scope.pull("library/alpine")).and(Scope.pull("me/app"));
        assertEquals(List.of("repository:library/alpine:pull", "repository:me/app:pull,push"), s.values());
        assertEquals("repository:library/alpine:pull repository:me/app:pull,push", s.key());
        assertEquals(s, Scope.parse("repository:me/app:push,pull repository:library/alpine:pull"));
    }

    @Test
    void coversAndEmptiness() {
        assertTrue(Scope.push("a").covers(Scope.pull("a")));
        assertFalse(Scope.pull("a").covers(Scope.push("a")));
        assertTrue(Scope.none().isEmpty());
        assertEquals("", Scope.none().key());
        assertTrue(Scope.parse("nonsense").isEmpty());
        // Registry host names with ports do not confuse the action split.
        assertEquals(List.of("repository:a/b:pull"), Scope.parse("repository:a/b:pull").values());
    }
}
