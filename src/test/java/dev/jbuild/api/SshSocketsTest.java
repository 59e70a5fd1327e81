package dev.jbuild.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --ssh} values: agent sockets only, checked before the build. */
@Integration // binds a Unix socket
class SshSocketsTest {

    @TempDir
    Path temp;

    @Test
    void agentSocketsAreCheckedUpFront() throws Exception {
        Path socket = temp.resolve("agent.sock");
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(Map.of("default", socket), SshSockets.parse(List.of("default"), socket.toString()));
            assertEquals(Map.of("default", socket, "git", socket), SshSockets.parse(List.of("default", "git=" + socket), socket.toString()));
            Problem unset = assertThrows(Problem.class, () -> SshSockets.parse(List.of("default"), null));
            assertTrue(unset.getMessage().contains("SSH_AUTH_SOCK is not set"), unset.getMessage());
            Path keyFile = Files.writeString(temp.resolve("id_ed25519"), "key");
            Problem notSocket = assertThrows(Problem.class, () -> SshSockets.parse(List.of("default=" + keyFile), null));
            assertTrue(notSocket.getMessage().contains("is not a socket"), notSocket.getMessage());
        }
    }
}
