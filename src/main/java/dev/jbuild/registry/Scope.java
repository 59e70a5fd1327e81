package dev.jbuild.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The access a request needs, in the token spec's terms: {@code repository:NAME:ACTIONS}
 * resources, e.g. {@code repository:library/alpine:pull} or {@code repository:me/app:pull,push}.
 * Scopes merge by resource; tokens are cached by {@link #key()}.
 */
final class Scope {

    private static final Scope NONE = new Scope(Map.of());

    private final Map<String, Set<String>> actionsByResource;

    private Scope(Map<String, Set<String>> actionsByResource) {
        this.actionsByResource = actionsByResource;
    }

    static Scope none() {
        return NONE;
    }

    static Scope pull(String repository) {
        return parse("repository:" + repository + ":pull");
    }

    static Scope push(String repository) {
        return parse("repository:" + repository + ":pull,push");
    }

    /** Parses {@code type:name:a,b}, as in a challenge's {@code scope} (several separated by spaces). */
    static Scope parse(String text) {
        Scope s = NONE;
        for (String part : text.trim().split("\\s+")) {
            int colon = part.lastIndexOf(':');
            if (part.isEmpty() || colon <= 0 || part.indexOf(':') == colon) {
                continue;
            }
            TreeSet<String> actions = new TreeSet<>();
            for (String a : part.substring(colon + 1).split(",")) {
                if (!a.isEmpty()) {
                    actions.add(a);
                }
            }
            TreeMap<String, Set<String>> one = new TreeMap<>();
            one.put(part.substring(0, colon), actions);
            s = s.and(new Scope(one));
        }
        return s;
    }

    Scope and(Scope other) {
        if (other.actionsByResource.isEmpty()) {
            return this;
        }
        if (actionsByResource.isEmpty()) {
            return other;
        }
        TreeMap<String, Set<String>> merged = new TreeMap<>();
        for (Map<String, Set<String>> m : List.of(actionsByResource, other.actionsByResource)) {
            for (Map.Entry<String, Set<String>> e : m.entrySet()) {
                merged.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).addAll(e.getValue());
            }
        }
        return new Scope(merged);
    }

    /** Whether every action of {@code other} is included here. */
    boolean covers(Scope other) {
        for (Map.Entry<String, Set<String>> e : other.actionsByResource.entrySet()) {
            Set<String> mine = actionsByResource.get(e.getKey());
            if (mine == null || !mine.containsAll(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    boolean isEmpty() {
        return actionsByResource.isEmpty();
    }

    /** One {@code scope} parameter value per resource, in a stable order. */
    List<String> values() {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : actionsByResource.entrySet()) {
            values.add(e.getKey() + ":" + String.join(",", e.getValue()));
        }
        return values;
    }

    String key() {
        return String.join(" ", values());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scope s && actionsByResource.equals(s.actionsByResource);
    }

    @Override
    public int hashCode() {
        return actionsByResource.hashCode();
    }

    @Override
    public String toString() {
        return key().isEmpty() ? "(no scope)" : key();
    }
}
