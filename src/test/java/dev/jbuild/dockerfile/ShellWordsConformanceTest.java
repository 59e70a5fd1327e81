package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** BuildKit's own lexer test data (buildkit/shell/envVarTest and wordsTest), read in place. */
class ShellWordsConformanceTest {

    private static final Path SHELL_DATA = Path.of(System.getProperty("jbuild.conformance.dir"), "buildkit", "shell");

    private final ShellWords shell = new ShellWords('\\');

    /** Lines {@code PLATFORM|input|expected}; W lines are Windows-only data and are not run. */
    @TestFactory
    Stream<DynamicTest> envVarTest() throws IOException {
        Map<String, String> env = Map.of("PWD", "/home", "SHELL", "bash", "KOREAN", "한국어", "NULL", "");
        List<String> lines = Files.readAllLines(SHELL_DATA.resolve("envVarTest"), StandardCharsets.UTF_8);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] fields = line.strip().split("\\|", -1);
            assertEquals(3, fields.length, "envVarTest:" + (i + 1) + " is not PLATFORM|input|expected");
            String platform = fields[0].strip();
            String input = fields[1].strip();
            String expected = fields[2].strip();
            if (platform.equals("W")) {
                continue;
            }
            assertFalse(!platform.equals("A") && !platform.equals("U"), "envVarTest:" + (i + 1) + " bad platform " + platform);
            String name = "envVarTest:" + (i + 1) + " " + input + " -> " + expected;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                if (expected.equals("error")) {
                    assertThrows(ShellExpansionException.class, () -> shell.expand(input, env));
                } else {
                    assertEquals(expected, shell.expand(input, env));
                }
            }));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    /** Lines {@code input | w1,w2} or {@code input | error}; {@code ENV k=v} lines add to the environment. */
    @TestFactory
    Stream<DynamicTest> wordsTest() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(SHELL_DATA.resolve("wordsTest"), StandardCharsets.UTF_8);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("ENV ")) {
                String assignment = line.substring(3).stripLeading(); // trailing blanks are part of the value
                int eq = assignment.indexOf('=');
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
                continue;
            }
            String[] fields = line.split("\\|", -1);
            assertEquals(2, fields.length, "wordsTest:" + (i + 1) + " needs exactly one |");
            String input = fields[0].strip();
            List<String> expected = Arrays.asList(fields[1].replaceFirst("^ +", "").split(",", -1));
            Map<String, String> envNow = Map.copyOf(env);
            String name = "wordsTest:" + (i + 1) + " " + input + " -> " + expected;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                if (expected.equals(List.of("error"))) {
                    assertThrows(ShellExpansionException.class, () -> shell.expandWords(input, envNow));
                } else {
                    assertEquals(expected, shell.expandWords(input, envNow));
                }
            }));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }
}
