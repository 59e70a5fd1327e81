package dev.jbuild.cli;

import dev.jbuild.dockerfile.Diagnostics;
import dev.jbuild.dockerfile.DockerfilePrinter;
import dev.jbuild.dockerfile.DockerfileSource;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.SyntaxTree;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jbuild parse}: shows how jbuild reads a Dockerfile, in BuildKit's test format or JSON. */
@Command(name = "parse",
        mixinStandardHelpOptions = true,
        description = {
            "Parse a Dockerfile and print its syntax tree.",
            "The sexp format is the one BuildKit's parser tests use, so the output can be diffed against BuildKit's.",
            "The tree is printed at BuildKit's parser level; an instruction a build would reject (an unknown flag,",
            "a wrong argument count) is then reported as an error and the exit code is 1."
        })
final class ParseCommand implements Runnable {

    enum Format { sexp, json }

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", defaultValue = "Dockerfile",
            description = "The Dockerfile to parse; `-` reads standard input (default: ${DEFAULT-VALUE}).")
    String file;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "sexp",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public void run() {
        DockerfileSource source;
        SyntaxTree tree;
        try {
            source = DockerfileSource.read(file, System.in);
            tree = source.parseSyntax();
        } catch (DockerfileSource.UnreadableException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
        } catch (DockerfileSyntaxException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, Diagnostics.syntax(e), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        tree.warnings().forEach(w -> err.println("warning: " + w));
        out.print(format == Format.sexp ? DockerfilePrinter.sexp(tree) : DockerfilePrinter.json(tree));
        out.flush();
        // The tree above is BuildKit's parser level; a build also checks each instruction's flags and
        // arguments, so report what the build would reject rather than let `parse` look like a pass.
        try {
            source.parse();
        } catch (DockerfileSyntaxException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, Diagnostics.syntax(e), e);
        }
    }
}
