package dev.jbuild.sandbox;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards connections to a Unix socket (an SSH agent's) from a new socket that the caller's JVM owns, so the
 * agent inside the namespaces can give the new socket the owner and mode the step asked for
 * ({@code RUN --mount=type=ssh,uid=,gid=,mode=}) without touching the user's own socket, as BuildKit does.
 * Lives as long as one run.
 */
final class SocketProxy implements AutoCloseable {
    private final Path upstream;
    private final Path listen;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

    SocketProxy(Path upstream, Path listen) throws IOException {
        this.upstream = upstream;
        this.listen = listen;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen));
        Thread acceptor = new Thread(this::accept, "socket-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path path() {
        return listen;
    }

    private void accept() {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketChannel up;
            try {
                up = SocketChannel.open(UnixDomainSocketAddress.of(upstream));
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            open.add(up);
            pump(client, up);
            pump(up, client);
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "socket-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        try {
            Files.deleteIfExists(listen);
        } catch (IOException e) {
            // the temporary directory is removed with it
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
