package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/usage.md must describe every command and every option the program has. */
class UsageDocTest {

    @Test
    void everyCommandAndOptionIsDocumented() throws Exception {
        String usage = Files.readString(Path.of("docs/usage.md"));
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<String> missing = new ArrayList<>();
        collect(root, usage, missing);
        assertTrue(missing.isEmpty(), "not in docs/usage.md: " + missing);
    }

    private static void collect(CommandLine command, String usage, List<String> missing) {
        String name = command.getCommandSpec().qualifiedName();
        // The whole name: `jbuild system reset` for a nested command.
        if (command.getParent() != null && !usage.contains("`" + name)) {
            missing.add(name);
        }
        for (OptionSpec option : command.getCommandSpec().options()) {
            for (String optionName : option.names()) {
                if (!usage.contains("`" + optionName) && !usage.contains(" " + optionName + "`")
                        && !usage.contains("`" + optionName + "`") && !usage.contains(", " + optionName)) {
                    missing.add(name + " " + optionName);
                }
            }
        }
        command.getSubcommands().values().forEach(sub -> collect(sub, usage, missing));
    }
}
