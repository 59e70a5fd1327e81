package dev.jbuild.testing;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.jbuild.cli.Main;
import dev.jbuild.cli.TrainingRun;
import dev.jbuild.engine.Builder;
import dev.jbuild.sandbox.Emulation;
import dev.jbuild.sandbox.Sandbox;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Which tests are integration tests, read from the compiled test classes: a test is one when the code it
 * runs uses one of the {@link #MARKERS}, or starts a build ({@link #BUILD_ENTRIES}) while a Dockerfile with
 * a {@code RUN} line is among its strings (the build starts the sandbox for it). "The code it runs" is the
 * test method and, for the whole class, its constructors, static initialisers and {@code @BeforeAll}-style
 * methods (of its test superclasses too), followed through every call into the test classes — helpers such
 * as {@code BuildFixture} or {@link BusyboxImage#pushTo} included, lambdas and anonymous classes too. Calls
 * into jbuild's main code are not followed (everything there reaches everything): the main classes that
 * start processes, servers or namespaces whatever the input are markers themselves.
 *
 * <p>Static reading has limits: a string built at run time, or a Dockerfile read from a file that no string
 * of the test names, is not seen (a string naming a test resource is read in its place); a callback that
 * main code makes into a named test class is not followed. {@link Integration}'s javadoc says the rule in
 * words, for the cases this misses.
 */
final class TestClassification {

    /** A use that makes a test an integration test: of {@code type} (internal name), or of its {@code member} only. */
    record Marker(String type, String member, String why) {

        static Marker of(Class<?> type, String why) {
            return new Marker(Type.getInternalName(type), null, why);
        }

        boolean matches(String owner, String name) {
            return owner.equals(type) && (member == null || member.equals(name));
        }

        @Override
        public String toString() {
            String simple = type.substring(type.lastIndexOf('/') + 1).replace('$', '.');
            return simple + (member == null ? "" : "." + member) + " (" + why + ")";
        }
    }

    /** The one list of what makes a test an integration test (besides builds with RUN, {@link #BUILD_ENTRIES}). */
    static final List<Marker> MARKERS = List.of(
            Marker.of(ProcessBuilder.class, "starts a process"),
            new Marker(Type.getInternalName(Runtime.class), "exec", "starts a process"),
            Marker.of(ServerSocket.class, "opens a network socket"),
            Marker.of(Socket.class, "opens a network socket"),
            Marker.of(DatagramSocket.class, "opens a network socket"),
            Marker.of(HttpServer.class, "serves HTTP on a socket"),
            Marker.of(HttpsServer.class, "serves HTTPS on a socket"),
            Marker.of(ExternalTool.class, "runs an external tool"),
            Marker.of(Podman.class, "runs podman"),
            Marker.of(LocalRegistry.class, "starts a registry"),
            Marker.of(LocalRegistryExtension.class, "starts a registry"),
            Marker.of(RootlessTestUser.class, "runs as the test user in a user namespace"),
            Marker.of(ReadableClasspath.class, "starts jbuild as another user"),
            Marker.of(Sandbox.class, "starts the sandbox agent in a user namespace"),
            new Marker(Type.getInternalName(Emulation.class) + "$ElfProbe", "runs", "runs a probe program"),
            Marker.of(TrainingRun.class, "starts a loopback registry and builds"));

    /** Where tests start builds: with a RUN line among their strings, a build that starts the sandbox. */
    static final Set<String> BUILD_ENTRIES = Set.of(Type.getInternalName(Builder.class), Type.getInternalName(Main.class));

    /** A Dockerfile line with a RUN instruction (instructions are case-insensitive). */
    static final Pattern RUN_INSTRUCTION = Pattern.compile("^\\s*RUN[ \\t]+\\S", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    static final String RUN_BUILD = "a build with RUN (starts the sandbox)";

    /** Test resources larger than this are not Dockerfiles: not read as strings. */
    private static final long MAX_RESOURCE_TEXT = 256 * 1024;

    private final Map<String, ClassFacts> classes;
    private final Map<String, String> resources;
    private final ClassLoader loader;
    private final Map<String, Set<String>> subtypes = new HashMap<>();

    private TestClassification(Map<String, ClassFacts> classes, Map<String, String> resources, ClassLoader loader) {
        this.classes = classes;
        this.resources = resources;
        this.loader = loader;
        for (ClassFacts c : classes.values()) {
            for (String supertype : c.supertypes) {
                subtypes.computeIfAbsent(supertype, k -> new HashSet<>()).add(c.name);
            }
        }
    }

    /** Reads every class file (and text resource) below {@code root}, a test-classes directory on {@code loader}'s path. */
    static TestClassification read(Path root, ClassLoader loader) throws IOException {
        Map<String, ClassFacts> classes = new HashMap<>();
        Map<String, String> resources = new HashMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            String relative = root.relativize(file).toString().replace(File.separatorChar, '/');
            if (relative.endsWith(".class")) {
                ClassFacts facts = new ClassFacts();
                try (InputStream in = Files.newInputStream(file)) {
                    new ClassReader(in).accept(facts.visitor(), ClassReader.SKIP_FRAMES);
                }
                classes.put(facts.name, facts);
            } else if (Files.size(file) <= MAX_RESOURCE_TEXT) {
                text(Files.readAllBytes(file)).ifPresent(t -> resources.put(relative, t));
            }
        }
        return new TestClassification(classes, resources, loader);
    }

    private static Optional<String> text(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** What one test uses: {@code method} is null for what the whole class runs (set-up, fields, constructors). */
    record Use(Class<?> testClass, Method method, Set<String> markers, boolean tagged) {

        @Override
        public String toString() {
            return testClass.getName() + (method == null ? "" : "#" + method.getName()) + " uses "
                    + String.join(", ", markers) + (method == null ? " in its set-up or fields" : "");
        }
    }

    /** The test classes JUnit would run from these class files, as it finds them. */
    List<Class<?>> testClasses() throws ClassNotFoundException {
        List<Class<?>> found = new ArrayList<>();
        for (String name : new TreeSet<>(classes.keySet())) {
            Class<?> c = load(name);
            boolean inner = c.isMemberClass() && !Modifier.isStatic(c.getModifiers());
            if (Modifier.isAbstract(c.getModifiers()) || Modifier.isPrivate(c.getModifiers()) || c.isAnonymousClass()
                    || c.isLocalClass() || c.isInterface() || (inner && !AnnotationSupport.isAnnotated(c, Nested.class))
                    || testMethods(c).isEmpty()) {
                continue;
            }
            found.add(c);
        }
        return found;
    }

    /**
     * Every use of a marker by {@code testClass}: one entry for its set-up when that uses one, and one for each
     * test method that does (beyond the set-up), with whether the tag covers it.
     */
    List<Use> uses(Class<?> testClass) {
        boolean classTagged = tagged(testClass);
        Reach setUp = reach(classLevelRoots(testClass));
        List<Use> uses = new ArrayList<>();
        Set<String> classMarkers = setUp.markers(false, false);
        if (!classMarkers.isEmpty()) {
            uses.add(new Use(testClass, null, classMarkers, classTagged));
        }
        for (Method m : testMethods(testClass)) {
            List<MethodFacts> roots = new ArrayList<>();
            method(key(m)).ifPresent(roots::add);
            for (String source : methodSources(m)) {
                roots.addAll(methodsNamed(testClass, source));
            }
            Reach own = reach(roots);
            Set<String> markers = own.markers(setUp.builds, setUp.runLine);
            markers.removeAll(classMarkers);
            if (!markers.isEmpty()) {
                uses.add(new Use(testClass, m, markers, classTagged || AnnotationSupport
                        .findRepeatableAnnotations(m, Tag.class).stream().anyMatch(t -> t.value().equals(Integration.TAG))));
            }
        }
        return uses;
    }

    /** Whether JUnit sees the integration tag on {@code c} (inherited, or from an enclosing class of a nested one). */
    static boolean tagged(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.isMemberClass() && !Modifier.isStatic(k.getModifiers()) ? k.getEnclosingClass() : null) {
            if (AnnotationSupport.findRepeatableAnnotations(k, Tag.class).stream().anyMatch(t -> t.value().equals(Integration.TAG))) {
                return true;
            }
        }
        return false;
    }

    /** The test methods JUnit runs on {@code c}: its own and inherited ones, each once. */
    static List<Method> testMethods(Class<?> c) {
        List<Method> tests = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (seen.add(m.getName() + Type.getMethodDescriptor(m)) && AnnotationSupport.isAnnotated(m, Testable.class)) {
                    tests.add(m);
                }
            }
        }
        tests.sort(Comparator.comparing(Method::getName));
        return tests;
    }

    private List<MethodFacts> classLevelRoots(Class<?> testClass) {
        List<MethodFacts> roots = new ArrayList<>();
        for (Class<?> k = testClass; k != null && classes.containsKey(Type.getInternalName(k)); k = k.getSuperclass()) {
            for (MethodFacts m : classes.get(Type.getInternalName(k)).methods.values()) {
                if (m.name.equals("<init>") || m.name.equals("<clinit>")) {
                    roots.add(m);
                }
            }
            for (Method m : k.getDeclaredMethods()) {
                if (AnnotationSupport.isAnnotated(m, BeforeAll.class) || AnnotationSupport.isAnnotated(m, BeforeEach.class)
                        || AnnotationSupport.isAnnotated(m, AfterEach.class) || AnnotationSupport.isAnnotated(m, AfterAll.class)) {
                    method(key(m)).ifPresent(roots::add);
                }
            }
            if (k.isMemberClass() && !Modifier.isStatic(k.getModifiers())) {
                roots.addAll(classLevelRoots(k.getEnclosingClass())); // a nested class runs its outer class's set-up
            }
        }
        return roots;
    }

    /** The factory methods of a {@code @MethodSource} test in its own class hierarchy (run when the test is). */
    private static List<String> methodSources(Method m) {
        return AnnotationSupport.findAnnotation(m, MethodSource.class)
                .map(s -> s.value().length == 0 ? List.of(m.getName()) : List.of(s.value()))
                .orElse(List.of());
    }

    private List<MethodFacts> methodsNamed(Class<?> c, String name) {
        List<MethodFacts> found = new ArrayList<>();
        for (Class<?> k = c; k != null && classes.containsKey(Type.getInternalName(k)); k = k.getSuperclass()) {
            classes.get(Type.getInternalName(k)).methods.values().stream().filter(m -> m.name.equals(name)).forEach(found::add);
        }
        return found;
    }

    private static String key(Method m) {
        return Type.getInternalName(m.getDeclaringClass()) + "." + m.getName() + Type.getMethodDescriptor(m);
    }

    private Optional<MethodFacts> method(String key) {
        int dot = key.indexOf('.');
        ClassFacts c = classes.get(key.substring(0, dot));
        return c == null ? Optional.empty() : Optional.ofNullable(c.methods.get(key.substring(dot + 1)));
    }

    private Class<?> load(String internalName) throws ClassNotFoundException {
        return Class.forName(internalName.replace('/', '.'), false, loader);
    }

    /** What a set of methods reaches through calls into the test classes. */
    private final class Reach {
        final Set<String> hits = new LinkedHashSet<>();
        boolean builds;
        boolean runLine;

        /**
         * The markers reached, and a RUN build when a build and a RUN line are both reached, here or in the
         * set-up ({@code alsoBuilds}, {@code alsoRunLine}: a fixture made in {@code @BeforeEach} and a
         * Dockerfile in the test); at least one of them here, else the set-up's own entry says it.
         */
        Set<String> markers(boolean alsoBuilds, boolean alsoRunLine) {
            Set<String> markers = new LinkedHashSet<>(hits);
            if ((builds || alsoBuilds) && (runLine || alsoRunLine) && (builds || runLine)) {
                markers.add(RUN_BUILD);
            }
            return markers;
        }
    }

    private Reach reach(List<MethodFacts> roots) {
        Reach reach = new Reach();
        Set<MethodFacts> seen = new HashSet<>();
        Deque<MethodFacts> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            MethodFacts m = todo.pop();
            if (!seen.add(m)) {
                continue;
            }
            reach.hits.addAll(m.hits);
            reach.builds |= m.builds;
            for (String s : m.strings) {
                reach.runLine |= RUN_INSTRUCTION.matcher(s).find() || namedResourceHasRunLine(s, m.classLiterals);
            }
            for (Call call : m.calls) {
                todo.addAll(targets(call));
                initializer(call.owner()).ifPresent(todo::add);
            }
            for (String owner : m.touched) {
                initializer(owner).ifPresent(todo::add);
            }
            for (String type : m.instantiated) {
                ClassFacts c = classes.get(type);
                if (c != null && c.anonymousOrLocal) {
                    todo.addAll(c.methods.values()); // its methods are callbacks: whoever gets it may call any
                }
            }
        }
        return reach;
    }

    /**
     * Whether {@code s} names a test resource with a RUN line: a path under the resource root (or its end), or
     * a {@link TestResources} file, {@code dockerfiles/<Class>/<s>} for a class the same method names. Those
     * files are keyed by their class because their short names ("Dockerfile") are in every test.
     */
    private boolean namedResourceHasRunLine(String s, Set<String> classLiterals) {
        if (s.isEmpty() || s.contains("\n") || s.length() > 200) {
            return false;
        }
        String name = s.startsWith("/") ? s.substring(1) : s;
        for (String owner : classLiterals) {
            String text = resources.get(TestResources.DIRECTORY + "/" + owner + "/" + name);
            if (text != null && RUN_INSTRUCTION.matcher(text).find()) {
                return true;
            }
        }
        for (Map.Entry<String, String> r : resources.entrySet()) {
            if (r.getKey().startsWith(TestResources.DIRECTORY + "/")) {
                continue;
            }
            if ((r.getKey().equals(name) || r.getKey().endsWith("/" + name)) && RUN_INSTRUCTION.matcher(r.getValue()).find()) {
                return true;
            }
        }
        return false;
    }

    private Optional<MethodFacts> initializer(String owner) {
        ClassFacts c = classes.get(owner);
        return c == null ? Optional.empty() : Optional.ofNullable(c.methods.get("<clinit>()V"));
    }

    /**
     * The methods a call reaches in the test classes: the one declared by its owner or the nearest superclass,
     * and for a virtual call every override below the owner as well. A call on a JDK or main type (such as
     * {@code Object.toString} or {@code AutoCloseable.close}) reaches nothing: it would reach every test class.
     */
    private List<MethodFacts> targets(Call call) {
        List<MethodFacts> found = new ArrayList<>();
        if (!classes.containsKey(call.owner())) {
            return found;
        }
        String member = call.name() + call.descriptor();
        for (ClassFacts c = classes.get(call.owner()); c != null; c = classes.get(c.superName)) {
            MethodFacts m = c.methods.get(member);
            if (m != null) {
                found.add(m);
                break;
            }
        }
        if (!call.virtual()) {
            return found;
        }
        Deque<String> below = new ArrayDeque<>(subtypes.getOrDefault(call.owner(), Set.of()));
        Set<String> seen = new HashSet<>();
        while (!below.isEmpty()) {
            String sub = below.pop();
            if (seen.add(sub)) {
                Optional.ofNullable(classes.get(sub).methods.get(member)).ifPresent(found::add);
                below.addAll(subtypes.getOrDefault(sub, Set.of()));
            }
        }
        return found;
    }

    /** One class file: its methods and what each one touches. */
    private static final class ClassFacts {
        String name;
        String superName;
        final List<String> supertypes = new ArrayList<>();
        boolean anonymousOrLocal;
        final Map<String, MethodFacts> methods = new LinkedHashMap<>();

        ClassVisitor visitor() {
            return new ClassVisitor(Opcodes.ASM9) {
                @Override
                public void visit(int version, int access, String className, String signature, String superClass,
                        String[] interfaces) {
                    name = className;
                    superName = superClass;
                    if (superClass != null) {
                        supertypes.add(superClass);
                    }
                    supertypes.addAll(List.of(interfaces));
                }

                @Override
                public void visitOuterClass(String owner, String method, String descriptor) {
                    anonymousOrLocal = true; // only local and anonymous classes have an EnclosingMethod attribute
                }

                @Override
                public MethodVisitor visitMethod(int access, String methodName, String descriptor, String signature,
                        String[] exceptions) {
                    MethodFacts m = new MethodFacts(methodName);
                    methods.put(methodName + descriptor, m);
                    return m.visitor();
                }
            };
        }
    }

    /** A call from one method to another; {@code virtual} when an override may answer it. */
    private record Call(String owner, String name, String descriptor, boolean virtual) {
    }

    /** One method: the markers it uses itself, whether it starts a build, its strings and its calls. */
    private static final class MethodFacts {
        final String name;
        final Set<String> hits = new LinkedHashSet<>();
        boolean builds;
        final List<String> strings = new ArrayList<>();
        final List<Call> calls = new ArrayList<>();
        /** Classes whose static fields it uses: their static initialisers run. */
        final Set<String> touched = new LinkedHashSet<>();
        final Set<String> instantiated = new LinkedHashSet<>();
        /** Simple names of the classes it names as literals ({@code Foo.class}). */
        final Set<String> classLiterals = new LinkedHashSet<>();

        MethodFacts(String name) {
            this.name = name;
        }

        void use(String owner, String member) {
            for (Marker marker : MARKERS) {
                if (marker.matches(owner, member)) {
                    hits.add(marker.toString());
                }
            }
            builds |= BUILD_ENTRIES.contains(owner);
        }

        MethodVisitor visitor() {
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String methodName, String descriptor, boolean itf) {
                    use(owner, methodName);
                    calls.add(new Call(owner, methodName, descriptor,
                            opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE));
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String fieldName, String descriptor) {
                    use(owner, fieldName);
                    touched.add(owner);
                }

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    use(type, null);
                    if (opcode == Opcodes.NEW) {
                        instantiated.add(type);
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (value instanceof String s) {
                        strings.add(s);
                    } else if (value instanceof Type t && t.getSort() == Type.OBJECT) {
                        // Naming a class runs nothing, but it keys TestResources' files (dockerfiles/<Class>/name).
                        String internal = t.getInternalName();
                        String simple = internal.substring(internal.lastIndexOf('/') + 1);
                        classLiterals.add(simple.substring(simple.lastIndexOf('$') + 1)); // Class.getSimpleName()
                    }
                }

                @Override
                public void visitInvokeDynamicInsn(String indyName, String descriptor, Handle bootstrap, Object... arguments) {
                    for (Object argument : arguments) {
                        if (argument instanceof Handle h) { // a lambda's body or a method reference
                            use(h.getOwner(), h.getName());
                            calls.add(new Call(h.getOwner(), h.getName(), h.getDesc(),
                                    h.getTag() == Opcodes.H_INVOKEVIRTUAL || h.getTag() == Opcodes.H_INVOKEINTERFACE));
                        } else if (argument instanceof String s) {
                            strings.add(s);
                        }
                    }
                }
            };
        }
    }
}
