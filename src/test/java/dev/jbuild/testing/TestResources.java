package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text files of tests kept under {@code src/test/resources/dockerfiles/<TestClass>/}: the Dockerfiles
 * of integration tests longer than a few lines live there, where they read (and can be built by hand)
 * as Dockerfiles, instead of as Java strings with doubled backslashes. Keyed by the test's simple
 * name, so a test class can move between packages without its files.
 */
public final class TestResources {

    /** The folder under the test resources' root that holds them, one subfolder per test class. */
    static final String DIRECTORY = "dockerfiles";

    private TestResources() {}

    /** The text of {@code dockerfiles/<owner's simple name>/<name>}; fails the test when it is missing. */
    public static String text(Class<?> owner, String name) {
        String path = "/" + DIRECTORY + "/" + owner.getSimpleName() + "/" + name;
        try (InputStream in = owner.getResourceAsStream(path)) {
            if (in == null) {
                return fail("test resource " + path + " is missing (src/test/resources" + path + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fail("cannot read test resource " + path, e);
        }
    }
}
