package dev.jbuild.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A copy of this JVM's test classpath (jbuild's classes and its dependency jars) that any user can read, for
 * starting jbuild as the unprivileged test user: that user cannot read root's {@code ~/.m2}, and the suite's
 * test phase runs before {@code package} makes {@code target/jbuild.jar}. Equivalent to the shaded jar.
 */
public final class ReadableClasspath {

    private ReadableClasspath() {
    }

    /** Copies every classpath entry into {@code directory} (created) with modes 0755/0644; returns the classpath. */
    public static String copyTo(Path directory) {
        try {
            Files.createDirectories(directory);
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String entry : classpath.split(File.pathSeparator)) {
                Path source = entry.isEmpty() ? null : Path.of(entry);
                if (source == null || !Files.exists(source)) {
                    continue;
                }
                Path target = directory.resolve((n++) + "-" + source.getFileName());
                if (Files.isDirectory(source)) {
                    try (Stream<Path> walk = Files.walk(source)) {
                        for (Path p : walk.toList()) {
                            Path t = target.resolve(source.relativize(p).toString());
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    }
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
                entries.add(target.toString());
            }
            try (Stream<Path> walk = Files.walk(directory)) {
                for (Path p : walk.toList()) {
                    Files.setAttribute(p, "unix:mode", Files.isDirectory(p) ? 0755 : 0644);
                }
            }
            return String.join(File.pathSeparator, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
