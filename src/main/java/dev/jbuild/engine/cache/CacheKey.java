package dev.jbuild.engine.cache;

import dev.jbuild.dockerfile.Heredoc;
import dev.jbuild.dockerfile.Node;
import dev.jbuild.image.Digester;
import dev.jbuild.layer.RawNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Builds one cache key: a SHA-256 over named, length-prefixed fields, so that no two different
 * sequences of fields can give the same bytes ({@code "ab","c"} and {@code "a","bc"} differ). What
 * goes in is decided by each step ({@code engine.step.Step}); docs/caching.md lists it.
 */
public final class CacheKey {

    /** Bumped whenever what a key covers changes, so old records are never matched. */
    static final String VERSION = "jbuild-cache-v2";

    private final Digester digest = Digester.sha256();

    public CacheKey(String parent) {
        put("version", VERSION);
        put("parent", parent);
    }

    public CacheKey put(String name, String value) {
        bytes(name.getBytes(StandardCharsets.UTF_8));
        if (value == null) {
            digest.update((byte) 0);
        } else {
            digest.update((byte) 1);
            // The bytes a name stands for: names that differ only in bytes that are not UTF-8 get different keys.
            bytes(RawNames.encode(value));
        }
        return this;
    }

    public CacheKey put(String name, long value) {
        return put(name, Long.toString(value));
    }

    public CacheKey put(String name, boolean value) {
        return put(name, Boolean.toString(value));
    }

    public CacheKey put(String name, List<String> values) {
        put(name + "#", values == null ? -1 : values.size());
        if (values != null) {
            for (String value : values) {
                put(name, value);
            }
        }
        return this;
    }

    /** A map in iteration order (callers pass ordered maps where order matters, sorted ones otherwise). */
    public CacheKey put(String name, Map<String, String> values) {
        put(name + "#", values.size());
        values.forEach((k, v) -> {
            put(name + ".key", k);
            put(name + ".value", v);
        });
        return this;
    }

    public CacheKey bytes(String name, byte[] value) {
        bytes(name.getBytes(StandardCharsets.UTF_8));
        bytes(value);
        return this;
    }

    /** The instruction as written: keyword, every flag, the arguments, heredoc bodies, ONBUILD's trigger. */
    public CacheKey instruction(Node node) {
        put("keyword", node.keyword());
        put("flags", node.flags());
        put("args", node.args());
        put("json", node.json());
        put("original", node.original());
        put("heredocs#", node.heredocs().size());
        for (Heredoc heredoc : node.heredocs()) {
            put("heredoc.name", heredoc.name());
            put("heredoc.content", heredoc.content());
            put("heredoc.expand", heredoc.expand());
            put("heredoc.stripTabs", heredoc.stripTabs());
        }
        put("next", node.next() != null);
        if (node.next() != null) {
            instruction(node.next());
        }
        return this;
    }

    public String hex() {
        return digest.digest().hex();
    }

    private void bytes(byte[] value) {
        long length = value.length;
        for (int i = 7; i >= 0; i--) {
            digest.update((byte) (length >>> (8 * i)));
        }
        digest.update(value);
    }
}
