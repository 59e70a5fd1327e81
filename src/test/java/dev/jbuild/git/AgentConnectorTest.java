package dev.jbuild.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.Integration;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent protocol's framing over a Unix socket, against a scripted agent: each request is a 4-byte length and
 * the message, each reply the same; a reply longer than JGit's bound or cut short is an error, not a hang or a
 * huge allocation. (SshFetchTest uses the real ssh-agent.)
 */
@Integration
class AgentConnectorTest {

    @TempDir
    Path temp;

    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;

    /** Serves one connection: reads one request (returned), then writes {@code reply} as it is. */
    private CompletableFuture<byte[]> agent(Path socket, byte[] reply) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel client = server.accept()) {
                ByteBuffer length = ByteBuffer.allocate(4);
                while (length.hasRemaining()) {
                    client.read(length);
                }
                ByteBuffer request = ByteBuffer.allocate(length.flip().getInt());
                while (request.hasRemaining()) {
                    client.read(request);
                }
                client.write(ByteBuffer.wrap(reply));
                return request.array();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void aRequestAndItsReplyAreFramedByTheirLength() throws Exception {
        Path socket = temp.resolve("agent.sock");
        CompletableFuture<byte[]> request = agent(socket, new byte[] {0, 0, 0, 5, IDENTITIES_ANSWER, 0, 0, 0, 0});
        try (AgentConnector connector = new AgentConnector(socket)) {
            assertTrue(connector.connect());
            assertArrayEquals(new byte[] {IDENTITIES_ANSWER, 0, 0, 0, 0}, connector.rpc(REQUEST_IDENTITIES),
                    "the reply without its length: the answer's type and its count of keys");
        }
        assertArrayEquals(new byte[] {REQUEST_IDENTITIES}, request.get(10, TimeUnit.SECONDS), "the command alone");
    }

    @Test
    void anOversizedOrCutReplyIsAnError() throws Exception {
        Path big = temp.resolve("big.sock");
        agent(big, new byte[] {0x7f, 0, 0, 0});
        try (AgentConnector connector = new AgentConnector(big)) {
            connector.connect();
            assertThrows(IOException.class, () -> connector.rpc(REQUEST_IDENTITIES));
        }
        Path cut = temp.resolve("cut.sock");
        agent(cut, new byte[] {0, 0, 0, 9, IDENTITIES_ANSWER});
        try (AgentConnector connector = new AgentConnector(cut)) {
            connector.connect();
            IOException e = assertThrows(IOException.class, () -> connector.rpc(REQUEST_IDENTITIES));
            assertEquals("the SSH agent at " + cut + " closed the connection", e.getMessage());
        }
    }

    @Test
    void aMissingSocketOrNoAgentSaysSo() {
        Path missing = temp.resolve("nothing.sock");
        IOException absent = assertThrows(IOException.class, () -> new AgentConnector(missing).connect());
        assertTrue(absent.getMessage().startsWith("cannot reach the SSH agent at " + missing), absent.getMessage());
        IOException none = assertThrows(IOException.class, () -> new AgentConnector(null).connect());
        assertTrue(none.getMessage().contains("no SSH key \"default\" was forwarded; pass --ssh default"), none.getMessage());
    }
}
