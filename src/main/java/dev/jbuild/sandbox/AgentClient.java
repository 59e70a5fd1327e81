package dev.jbuild.sandbox;

import dev.jbuild.layer.ByteProgress;
import dev.jbuild.store.FileTrees;
import dev.jbuild.store.NoSpaceLeftException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sandbox's side of its one agent: started on first need, replaced by the next call when it died, ended by
 * {@link #close}; each call's answer, or its failure said in the user's terms (how the agent ended, a full
 * disk as such). Thread-safe.
 */
final class AgentClient {
    private final SandboxOptions options;
    private final IdMapping mapping;
    private final Map<String, String> tools;
    private final List<String> namespaces;
    /** The running agent, if any, and its directory (guarded by this). */
    private AgentConnection agent;
    private Path agentDir;
    /** How many agents were started (guarded by this): a test's window on their reuse. */
    private int starts;
    private boolean closed;

    AgentClient(SandboxOptions options, IdMapping mapping, Map<String, String> tools, List<String> namespaces) {
        this.options = options;
        this.mapping = mapping;
        this.tools = tools;
        this.namespaces = List.copyOf(namespaces);
    }

    /**
     * Sends {@code request} to the agent and waits for its answer, its command's output going to
     * {@code output} and its progress to {@code progress}. Interrupting the caller kills the call's command
     * (and only it) and waits for the agent to clean up after it, then throws {@link InterruptedException}.
     *
     * @param work the call's directory, where a full disk is looked for when the agent dies
     * @throws SandboxException for the agent's own error too (a full disk with a {@link NoSpaceLeftException}
     *                          as its cause)
     */
    AgentProtocol.Response call(AgentProtocol.Request request, Path work, OutputListener output, ByteProgress progress)
            throws SandboxException, InterruptedException {
        AgentConnection connection = agent();
        AgentProtocol.Response response;
        try {
            response = connection.submit(request, output, progress).await();
        } catch (AgentConnection.Ended e) {
            // The agent died (killed, out of memory, unable to start) or could not finish its answer: say
            // how it ended, what it printed and what is wrong with the answer; a full disk is named as such.
            int rc = e.exitCode;
            String how = isClosed() ? "was closed" : rc == 0 ? "exited" : rc < 0 ? "ended"
                    : "failed (exit " + rc + (rc > 128 ? ", killed by signal " + (rc - 128) : "") + ")";
            SandboxException failure = new SandboxException("the sandbox agent " + how + " without a complete answer: "
                    + e.reason + (e.said.isEmpty() ? "" : "; it said: " + e.said)
                    + (rc == 0 || isClosed() ? "" : Preflight.hint(tools, mapping)), e);
            if (NoSpaceLeftException.nearlyFull(work)) {
                throw noSpaceLeft(work.toString(), failure);
            }
            throw failure;
        } catch (IOException e) {
            throw new SandboxException("cannot send a request to the sandbox agent: " + e.getMessage(), e);
        }
        if (!response.ok()) {
            throw failure(response);
        }
        return response;
    }

    AgentProtocol.Response call(AgentProtocol.Request request, Path work, OutputListener output)
            throws SandboxException, InterruptedException {
        return call(request, work, output, ByteProgress.NONE);
    }

    /** Ends the agent, if one runs, and with it whatever it still runs: calls in progress fail, later calls too. */
    void close() {
        AgentConnection running;
        Path dir;
        synchronized (this) {
            closed = true;
            running = agent;
            dir = agentDir;
            agent = null;
            agentDir = null;
        }
        if (running != null) {
            running.close();
        }
        removeAgentDir(dir);
    }

    /** The agent's process id (outside the namespaces), starting the agent if none runs: for tests. */
    long pid() throws SandboxException {
        return agent().pid();
    }

    /** How many agents have been started so far: for tests. */
    synchronized int starts() {
        return starts;
    }

    /** The running agent, or a new one when there is none yet or the last one died. */
    private synchronized AgentConnection agent() throws SandboxException {
        if (closed) {
            throw new SandboxException("the sandbox is closed");
        }
        if (agent == null || !agent.alive()) {
            if (agent != null) {
                removeAgentDir(agentDir);
            }
            agentDir = Sandbox.newWorkDir(options.workRoot(), "agent-");
            List<String> cmd = new ArrayList<>();
            if (namespaces.contains(ChrootSupport.MOUNT)) {
                // The outer pid namespace stays: the agent is its pid 1, so its death (however it comes)
                // kills every command below it.
                cmd.add(tools.get("unshare"));
                cmd.addAll(mapping.unshareOptions());
                cmd.addAll(List.of("--mount", "--propagation=private", "--pid", "--fork", "--kill-child", "--"));
            }
            cmd.addAll(options.agentJava());
            cmd.addAll(List.of("-cp", options.agentClasspath(), SandboxAgent.class.getName(), "serve",
                    agentDir.toString()));
            agent = AgentConnection.start(cmd);
            starts++;
        }
        return agent;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** An ended agent's directory: its mounts went with it, what is left are its own (container root's) files. */
    private static void removeAgentDir(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            FileTrees.deleteTree(dir);
        } catch (IOException e) {
            Sandbox.leftover(dir, e);
        }
    }

    /** The agent's error: a full disk with a {@link NoSpaceLeftException} as its cause, anything else as it was reported. */
    private static SandboxException failure(AgentProtocol.Response response) {
        if (response.noSpaceLeft() != null) {
            return noSpaceLeft(response.noSpaceLeft(), new SandboxException(response.error()));
        }
        return new SandboxException(response.error());
    }

    /**
     * A sandbox failure that is a full disk while writing {@code path}: callers find it with
     * {@link NoSpaceLeftException#of} and name the store it is in.
     */
    private static SandboxException noSpaceLeft(String path, Throwable cause) {
        NoSpaceLeftException full = new NoSpaceLeftException(path, cause);
        return new SandboxException(full.getMessage(), full);
    }
}
