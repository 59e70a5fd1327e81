package dev.jbuild.dockerfile;

import java.time.Duration;
import java.util.List;

/**
 * A Dockerfile instruction with its flags checked and its arguments split, but with no variable
 * expanded: expansion needs the build's ARG and ENV values and happens when the plan or the build
 * reaches the instruction (see {@link ShellWords}). Each record keeps the {@link Node} it was made
 * from, so errors can name the line and history can show the original text.
 */
public sealed interface Instruction {

    Node node();

    default Location location() {
        return node().location();
    }

    /** The command of RUN, CMD, ENTRYPOINT and HEALTHCHECK: shell form or exec (JSON) form. */
    sealed interface Command {
        /** Shell form: one script run through the image's SHELL. */
        record Shell(String script) implements Command {}

        /** Exec form: the argument vector, run directly. */
        record Exec(List<String> argv) implements Command {
            public Exec {
                argv = List.copyOf(argv);
            }
        }
    }

    /** One {@code key=value} of ENV or LABEL. */
    record KeyValue(String key, String value) {}

    /** One name of ARG, with its default when one was written ({@code ARG a=1}); null when none. */
    record ArgDeclaration(String name, String defaultValue) {}

    /** {@code FROM [--platform=P] image [AS name]}; {@code stageName} is null without AS. */
    record From(Node node, String image, String stageName, String platform) implements Instruction {}

    /**
     * {@code RUN}; {@code mounts} are its {@code --mount} flags in order (typed once the RUN's
     * variables are known: {@link MountFlag#expand}), {@code network} and {@code security} are null
     * when not given. Heredocs are in {@code node().heredocs()}.
     */
    record Run(Node node, Command command, List<MountFlag> mounts, String network, String security)
            implements Instruction {
        public Run {
            mounts = List.copyOf(mounts);
        }
    }

    record Cmd(Node node, Command command) implements Instruction {}

    record Entrypoint(Node node, Command command) implements Instruction {}

    /** {@code SHELL ["executable", "parameters"]}; JSON form only. */
    record Shell(Node node, List<String> shell) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }
    }

    record Env(Node node, List<KeyValue> variables) implements Instruction {
        public Env {
            variables = List.copyOf(variables);
        }
    }

    record Arg(Node node, List<ArgDeclaration> declarations) implements Instruction {
        public Arg {
            declarations = List.copyOf(declarations);
        }
    }

    record Label(Node node, List<KeyValue> labels) implements Instruction {
        public Label {
            labels = List.copyOf(labels);
        }
    }

    record Maintainer(Node node, String maintainer) implements Instruction {}

    record Expose(Node node, List<String> ports) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }
    }

    record Volume(Node node, List<String> paths) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }
    }

    record User(Node node, String user) implements Instruction {}

    record Workdir(Node node, String path) implements Instruction {}

    /**
     * {@code COPY}. Sources are unexpanded words; a source that names a heredoc appears as
     * {@code <<NAME} and its body is in {@code node().heredocs()}. Optional flags are null when absent.
     */
    record Copy(
            Node node,
            List<String> sources,
            String destination,
            String from,
            String chown,
            String chmod,
            boolean link,
            boolean parents,
            List<String> excludes) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            excludes = List.copyOf(excludes);
        }
    }

    /**
     * {@code ADD}; like {@link Copy} plus {@code checksum} (for URLs), {@code keepGitDir} (git URLs)
     * and {@code unpack} (null: the default of unpacking local archives only).
     */
    record Add(
            Node node,
            List<String> sources,
            String destination,
            String chown,
            String chmod,
            boolean link,
            String checksum,
            boolean keepGitDir,
            Boolean unpack,
            List<String> excludes) implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            excludes = List.copyOf(excludes);
        }
    }

    /** {@code ONBUILD}: the trigger, parsed now, run when an image built from this one is used. */
    record Onbuild(Node node, Instruction trigger) implements Instruction {

        /**
         * The trigger as text, the way BuildKit stores it in the image config's {@code OnBuild}
         * list: the instruction without the {@code ONBUILD} keyword, followed by each heredoc body
         * and its delimiter. {@link DockerfileParser#parseInstruction} reads it back.
         */
        public String expression() {
            String original = node.original();
            int i = 0;
            while (i < original.length() && isGoSpace(original.charAt(i))) {
                i++;
            }
            if (original.regionMatches(true, i, "ONBUILD", 0, "ONBUILD".length())) {
                i += "ONBUILD".length();
            }
            while (i < original.length() && isGoSpace(original.charAt(i))) {
                i++;
            }
            StringBuilder text = new StringBuilder(original.substring(i));
            for (Heredoc heredoc : node.heredocs()) {
                text.append('\n').append(heredoc.content()).append(heredoc.name());
            }
            return text.toString();
        }

        private static boolean isGoSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
        }
    }

    /** {@code HEALTHCHECK NONE} or a check; durations and retries are null when not given. */
    record Healthcheck(
            Node node,
            Command test,
            Duration interval,
            Duration timeout,
            Duration startPeriod,
            Duration startInterval,
            Integer retries) implements Instruction {

        /** {@code HEALTHCHECK NONE} disables any check inherited from the base image. */
        public boolean disabled() {
            return test == null;
        }
    }

    record Stopsignal(Node node, String signal) implements Instruction {}
}
