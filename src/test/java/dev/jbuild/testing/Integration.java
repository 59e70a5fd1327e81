package dev.jbuild.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks an integration test: JUnit's tag {@value #TAG}, on the class, or on the few methods of a
 * mostly-unit class that need it. {@code -Dgroups=integration} runs only these,
 * {@code -DexcludedGroups=integration} only the unit tests (docs/development.md).
 *
 * <p>A test is an integration test when it uses something real outside the JVM: it starts a registry
 * ({@link LocalRegistry}, {@link LocalRegistryExtension}), runs in a user namespace or through the
 * sandbox agent ({@link RootlessTestUser}, {@code sandbox.Sandbox}, a build with a {@code RUN} step),
 * runs an external tool ({@link ExternalTool}, {@link Podman}: skopeo, umoci, podman, git, {@code script},
 * ...), starts a child process (another JVM, a jbuild jar) or opens network sockets or servers. A unit test
 * touches only memory and temporary files (reading installed files, such as the busybox binary of
 * {@link BusyboxImage} or the conformance data, is fine).
 *
 * <p>{@code TestClassificationTest} fails, naming the class and what it uses, when a test uses one of
 * these without the tag; the list it checks against is {@link TestClassification#MARKERS}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(Integration.TAG)
public @interface Integration {

    /** The JUnit tag, for {@code -Dgroups} and {@code -DexcludedGroups}. */
    String TAG = "integration";
}
