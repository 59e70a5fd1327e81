package dev.jbuild.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints a shell completion script: {@code source <(jbuild completion bash)}. */
@Command(name = "completion",
        description = {"Print a shell completion script.", "Bash and zsh: source <(jbuild completion bash)"},
        mixinStandardHelpOptions = true)
final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", defaultValue = "bash",
            description = "bash or zsh (zsh uses the bash script through bashcompinit).")
    String shell;

    @Override
    public void run() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unsupported shell: " + shell + " (bash or zsh)");
        }
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash("jbuild", root));
        spec.commandLine().getOut().flush();
    }
}
