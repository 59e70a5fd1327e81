package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.engine.Builder;
import dev.jbuild.engine.api.BuildRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keeps the two groups of the suite apart: a test that uses a registry, a namespace, an external tool, a child
 * process or a socket ({@link TestClassification#MARKERS}) must carry {@link Integration}, so that
 * {@code -DexcludedGroups=integration} runs exactly the tests that need nothing but the JVM.
 */
class TestClassificationTest {

    private static TestClassification classification;

    @BeforeAll
    static void readTheCompiledTests() throws Exception {
        Path testClasses = Path.of(TestClassificationTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        classification = TestClassification.read(testClasses, TestClassificationTest.class.getClassLoader());
    }

    @Test
    void everyTestThatUsesSomethingRealIsTaggedIntegration() throws Exception {
        List<String> untagged = new ArrayList<>();
        for (Class<?> c : classification.testClasses()) {
            for (TestClassification.Use use : classification.uses(c)) {
                if (!use.tagged()) {
                    untagged.add(use.toString());
                }
            }
        }
        assertEquals("", String.join("\n", untagged), "tag these with @dev.jbuild.testing.Integration (the class, or"
                + " the methods named when the rest of the class is a unit test): see docs/development.md");
    }

    /** The check above is not vacuous: it finds the suite's classes and sees what the known ones use. */
    @Test
    void findsTheSuitesTestClassesAndWhatTheyUse() throws Exception {
        List<Class<?>> tests = classification.testClasses();
        assertTrue(tests.contains(LocalRegistryTest.class) && tests.contains(TestClassificationTest.class), tests::toString);
        assertTrue(tests.stream().noneMatch(c -> c == SpawnsAProcess.class), "abstract classes are not run");
        assertEquals(List.of("<class>"), places(LocalRegistryExtensionTest.class));
        assertTrue(TestClassification.tagged(LocalRegistryExtensionTest.class));
        assertEquals(List.of(), classification.uses(TestClassificationTest.class));
    }

    @Test
    void aProcessStartedByATestMethodMakesThatMethodIntegration() {
        List<TestClassification.Use> uses = classification.uses(SpawnsAProcess.class);
        assertEquals(1, uses.size(), uses::toString);
        assertEquals("starts", uses.get(0).method().getName());
        assertEquals(Set.of("ProcessBuilder (starts a process)"), uses.get(0).markers());
        assertEquals(false, uses.get(0).tagged());
    }

    @Test
    void usesAreFollowedThroughHelpersLambdasAndAnonymousClasses() {
        assertEquals(List.of("throughAHelperAndALambda", "throughAnAnonymousClass"), places(UsesThroughCode.class));
        assertEquals(Set.of("ExternalTool (runs an external tool)"),
                classification.uses(UsesThroughCode.class).get(0).markers());
    }

    @Test
    void aRegistryInAFieldOrASetUpMethodMakesTheWholeClassIntegration() {
        assertEquals(List.of("<class>"), places(RegistryField.class));
        assertEquals(List.of("<class>"), places(SetUpStartsATool.class));
        assertEquals(List.of("<class>"), places(InheritsTheSetUp.class), "set-up and tests of a superclass count");
    }

    @Test
    void theTagOnTheClassOrTheMethodCoversTheUse() {
        assertTrue(classification.uses(TaggedClass.class).stream().allMatch(TestClassification.Use::tagged));
        List<TestClassification.Use> uses = classification.uses(TaggedMethod.class);
        assertEquals(List.of(true, false), uses.stream().map(TestClassification.Use::tagged).toList());
    }

    @Test
    void aBuildIsIntegrationOnlyWithARunLine() {
        assertEquals(List.of("buildsWithRun", "buildsWithRunFromItsResourceFile", "buildsWithRunLowerCase"),
                places(Builds.class));
        assertEquals(Set.of(TestClassification.RUN_BUILD), classification.uses(Builds.class).get(0).markers());
    }

    /** Where {@code c} uses markers: {@code <class>} for its set-up, else the test methods' names. */
    private static List<String> places(Class<?> c) {
        return classification.uses(c).stream().map(u -> u.method() == null ? "<class>" : u.method().getName())
                .sorted().collect(Collectors.toList());
    }

    // Samples for the checks above. Abstract, so that JUnit never runs them; the classification reads them all the same.

    abstract static class SpawnsAProcess {
        @Test
        void starts() throws IOException {
            new ProcessBuilder("true").start();
        }

        @Test
        void staysInMemory() {
            assertEquals(2, 1 + 1);
        }
    }

    abstract static class UsesThroughCode {
        @Test
        void throughAHelperAndALambda() {
            Supplier<ExternalTool> s = UsesThroughCode::tool;
            s.get();
        }

        @Test
        void throughAnAnonymousClass() {
            Runnable r = new Runnable() {
                @Override
                public void run() {
                    ExternalTool.command("true").runSuccessfully();
                }
            };
            r.run();
        }

        @Test
        void notAtAll() {
            Supplier<String> s = () -> "true";
            s.get();
        }

        private static ExternalTool tool() {
            return ExternalTool.command("true");
        }
    }

    abstract static class RegistryField {
        @RegisterExtension
        static final LocalRegistryExtension REGISTRY = LocalRegistryExtension.plain();

        @Test
        void anything() {
        }
    }

    abstract static class SetUpStartsATool {
        @BeforeAll
        static void setUp() {
            ExternalTool.require("skopeo");
        }

        @Test
        void anything() {
        }
    }

    abstract static class InheritsTheSetUp extends SetUpStartsATool {
    }

    @Integration
    abstract static class TaggedClass {
        @Test
        void starts() throws IOException {
            new ProcessBuilder("true").start();
        }
    }

    abstract static class TaggedMethod {
        @Integration
        @Test
        void tagged() throws IOException {
            new ProcessBuilder("true").start();
        }

        @Test
        void untagged() throws IOException {
            new ServerSocket(0).close();
        }
    }

    abstract static class Builds {
        @Test
        void buildsWithRun() throws Exception {
            build("FROM busybox\nRUN true\n");
        }

        @Test
        void buildsWithRunLowerCase() throws Exception {
            build("""
                    FROM busybox
                      run true
                    """);
        }

        @Test
        void buildsWithRunFromItsResourceFile() throws Exception {
            build(TestResources.text(Builds.class, "with-run.Dockerfile"));
        }

        @Test
        void buildsAnotherClassesFileOfTheSameName() throws Exception {
            // dockerfiles/Builds/with-run.Dockerfile has a RUN line; this names the file of another class.
            build(TestResources.text(SpawnsAProcess.class, "with-run.Dockerfile"));
        }

        @Test
        void buildsWithoutRun() throws Exception {
            build("FROM scratch\nCOPY a /a\n# RUN in a comment\nLABEL x=\"RUN true\"\n");
        }

        @Test
        void parsesARunWithoutBuilding() {
            assertEquals(18, "FROM busybox\nRUN true".length());
        }

        private void build(String dockerfile) throws Exception {
            builder().build(request(dockerfile));
        }

        abstract Builder builder();

        abstract BuildRequest request(String dockerfile);
    }
}
