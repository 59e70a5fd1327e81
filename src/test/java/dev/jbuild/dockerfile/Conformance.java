package dev.jbuild.dockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locates BuildKit's parser test data, which is read in place from the shared conformance directory. */
final class Conformance {

    private Conformance() {}

    static Path root() {
        String dir = System.getProperty("jbuild.conformance.dir");
        if (dir == null) {
            throw new IllegalStateException("system property jbuild.conformance.dir is not set (run through Maven)");
        }
        return Path.of(dir, "buildkit", "parser");
    }

    static List<Path> caseDirectories(String kind) {
        try (Stream<Path> dirs = Files.list(root().resolve(kind))) {
            List<Path> found = dirs.filter(Files::isDirectory).sorted().toList();
            if (found.isEmpty()) {
                throw new IllegalStateException("no test cases under " + root().resolve(kind));
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every positive and negative Dockerfile, for tests that mutate real inputs. */
    static List<String> allDockerfiles() {
        return Stream.concat(caseDirectories("testfiles").stream(), caseDirectories("testfiles-negative").stream())
                .map(dir -> read(dir.resolve("Dockerfile")))
                .toList();
    }
}
