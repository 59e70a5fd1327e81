package dev.jbuild.sandbox;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a run's script in the command's own namespaces (pid, mount, uts, ipc, and net for
 * {@code --network=none}; none of them for chroot isolation without a mount namespace), forwards its output
 * to the caller and waits for it; an interrupt kills it.
 */
final class CommandProcess {
    private final AgentProtocol.Request r;
    private final boolean bare;
    private final SandboxAgent.Output output;

    CommandProcess(AgentProtocol.Request r, boolean bare, SandboxAgent.Output output) {
        this.r = r;
        this.bare = bare;
        this.output = output;
    }

    /** Runs {@code script} and returns its exit code (the command's, once the set-up has exec'ed it). */
    int run(String script) throws IOException {
        List<String> cmd = command(script);
        // The command's output comes through pipes we read and forward as frames tagged with this run
        // (AgentProtocol.OUTPUT), rather than through per-run FIFOs the caller would open: one channel to
        // the caller for every run, nothing to create or clean up per run, and the agent's stdout stays
        // the protocol's alone.
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        Thread out = forward(p.getInputStream(), AgentProtocol.STDOUT);
        Thread err = forward(p.getErrorStream(), AgentProtocol.STDERR);
        try {
            int exit = p.waitFor();
            joinAll(out, err);
            return exit;
        } catch (InterruptedException e) {
            // Cancelled: killing unshare kills the command's pid namespace (--kill-child), so its pipes close.
            p.destroyForcibly();
            joinAll(out, err);
            throw new SandboxException("interrupted", e);
        }
    }

    /** The agent's command line for {@code script}: in the command's own namespaces unless bare. */
    List<String> command(String script) {
        List<String> cmd = new ArrayList<>();
        if (!bare) {
            cmd.add(r.tools().get("unshare"));
            cmd.add("--pid");
            cmd.add("--fork");
            cmd.add("--kill-child");
            cmd.add("--mount");
            for (String ns : List.of(ChrootSupport.UTS, ChrootSupport.IPC)) {
                if (r.namespaces().contains(ns)) {
                    cmd.add("--" + ns);
                }
            }
            if ("NONE".equals(r.network())) {
                cmd.add("--net");
            }
            cmd.add("--propagation=private");
            cmd.add("--");
        }
        cmd.add(r.tools().get("sh"));
        cmd.add(script);
        return cmd;
    }

    private Thread forward(InputStream in, byte stream) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (n > 0) {
                        output.write(stream, buffer, n);
                    }
                }
            } catch (IOException e) {
                // the command is gone, or so is the caller (the agent then exits)
            }
        }, "sandbox-run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the output to be forwarded; a kill meanwhile (the command is ending anyway) is kept for later. */
    private static void joinAll(Thread... threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
