package dev.jbuild.layer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects non-fatal problems grouped by kind, naming a few paths per kind so the list stays short. */
final class Warnings {
    private static final int EXAMPLES = 5;

    private final Map<String, List<String>> examples = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void add(String kind, String subject) {
        counts.merge(kind, 1, Integer::sum);
        List<String> list = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (list.size() < EXAMPLES) {
            list.add(subject);
        }
    }

    List<String> toList() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : examples.entrySet()) {
            int more = counts.get(e.getKey()) - e.getValue().size();
            out.add(e.getKey() + ": " + String.join(", ", e.getValue()) + (more > 0 ? " (+" + more + " more)" : ""));
        }
        return List.copyOf(out);
    }
}
