package dev.jbuild.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A loopback HTTP server answering every path under {@code /dl/} with the same bytes: what an ADD URL downloads. */
public final class DownloadServer implements AutoCloseable {

    private final HttpServer server;

    private DownloadServer(HttpServer server) {
        this.server = server;
    }

    public static DownloadServer serving(byte[] body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/dl/", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return new DownloadServer(server);
    }

    /** {@code http://127.0.0.1:PORT/dl/NAME}; {@code name} may carry a query. */
    public String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/dl/" + name;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
