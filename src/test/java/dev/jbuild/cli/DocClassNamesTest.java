package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A class the docs name by its package ({@code `api.RemoteContexts`}, {@code `dev.jbuild.engine.step.CopyPlacement`})
 * exists there, so a class that moves takes its docs along. Names of other code ({@code `fs.RootPath`}, Go's) are not
 * checked: only those whose first part is one of jbuild's packages.
 */
class DocClassNamesTest {

    private static final Pattern NAME = Pattern.compile("`(?:dev\\.jbuild\\.)?((?:[a-z]+\\.)+)([A-Z][A-Za-z0-9]*)`");

    @Test
    void classesNamedWithTheirPackageExist() throws Exception {
        Path sources = Path.of("src/main/java/dev/jbuild");
        Set<String> packages;
        try (Stream<Path> dirs = Files.list(sources)) {
            packages = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        assertTrue(packages.contains("api") && packages.contains("engine"), packages::toString);
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs) {
            Matcher m = NAME.matcher(Files.readString(doc));
            while (m.find()) {
                String packagePath = m.group(1).substring(0, m.group(1).length() - 1).replace('.', '/');
                if (!packages.contains(packagePath.split("/")[0])) {
                    continue;
                }
                checked++;
                if (!Files.isRegularFile(sources.resolve(packagePath).resolve(m.group(2) + ".java"))
                        && !Files.isRegularFile(Path.of("src/test/java/dev/jbuild").resolve(packagePath).resolve(m.group(2) + ".java"))) {
                    missing.add(doc + ": " + m.group());
                }
            }
        }
        assertTrue(checked > 10, "the docs name classes such as `engine.step.CopyPlacement`: " + checked);
        assertEquals(List.of(), missing, "classes the docs name that are not there");
    }
}
