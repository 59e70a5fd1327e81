package dev.jbuild.api;

import dev.jbuild.git.SshSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --ssh default|ID[=SOCKET]} as buildx reads it: {@code default} (or an id without a socket) forwards
 * {@code $SSH_AUTH_SOCK}; {@code ID=SOCKET} forwards that agent socket. buildx also accepts private key files
 * (it then runs an agent of its own); jbuild forwards agent sockets only and says so. The {@code default}
 * agent is also the one git over SSH takes its keys from.
 */
final class SshSockets {

    private SshSockets() {}

    /**
     * The build's sockets: {@code --ssh} as given; without any, {@code default} ({@code authSock}) when the context
     * is git over SSH, as buildx forwards {@code $SSH_AUTH_SOCK} for such a context by itself (named contexts and
     * {@code ADD} over SSH need {@code --ssh default}).
     */
    static Map<String, Path> forBuild(List<String> specs, String context, String authSock) {
        if (specs.isEmpty() && RemoteContexts.needsSsh(context)) {
            if (authSock == null || authSock.isEmpty()) {
                throw Problem.invalid("build context " + context + ": git over SSH takes its key from an"
                        + " SSH agent, and SSH_AUTH_SOCK is not set; start one (eval $(ssh-agent) && ssh-add) or pass"
                        + " --ssh default=SOCKET");
            }
            return parse(List.of(SshSettings.AGENT_ID), authSock);
        }
        return parse(specs, authSock);
    }

    static Map<String, Path> parse(List<String> specs, String authSock) {
        Map<String, Path> result = new LinkedHashMap<>();
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            String id = (equals < 0 ? spec : spec.substring(0, equals)).trim();
            if (id.isEmpty()) {
                throw Problem.invalid("invalid --ssh " + spec + ": expected default or ID[=SOCKET]");
            }
            String source;
            if (equals < 0) {
                if (authSock == null || authSock.isEmpty()) {
                    throw Problem.invalid("--ssh " + id + ": SSH_AUTH_SOCK is not set; start an"
                            + " agent (eval $(ssh-agent) && ssh-add) or pass --ssh " + id + "=SOCKET");
                }
                source = authSock;
            } else {
                source = spec.substring(equals + 1).trim();
                if (source.contains(",")) {
                    throw Problem.invalid("--ssh " + spec + ": one agent socket per id");
                }
            }
            Path socket = Path.of(source).toAbsolutePath();
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(socket, BasicFileAttributes.class);
            } catch (IOException e) {
                throw Problem.invalid("--ssh " + id + ": cannot use " + source + ": " + e.getMessage());
            }
            if (!attributes.isOther()) {
                throw Problem.invalid("--ssh " + id + ": " + source + " is not a socket (jbuild"
                        + " forwards SSH agent sockets; load a key file into an agent with ssh-add)");
            }
            if (result.put(id, socket) != null) {
                throw Problem.invalid("--ssh " + id + " given twice");
            }
        }
        return result;
    }
}
