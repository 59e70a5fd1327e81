package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs and the examples' READMEs do not say that something is missing when it works. Every
 * line of README.md, docs/*.md and examples/**.md that says "not implemented", "not supported",
 * "unsupported" or "until jbuild ..." must be one of the {@link #CLAIMS} below, and each claim whose
 * truth the CLI can show is run: the feature must really be refused (or, where the doc says so,
 * accepted without effect). A new such sentence fails this test until it is listed with its check,
 * or with the reason it cannot be checked mechanically: that is how "the registry cache is not
 * implemented yet" would have been caught.
 */
@Integration
class DocsClaimsTest {

    private static final Pattern CLAIM = Pattern.compile("(?i)not implemented|not supported|unsupported|until jbuild");

    /**
     * One sentence saying something is missing: the file, a piece of the line that identifies it, and
     * how to check it: jbuild's arguments ({@code CONTEXT} stands for a context holding
     * {@code dockerfile}), the exit code and a piece of the output it must print; or no arguments and
     * the reason it cannot be checked.
     */
    record Claim(String file, String line, List<String> args, String dockerfile, int exitCode, String output) {
        static Claim refused(String file, String line, String dockerfile, String output, String... args) {
            return new Claim(file, line, List.of(args), dockerfile, output.startsWith("Dockerfile") ? 1 : 2, output);
        }

        static Claim unchecked(String file, String line, String reason) {
            return new Claim(file, line, List.of(), null, 0, reason);
        }
    }

    private static final String SCRATCH = "FROM scratch\nCOPY a.txt /\n";

    static final List<Claim> CLAIMS = List.of(
            // Rules about every flag, not claims about one feature: the flags' own tests check them.
            Claim.unchecked("README.md", "flags of `docker build` that are not implemented yet fail", "a rule for all flags"),
            Claim.unchecked("README.md", "with \"not implemented yet\"", "a rule for all flags"),
            Claim.unchecked("docs/architecture.md", "is rejected with \"not implemented yet\"", "a rule for all flags"),
            Claim.unchecked("docs/troubleshooting.md", "`--xyz is not implemented yet`", "explains the message"),
            Claim.unchecked("docs/usage.md", "A flag marked \"not implemented yet\"", "a rule for all flags"),
            Claim.unchecked("docs/usage.md", "flag not implemented yet)", "the exit code table"),
            Claim.unchecked("docs/development.md", "cgroups in hybrid mode not supported", "quotes podman's message"),
            Claim.unchecked("docs/architecture.md", "`--X is not implemented yet`, so a CI line gets", "a rule for all flags"),
            Claim.unchecked("docs/performance.md", "class not supported by AOTClassLinking", "quotes the JVM's log"),
            Claim.unchecked("docs/supply-chain.md", "**Older RPM databases** are not supported yet",
                    "sbom.RpmCataloger reads only rpmdb.sqlite; the CLI does not scan yet"),
            Claim.unchecked("docs/registries.md", "until jbuild supports it, use a",
                    "needs a proxy that asks for credentials (the JDK's tunnelling rule)"),
            // Git sources: LFS and bake's target: (docs/build-context.md, "Remote contexts").
            Claim.refused("docs/usage.md", "`target:` (a bake feature) is not implemented", SCRATCH,
                    "target: is a bake feature, not implemented", "--build-context", "x=target:other", "CONTEXT"),
            Claim.refused("docs/build-context.md", "feature and is not implemented", SCRATCH,
                    "target: is a bake feature, not implemented", "--build-context", "x=target:other", "CONTEXT"),
            Claim.unchecked("docs/dockerfile.md", "submodules, LFS not supported)",
                    "needs a git server: git.GitFetcherTest.lfsPointersStayWithAWarning checks the pointer and the warning"),
            Claim.unchecked("docs/build-context.md", "**Git LFS is not supported**",
                    "needs a git server: git.GitFetcherTest.lfsPointersStayWithAWarning checks the pointer and the warning"),
            Claim.unchecked("docs/build-context.md", "`filter=lfs` the build prints `warning: git LFS is not supported",
                    "quotes the warning; git.GitFetcherTest.lfsPointersStayWithAWarning checks it"),
            Claim.refused("docs/usage.md", "`oci` is refused: not implemented", SCRATCH, "not implemented",
                    "--isolation", "oci", "CONTEXT"),
            Claim.refused("docs/rootless.md", "| `oci` | — | refused: not implemented", SCRATCH, "not implemented",
                    "--isolation=oci", "CONTEXT"),
            Claim.refused("docs/rootless.md", "The flag is refused with \"not implemented\"", SCRATCH, "not implemented",
                    "--isolation=oci", "CONTEXT"),
            Claim.refused("docs/dockerfile.md", "**Not supported:** `RUN --device`", "FROM scratch\nRUN --device=/dev/fuse true\n",
                    "Dockerfile:2:5: unknown flag: device", "--progress=plain", "CONTEXT"),
            // The table of docker build flags jbuild refuses or accepts only in their harmless forms.
            Claim.refused("docs/usage.md", "a scanner image (`--sbom=generator=IMAGE`) is \"not implemented yet\"", SCRATCH,
                    "--sbom=generator=docker/scout-sbom-indexer is not implemented yet", "--sbom=generator=docker/scout-sbom-indexer",
                    "CONTEXT"),
            Claim.refused("docs/usage.md", "`=false` is \"not implemented yet\"", SCRATCH,
                    "--disable-content-trust=false is not implemented yet", "--disable-content-trust=false", "CONTEXT"),
            Claim.refused("docs/usage.md", "`outline`, `targets` and the others are \"not implemented yet\"", SCRATCH,
                    "--call=outline is not implemented yet", "--call=outline", "CONTEXT"),
            Claim.refused("docs/usage.md", "other entitlements are \"not implemented yet\"", SCRATCH,
                    "--allow security.insecure is not implemented yet", "--allow", "security.insecure", "CONTEXT"),
            Claim.refused("docs/usage.md", "refused: `--X is not implemented yet`", SCRATCH,
                    "--cgroup-parent is not implemented yet", "--cgroup-parent", "/ci", "CONTEXT"),
            Claim.refused("docs/usage.md", "refused: `--X is not implemented yet`", SCRATCH,
                    "--memory is not implemented yet", "-m", "2g", "CONTEXT"),
            Claim.refused("docs/dockerfile.md", "`insecure` is refused when the step runs: not implemented yet",
                    "FROM scratch\nRUN --security=insecure true\n", "Dockerfile:2: RUN --security=insecure is not implemented yet",
                    "--progress=plain", "CONTEXT"),
            Claim.refused("docs/usage.md", "Docker's `host-gateway` is not implemented yet", SCRATCH,
                    "host-gateway is not implemented yet", "--add-host", "h:host-gateway", "CONTEXT"),
            Claim.refused("docs/dockerfile.md", "`from` and `source` are refused: not implemented yet",
                    "FROM scratch\nRUN --mount=type=cache,target=/x,from=foo true\n",
                    "Dockerfile:2:5: RUN --mount=type=cache,from=...: not implemented yet", "--progress=plain", "CONTEXT"),
            Claim.refused("docs/dockerfile.md", "`from` and `source` are refused: not implemented yet",
                    "FROM scratch\nRUN --mount=type=cache,target=/x,source=sub true\n",
                    "Dockerfile:2:5: RUN --mount=type=cache,source=...: not implemented yet", "--progress=plain", "CONTEXT"),
            // BuildKit's error texts quoted: each is what jbuild prints.
            Claim.refused("docs/dockerfile.md", "`unsupported mount type \"nope\"`",
                    "FROM scratch\nRUN --mount=type=nope true\n", "Dockerfile:2:5: unsupported mount type \"nope\"",
                    "--progress=plain", "CONTEXT"),
            Claim.refused("docs/dockerfile.md", "`unsupported modifier (:#) in substitution`",
                    "FROM scratch\nENV V=abc\nENV P=${V:#a}\n",
                    "Dockerfile:3:7: failed to process \"${V:#a}\": unsupported modifier (:#) in substitution",
                    "--progress=plain", "CONTEXT"),
            Claim.refused("docs/dockerfile.md", "`unsupported sharing value \"weird\"`",
                    "FROM scratch\nRUN --mount=type=cache,target=/x,sharing=weird true\n",
                    "Dockerfile:2:5: unsupported sharing value \"weird\"", "--progress=plain", "CONTEXT"),
            // Signatures (docs/supply-chain.md): keyless signing needs the internet.
            Claim.refused("docs/supply-chain.md", "sigstore services on the internet: not supported", SCRATCH,
                    "keyless signing is not supported", "sign", "127.0.0.1:1/team/app:1"),
            Claim.refused("docs/usage.md", "Without `--key`: keyless signing is not supported", SCRATCH,
                    "keyless signing is not supported", "sign", "127.0.0.1:1/team/app:1"),
            Claim.unchecked("docs/security.md", "the key is refused: `unsupported scrypt parameters",
                    "quotes the message; signing.KeyCryptoTest checks it"),
            Claim.unchecked("docs/supply-chain.md", "hardware and KMS keys are not supported either",
                    "formats and key stores jbuild does not read or write: nothing to refuse"),
            // "accepted and without effect": a required ARG that is not given does not fail the build.
            new Claim("docs/dockerfile.md", "**Not supported:** `RUN --device`", List.of("--progress=plain", "CONTEXT"),
                    "FROM scratch\nARG --required NEEDED\nCOPY a.txt /\n", 0, "writing image"));

    @Test
    void everyClaimThatSomethingIsMissingIsListedAndTrue(@TempDir Path temp) throws Exception {
        List<String> unlisted = new ArrayList<>();
        for (Path file : markdown()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (!CLAIM.matcher(line).find()) {
                    continue;
                }
                String name = file.toString().replace('\\', '/');
                boolean listed = CLAIMS.stream().anyMatch(c -> c.file().equals(name) && line.contains(c.line()));
                if (!listed) {
                    unlisted.add(name + ":" + (i + 1) + ": " + line.strip());
                }
            }
        }
        assertEquals(List.of(), unlisted, "sentences saying a feature is missing, not in DocsClaimsTest.CLAIMS with a check"
                + " (if the feature works, fix the doc; if it is missing, add the claim and how to see it refused)");

        int checked = 0;
        for (Claim claim : CLAIMS) {
            if (claim.args().isEmpty()) {
                continue;
            }
            Path context = Files.createDirectories(temp.resolve("context-" + checked));
            Files.writeString(context.resolve("a.txt"), "a\n");
            Files.writeString(context.resolve("Dockerfile"), claim.dockerfile());
            List<String> args = new ArrayList<>(List.of("--root", temp.resolve("store").toString()));
            claim.args().forEach(a -> args.add(a.equals("CONTEXT") ? context.toString() : a));
            CliTest.Result result = CliTest.run(args.toArray(String[]::new));
            assertEquals(claim.exitCode(), result.exitCode(), claim + "\n" + result.err());
            assertTrue((result.out() + result.err()).contains(claim.output()), claim + "\n" + result.err());
            checked++;
        }
        assertTrue(checked >= 5);
    }

    /** README.md, docs/*.md and the examples' markdown, relative to the checkout. */
    private static List<Path> markdown() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
        for (String dir : List.of("docs", "examples")) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }
}
