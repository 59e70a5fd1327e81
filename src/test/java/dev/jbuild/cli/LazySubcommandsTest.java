package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link Main#run} registers only the subcommand a command line runs; what users see must be what
 * the whole command tree shows: each command's usage (with the inherited global options), and the
 * top-level help with every command.
 */
class LazySubcommandsTest {

    @Test
    void everySubcommandsHelpIsTheSameAsInTheWholeTree() {
        CommandLine whole = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertEquals(Main.SUBCOMMANDS.size(), whole.getSubcommands().size());
        for (Map.Entry<String, CommandLine> sub : whole.getSubcommands().entrySet()) {
            StringWriter expected = new StringWriter();
            sub.getValue().usage(new PrintWriter(expected, true));
            CliTest.Result result = CliTest.run(sub.getKey(), "--help");
            assertEquals(0, result.exitCode(), sub.getKey());
            assertEquals(expected.toString(), result.out(), sub.getKey());
            // Global options before the command name still find it.
            assertEquals(expected.toString(), CliTest.run("--debug", "--root", "/nonexistent", sub.getKey(), "--help").out(), sub.getKey());
        }
    }

    @Test
    void theTopLevelHelpListsEveryCommand() {
        CommandLine whole = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        StringWriter expected = new StringWriter();
        whole.usage(new PrintWriter(expected, true));
        assertEquals(expected.toString(), CliTest.run("--help").out());
        assertEquals(expected.toString(), CliTest.run().out());
    }

    @Test
    void wordsThatAreNoCommandStillGoToBuild() {
        CliTest.Result result = CliTest.run("--root", "/nonexistent", "--no-such-flag", ".");
        assertEquals(ExitCodes.USAGE, result.exitCode());
        assertTrue(result.err().startsWith("jbuild: unknown flag: --no-such-flag\n"), result.err());
        assertTrue(result.err().endsWith("See 'jbuild build --help'.\n"), result.err());
    }

    @Test
    void aMistypedFlagIsNamedAloneWithTheFlagItIsClosestTo() {
        CliTest.Result typo = CliTest.run("build", "--tgg", "x", "examples/hello");
        assertEquals(ExitCodes.USAGE, typo.exitCode());
        assertEquals("jbuild: unknown flag: --tgg (did you mean --tag?)\nSee 'jbuild build --help'.\n", typo.err());
        CliTest.Result extra = CliTest.run("build", "-t", "x", "one", "two");
        assertEquals(ExitCodes.USAGE, extra.exitCode());
        assertTrue(extra.err().startsWith("jbuild: unexpected argument 'two'\n"), extra.err());
    }
}
