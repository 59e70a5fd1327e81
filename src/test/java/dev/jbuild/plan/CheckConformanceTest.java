package dev.jbuild.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.Finding;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BuildKit's lint test cases (src/test/resources/checks, one directory each) run through jbuild's
 * checks as {@code --check} runs them: every finding's line, rule and message must be BuildKit's, no
 * more and no fewer, and {@code error=true} must fail with BuildKit's message.
 */
class CheckConformanceTest {

    static Stream<String> cases() throws IOException, URISyntaxException {
        try (Stream<Path> dirs = Files.list(root())) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findingsAreBuildKits(String name) throws Exception {
        Path dir = root().resolve(name);
        List<String> expected = Files.readAllLines(dir.resolve("expected.txt")).stream().filter(l -> !l.isBlank()).sorted().toList();
        Path parseError = dir.resolve("parse-error.txt");
        if (Files.exists(parseError)) {
            // The Dockerfile does not parse: the findings made before the error come with it, as BuildKit reports them.
            DockerfileSyntaxException e = assertThrows(DockerfileSyntaxException.class,
                    () -> DockerfileParser.parse(Files.readString(dir.resolve("case.Dockerfile")), "Dockerfile"));
            assertEquals(Files.readString(parseError).strip(), e.location().startLine() + " " + e.getMessage(), name);
            assertEquals(expected, e.findings(buildArgs(dir.resolve("build-args.txt"))).stream().map(CheckConformanceTest::line)
                    .sorted().toList(), name);
            return;
        }
        Dockerfile dockerfile = DockerfileParser.parse(Files.readString(dir.resolve("case.Dockerfile")), "Dockerfile");
        BuildPlan plan = Planner.check(dockerfile,
                new PlanOptions(buildArgs(dir.resolve("build-args.txt")), null, "linux/amd64", "linux/amd64", Set.of()));

        List<String> actual = plan.findings().stream().map(CheckConformanceTest::line).sorted().toList();
        assertEquals(expected, actual, name);
        for (Finding finding : plan.findings()) {
            assertEquals(Finding.LEVEL, 1);
            assertTrue(finding.url().startsWith("https://docs.docker.com/go/dockerfile/rule/"), finding.url());
        }

        Path error = dir.resolve("error.txt");
        String expectedError = Files.exists(error) ? Files.readString(error).strip() : null;
        assertEquals(expectedError, plan.checks().violation(plan.findings()), name + ": error=true");
    }

    private static String line(Finding finding) {
        return finding.line() + " " + finding.ruleName() + " " + finding.detail();
    }

    private static Map<String, String> buildArgs(Path file) throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    args.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return args;
    }

    private static Path root() throws URISyntaxException {
        return Path.of(CheckConformanceTest.class.getResource("/checks").toURI());
    }
}
