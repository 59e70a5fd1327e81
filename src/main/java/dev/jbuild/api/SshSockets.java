package dev.jbuild.api;

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
 * (it then runs an agent of its own); jbuild forwards agent sockets only and says so.
 */
final class SshSockets {

    private SshSockets() {}

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
