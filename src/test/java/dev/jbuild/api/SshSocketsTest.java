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

    /** buildx forwards {@code $SSH_AUTH_SOCK} as {@code default} for a context that is git over SSH, and only then. */
    @Test
    void aContextOverSshForwardsSshAuthSockAsDefaultWithoutSshFlagsAsBuildxDoes() throws Exception {
        Path socket = temp.resolve("agent.sock");
        try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            agent.bind(UnixDomainSocketAddress.of(socket));
            String url = "ssh://git@127.0.0.1:2222/srv/any.git";
            assertEquals(Map.of("default", socket), SshSockets.forBuild(List.of(), url, socket.toString()));
            assertEquals(Map.of("default", socket), SshSockets.forBuild(List.of(), "git@github.com:moby/buildkit.git", socket.toString()));
            assertEquals(Map.of(), SshSockets.forBuild(List.of(), "https://example.com/r.git", socket.toString()), "only an SSH context");
            assertEquals(Map.of("other", socket), SshSockets.forBuild(List.of("other=" + socket), url, null), "given --ssh flags win");
            Problem unset = assertThrows(Problem.class, () -> SshSockets.forBuild(List.of(), url, null));
            assertTrue(unset.getMessage().contains("git over SSH takes its key from an SSH agent, and SSH_AUTH_SOCK is not set"),
                    unset.getMessage());
        }
    }
}
