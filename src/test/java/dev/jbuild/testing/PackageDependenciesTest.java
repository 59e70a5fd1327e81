package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.Builder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Keeps the layering of the main code by a tool rather than by review: no two jbuild packages may depend on
 * each other, directly or through others (docs/architecture.md, "imports run one way"). The dependencies are
 * read from the compiled classes (target/classes), so whatever the compiler kept counts: every class named by
 * the code, a declaration or a signature. Constants the compiler inlines and javadoc links leave no trace.
 */
class PackageDependenciesTest {

    private static final String ROOT = "dev/jbuild/";

    /** Package → the packages its classes refer to (itself left out), with one referring class per edge. */
    private static Map<String, Map<String, String>> graph;

    @BeforeAll
    static void readTheMainClasses() throws Exception {
        Path classes = Path.of(Builder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        graph = read(classes);
    }

    @Test
    void noPackageCycles() {
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(edges(graph))) {
            if (component.size() > 1) {
                cycles.add(describe(component));
            }
        }
        assertEquals("", String.join("\n", cycles), "packages that depend on each other: move the class that"
                + " closes the cycle to the package below (docs/architecture.md, Packages)");
    }

    /** The check above is not vacuous: it reads every package, the engine's layers included, and their edges. */
    @Test
    void readsThePackagesAndTheirDependencies() {
        assertTrue(graph.keySet().containsAll(Set.of("dev.jbuild.cli", "dev.jbuild.engine", "dev.jbuild.engine.api",
                "dev.jbuild.engine.step", "dev.jbuild.engine.stage", "dev.jbuild.engine.cache", "dev.jbuild.engine.fs",
                "dev.jbuild.store")), graph.keySet()::toString);
        Map<String, Set<String>> edges = edges(graph);
        assertTrue(edges.get("dev.jbuild.engine").contains("dev.jbuild.engine.step"), edges::toString);
        assertTrue(edges.get("dev.jbuild.engine.step").contains("dev.jbuild.engine.stage"), edges::toString);
        assertTrue(edges.get("dev.jbuild.engine.stage").contains("dev.jbuild.engine.cache"), edges::toString);
        assertTrue(edges.get("dev.jbuild.engine.cache").contains("dev.jbuild.engine.fs"), edges::toString);
        assertTrue(edges.get("dev.jbuild.cli").contains("dev.jbuild.engine.api"), edges::toString);
        assertTrue(!edges.get("dev.jbuild.engine.step").contains("dev.jbuild.engine"), "step does not call up");
    }

    @Test
    void findsACycleThroughSeveralPackages() {
        Map<String, Set<String>> edges = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of());
        List<Set<String>> components = stronglyConnected(edges);
        assertTrue(components.contains(Set.of("a", "b", "c")), components::toString);
        assertTrue(components.contains(Set.of("d")), components::toString);
    }

    private static Map<String, Set<String>> edges(Map<String, Map<String, String>> graph) {
        Map<String, Set<String>> edges = new TreeMap<>();
        graph.forEach((from, to) -> edges.put(from, new TreeSet<>(to.keySet())));
        return edges;
    }

    /** The cycle's packages and, for each edge inside it, a class that makes it. */
    private static String describe(Set<String> component) {
        StringBuilder text = new StringBuilder("cycle " + new TreeSet<>(component) + ":");
        for (String from : new TreeSet<>(component)) {
            graph.get(from).forEach((to, via) -> {
                if (component.contains(to)) {
                    text.append("\n  ").append(from).append(" -> ").append(to).append(" (").append(via).append(')');
                }
            });
        }
        return text.toString();
    }

    /** Tarjan's strongly connected components, iteratively, so a deep graph needs no deep stack. */
    static List<Set<String>> stronglyConnected(Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> components = new ArrayList<>();
        for (String start : new TreeSet<>(edges.keySet())) {
            if (index.containsKey(start)) {
                continue;
            }
            // Each frame: a node and the iterator over its successors still to visit.
            Deque<Map.Entry<String, Iterator<String>>> frames = new ArrayDeque<>();
            visit(start, index, low, stack, onStack, frames, edges);
            while (!frames.isEmpty()) {
                Map.Entry<String, Iterator<String>> frame = frames.peek();
                String node = frame.getKey();
                if (frame.getValue().hasNext()) {
                    String next = frame.getValue().next();
                    if (!index.containsKey(next)) {
                        visit(next, index, low, stack, onStack, frames, edges);
                    } else if (onStack.contains(next)) {
                        low.put(node, Math.min(low.get(node), index.get(next)));
                    }
                    continue;
                }
                frames.pop();
                if (!frames.isEmpty()) {
                    String parent = frames.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(node)));
                }
                if (low.get(node).equals(index.get(node))) {
                    Set<String> component = new TreeSet<>();
                    String member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (!member.equals(node));
                    components.add(component);
                }
            }
        }
        return components;
    }

    private static void visit(String node, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
            Set<String> onStack, Deque<Map.Entry<String, Iterator<String>>> frames,
            Map<String, Set<String>> edges) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        frames.push(Map.entry(node, edges.getOrDefault(node, Set.of()).iterator()));
    }

    private static Map<String, Map<String, String>> read(Path classes) throws IOException {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes.resolve(ROOT))) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().collect(Collectors.toList());
        }
        for (Path file : files) {
            ClassReader reader;
            try (InputStream in = Files.newInputStream(file)) {
                reader = new ClassReader(in);
            }
            String self = reader.getClassName();
            Map<String, String> uses = graph.computeIfAbsent(packageOf(self), p -> new TreeMap<>());
            for (String used : referencedClasses(reader)) {
                if (used.startsWith(ROOT) && !packageOf(used).equals(packageOf(self))) {
                    uses.putIfAbsent(packageOf(used), self.replace('/', '.') + " uses " + used.replace('/', '.'));
                }
            }
        }
        return graph;
    }

    private static String packageOf(String internalName) {
        return internalName.substring(0, internalName.lastIndexOf('/')).replace('/', '.');
    }

    private static final Pattern CLASS_IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

    /**
     * Every class a class file names: in the constant pool (classes, member references, method types: what the
     * code uses) and in its declarations (super types, field and method descriptors and signatures).
     */
    private static Set<String> referencedClasses(ClassReader reader) {
        Set<String> names = new TreeSet<>();
        char[] buffer = new char[reader.getMaxStringLength()];
        for (int i = 1; i < reader.getItemCount(); i++) {
            int offset = reader.getItem(i);
            if (offset == 0) {
                continue; // the second slot of a long or double
            }
            int tag = reader.readByte(offset - 1);
            if (tag == 7) { // CONSTANT_Class
                String name = reader.readUTF8(offset, buffer);
                if (name.startsWith("[")) {
                    addFromDescriptor(name, names);
                } else {
                    names.add(name);
                }
            } else if (tag == 12) { // CONSTANT_NameAndType: the descriptor of a member used
                addFromDescriptor(reader.readUTF8(offset + 2, buffer), names);
            } else if (tag == 16) { // CONSTANT_MethodType
                addFromDescriptor(reader.readUTF8(offset, buffer), names);
            }
        }
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                if (superName != null) {
                    names.add(superName);
                }
                names.addAll(List.of(interfaces));
                addFromDescriptor(signature, names);
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                addFromDescriptor(descriptor, names);
                addFromDescriptor(signature, names);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                addFromDescriptor(descriptor, names);
                addFromDescriptor(signature, names);
                if (exceptions != null) {
                    names.addAll(List.of(exceptions));
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return names;
    }

    private static void addFromDescriptor(String descriptor, Set<String> names) {
        if (descriptor == null) {
            return;
        }
        Matcher m = CLASS_IN_DESCRIPTOR.matcher(descriptor);
        while (m.find()) {
            names.add(m.group(1));
        }
    }
}
