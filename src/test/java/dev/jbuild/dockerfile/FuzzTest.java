package dev.jbuild.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of real Dockerfiles. Whatever the input, the parser must either
 * succeed or throw {@link DockerfileSyntaxException} (never another exception), and must finish
 * quickly. Successful parses are also printed and their ONBUILD triggers re-parsed.
 */
class FuzzTest {

    /** Override with -Djbuild.fuzz.seed / -Djbuild.fuzz.inputs for a longer local campaign. */
    private static final long SEED = Long.getLong("jbuild.fuzz.seed", 0x6a627569_6c64L);
    private static final int INPUTS = Integer.getInteger("jbuild.fuzz.inputs", 6000);
    /**
     * Catches blow-ups (a backtracking pattern took 20 s, a crawl minutes), not slowness: inputs take
     * milliseconds, and 1 s was exceeded on a machine loaded 6× its cores.
     */
    private static final long PER_INPUT_LIMIT_NANOS = Duration.ofSeconds(5).toNanos();

    /** Extra seed covering what the conformance files lack: heredocs, ONBUILD, flags, directives. */
    private static final String OWN_SEED = String.join("\n",
            "# syntax=docker/dockerfile:1",
            "# escape=\\",
            "ARG BASE=alpine:3.20",
            "FROM --platform=$BUILDPLATFORM ${BASE} AS build",
            "RUN --mount=type=cache,target=/var/cache/apk --network=none <<-EOF",
            "\tapk add gcc",
            "\techo \"done\"",
            "\tEOF",
            "COPY --chmod=755 --link <<'SCRIPT' <<OTHER /usr/local/bin/",
            "#!/bin/sh",
            "echo $HOME",
            "SCRIPT",
            "other",
            "OTHER",
            "ONBUILD RUN python3 <<PY",
            "print('x')",
            "PY",
            "HEALTHCHECK --interval=30s --retries=3 CMD [\"wget\", \"-q\", \"http://localhost/\"]",
            "ENV A=1 B=\"two words\" C=three\\ words",
            "LABEL org.opencontainers.image.title=\"x\"",
            "SHELL [\"/bin/bash\", \"-c\"]",
            "ADD --checksum=sha256:00 --unpack=true https://example.com/a.tgz /opt/",
            "EXPOSE 80/tcp 443",
            "VOLUME [\"/data\"]",
            "USER 1000:1000",
            "WORKDIR /app",
            "STOPSIGNAL SIGTERM",
            "ENTRYPOINT [\"/entry\"]",
            "CMD --not-a-flag",
            "");

    private static final String[] SNIPPETS = {
        "\\", "\\\n", "`", "<<", "<<-", "<<EOF\n", "\nEOF\n", "[", "]", "\"", "'", "--x=", "--link", "--", "=",
        "\r", "\r\n", "\n", "\t", " ", "#", "# escape=`\n", "$", "${", "}", "\u00a0", "\u2028", "\u00e9", "\u2603",
        "\uD83D\uDE00", "\uFEFF", "\u0000", "ONBUILD ", "FROM ", "RUN ", "COPY ", "HEALTHCHECK ", "ENV ", "[\"a\"",
        "[[", "{", "\\u00", "AS ", "0", "-1s",
    };

    @Test
    void mutatedDockerfilesParseOrFailCleanly() {
        List<String> seeds = new ArrayList<>(Conformance.allDockerfiles());
        seeds.add(OWN_SEED);
        Random random = new Random(SEED);
        assertTimeoutPreemptively(Duration.ofSeconds(40L * Math.max(1, INPUTS / 6000)), () -> {
            int parsed = 0;
            for (int i = 0; i < INPUTS; i++) {
                String input = mutate(seeds, random);
                long start = System.nanoTime();
                parsed += check(input) ? 1 : 0;
                long elapsed = System.nanoTime() - start;
                if (elapsed > PER_INPUT_LIMIT_NANOS) {
                    fail("parsing took " + elapsed / 1_000_000 + " ms for input:\n" + input);
                }
            }
            // the mutations are meant to hit both outcomes often
            assertTrue(parsed > INPUTS / 10, "only " + parsed + " inputs parsed");
            assertTrue(parsed < INPUTS * 9 / 10, parsed + " inputs parsed: mutations too weak");
        });
    }

    @Test
    void adversarialShapesNeitherOverflowNorCrawl() {
        List<String> inputs = List.of(
                "FROM x\nCMD " + "[".repeat(50_000) + "\n",
                "FROM x\nCMD " + "[".repeat(12_000) + "]".repeat(12_000) + "\n",
                "FROM x\nRUN <<" + "${a:-".repeat(5_000) + "\n",
                "FROM x\nRUN <<EOF " + "${a:-".repeat(5_000) + "\nEOF\n",
                "FROM x\n" + "ONBUILD ".repeat(2_000) + "RUN x\n",
                "FROM x\nRUN " + "<<a ".repeat(5_000) + "\n" + "a\n".repeat(5_000),
                "FROM x\nRUN a \\\n" + "b \\\n".repeat(20_000) + "c\n",
                "FROM x\nENV " + "a=\"b c\" ".repeat(20_000) + "\n",
                "FROM x\nCOPY " + "--exclude=a ".repeat(20_000) + "a b\n");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String input : inputs) {
                long start = System.nanoTime();
                check(input);
                syntaxOnly(input);
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed < PER_INPUT_LIMIT_NANOS, elapsed / 1_000_000 + " ms for " + input.substring(0, 40));
            }
        });
    }

    /**
     * Every recursive path of parsing and expansion, driven far past real nesting: each input
     * either works or fails with a syntax error, quickly, and never with a StackOverflowError (or
     * any other unexpected exception). Expansion runs with variables set, so the deep words are
     * walked to the end.
     */
    @Test
    void deepInputsAreSyntaxErrorsNotStackOverflows() {
        ShellWords words = new ShellWords('\\');
        Map<String, String> env = Map.of("X", "a".repeat(64), "Y", "");
        int deep = 20_000;
        List<String> expansions = List.of(
                "${X:-".repeat(deep) + "}".repeat(deep),
                "${Y:-".repeat(deep) + "v" + "}".repeat(deep),
                "${X:+".repeat(deep),
                "\"${X:-".repeat(deep),
                "${X#${X%${X/".repeat(deep),
                "${X/a/" + "${X//b/".repeat(deep),
                "\"$X\"".repeat(deep) + "'".repeat(deep),
                "${X#" + "*a".repeat(deep) + "}",
                "${X##" + "*a".repeat(deep) + "b}",
                "${X%%" + "?".repeat(deep * 5) + "}",
                "${X/" + "*".repeat(deep * 5) + "/y}",
                "${X//" + "*a".repeat(deep) + "/y}",
                "${X//\\*/" + "$X".repeat(deep) + "}");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (String word : expansions) {
                long start = System.nanoTime();
                try {
                    words.process(word, env);
                } catch (ShellExpansionException expected) {
                    assertTrue(expected.getMessage().startsWith("failed to process"), expected.getMessage().substring(0, 40));
                } catch (RuntimeException | StackOverflowError e) {
                    throw new AssertionError("unexpected " + e + " expanding " + word.substring(0, 40), e);
                }
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed < 2 * PER_INPUT_LIMIT_NANOS, elapsed / 1_000_000 + " ms expanding " + word.substring(0, 40));
            }
        });
        // The parser's own recursive paths: heredoc markers (a lexer of their own), JSON arrays,
        // ONBUILD chains, long continuation chains, quotes in ENV.
        List<String> dockerfiles = List.of(
                "FROM x\nRUN <<\"" + "${a:-\"".repeat(deep) + "\n",
                "FROM x\nCOPY <<" + "${a:+".repeat(deep) + " /\n",
                "FROM x\nCMD " + "[".repeat(deep * 5) + "]".repeat(deep * 5) + "\n",
                "FROM x\nCMD [" + "{\"a\":[".repeat(deep) + "\n",
                "FROM x\n" + "ONBUILD ".repeat(deep) + "RUN x\n",
                "FROM x\nRUN a " + "\\\n".repeat(deep * 5) + "b\n",
                "FROM x\nRUN a " + "\\\n#c\n".repeat(deep * 5) + "b\n",
                "FROM x\nENV a=" + "\"'".repeat(deep) + "\n");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (String input : dockerfiles) {
                check(input);
                syntaxOnly(input);
            }
        });
    }

    /** @return true when the input parsed */
    private static boolean check(String input) {
        try {
            Dockerfile d = DockerfileParser.parse(input, "Dockerfile");
            assertEquals(d.nodes().size(), d.instructions().size());
            for (Node node : d.nodes()) {
                assertTrue(node.location().startLine() <= node.location().endLine(), input);
            }
            DockerfilePrinter.sexp(d);
            DockerfilePrinter.json(d);
            for (Instruction instruction : d.instructions()) {
                if (instruction instanceof Instruction.Onbuild onbuild) {
                    Instruction fired = DockerfileParser.parseInstruction(onbuild.expression(), "base", 1, d.escape());
                    assertEquals(onbuild.trigger().node().keyword(), fired.node().keyword(), input);
                }
            }
            return true;
        } catch (DockerfileSyntaxException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), input);
            assertTrue(e.location() != null && e.location().startLine() >= 1, input);
            syntaxOnly(input);
            return false;
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("unexpected " + e + " for input:\n" + input, e);
        }
    }

    private static void syntaxOnly(String input) {
        try {
            DockerfilePrinter.sexp(DockerfileParser.parseSyntax(input, "Dockerfile"));
        } catch (DockerfileSyntaxException expected) {
            // fine: the syntax level may reject it too
        }
    }

    private static String mutate(List<String> seeds, Random random) {
        StringBuilder text = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int pos = text.length() == 0 ? 0 : random.nextInt(text.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (text.length() > 0) {
                        int end = Math.min(text.length(), pos + 1 + random.nextInt(8));
                        text.delete(Math.min(pos, text.length() - 1), end);
                    }
                }
                case 1 -> text.insert(pos, SNIPPETS[random.nextInt(SNIPPETS.length)]);
                case 2 -> {
                    if (text.length() > 0) {
                        int from = Math.min(pos, text.length() - 1);
                        int end = Math.min(text.length(), from + 1 + random.nextInt(20));
                        text.insert(from, text.substring(from, end));
                    }
                }
                case 3 -> text.insert(pos, randomLine(seeds, random));
                case 4 -> text.insert(pos, (char) random.nextInt(0x80));
                default -> text.insert(pos, Character.toChars(0x80 + random.nextInt(0x3000)));
            }
        }
        return fixSurrogates(text);
    }

    /** A whole line from another file, to splice instructions between Dockerfiles. */
    private static String randomLine(List<String> seeds, Random random) {
        String[] lines = seeds.get(random.nextInt(seeds.size())).split("\n", -1);
        return lines[random.nextInt(lines.length)] + "\n";
    }

    /** Edits may split a surrogate pair; the parser only ever sees decoded UTF-8, which has none. */
    private static String fixSurrogates(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
