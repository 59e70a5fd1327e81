package dev.jbuild.git;

import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.transport.sshd.agent.AbstractConnector;
import org.eclipse.jgit.transport.sshd.agent.Connector;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;

/**
 * JGit's side of an SSH agent, over the agent's Unix socket with the JDK's own Unix domain sockets. JGit's
 * agent module does the same through JNA (and does not resolve here); the protocol (draft-miller-ssh-agent)
 * is only a 4-byte length before each message, which is all this class adds to JGit's {@link AbstractConnector}.
 * The socket is the one the build forwards as {@code default}, whatever an ssh config would name: jbuild reads
 * none, as BuildKit runs ssh with {@code -F /dev/null}.
 */
final class AgentConnector extends AbstractConnector {

    private final Path socket;
    private SocketChannel channel;

    /** @param socket the agent's socket; null when the build forwards none (connecting then says so) */
    AgentConnector(Path socket) {
        this.socket = socket;
    }

    @Override
    public synchronized boolean connect() throws IOException {
        if (socket == null) {
            // Reached by remotes the caller could not check first, such as a submodule over SSH of an https repository.
            throw new IOException("git over SSH needs an SSH agent: no SSH key \"default\" was forwarded; pass --ssh default"
                    + " (the agent of $SSH_AUTH_SOCK) or --ssh default=SOCKET");
        }
        if (channel == null) {
            SocketChannel opened = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                opened.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                opened.close();
                throw new IOException("cannot reach the SSH agent at " + socket + ": " + e.getMessage(), e);
            }
            channel = opened;
        }
        return true;
    }

    @Override
    public synchronized byte[] rpc(byte command, byte[] message) throws IOException {
        if (channel == null) {
            throw new IOException("the SSH agent at " + socket + " is not connected");
        }
        prepareMessage(command, message); // fills in the length and the command in the first 5 bytes
        ByteBuffer request = ByteBuffer.wrap(message);
        while (request.hasRemaining()) {
            channel.write(request);
        }
        byte[] length = readFully(4);
        return readFully(toLength(command, length)); // toLength refuses a reply longer than JGit's maximum
    }

    private byte[] readFully(int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the SSH agent at " + socket + " closed the connection");
            }
        }
        return buffer.array();
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Makes JGit use one agent socket for every connection. */
    record Factory(Path socket) implements ConnectorFactory, ConnectorFactory.ConnectorDescriptor {

        @Override
        public Connector create(String identityAgent, File homeDir) {
            return new AgentConnector(socket);
        }

        @Override
        public boolean isSupported() {
            return true;
        }

        @Override
        public String getName() {
            return "jbuild";
        }

        @Override
        public Collection<ConnectorDescriptor> getSupportedConnectors() {
            return List.of(this);
        }

        @Override
        public ConnectorDescriptor getDefaultConnector() {
            return this;
        }

        @Override
        public String getIdentityAgent() {
            return String.valueOf(socket);
        }

        @Override
        public String getDisplayName() {
            return socket == null ? "no SSH agent" : "SSH agent at " + socket;
        }
    }
}
