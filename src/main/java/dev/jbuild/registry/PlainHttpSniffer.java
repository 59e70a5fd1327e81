package dev.jbuild.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Tells, with one TCP round trip and without TLS, whether a port answers in plain HTTP. Insecure
 * registries are tried with HTTPS first, as Docker does; on a JVM that first attempt is expensive
 * even when it is bound to fail (building an {@code SSLContext} and loading the TLS stack costs
 * about half a second of a one-second push), and a local registry usually speaks plain HTTP.
 *
 * <p>The bytes sent are a TLS record header followed by an empty line: a TLS server reads a
 * malformed handshake and answers with an alert or closes, while an HTTP server reads a bad
 * request line and answers {@code HTTP/1.x 400}. Only that HTTP answer counts: the JDK's TLS
 * client would fail on it anyway ("Unrecognized SSL message, plaintext connection?"). Anything
 * else (an alert, silence, a closed or refused connection) leaves the decision to the real HTTPS
 * attempt, so the choice of scheme is the one Docker makes.
 */
final class PlainHttpSniffer {

    /** How long to wait for the answer: servers of either kind answer at once. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(1);

    /** Content type 22 (handshake), version 3.1, length 4, then the four bytes of an empty line. */
    private static final byte[] PROBE = {0x16, 0x03, 0x01, 0x00, 0x04, '\r', '\n', '\r', '\n'};
    private static final byte[] HTTP = "HTTP/".getBytes(StandardCharsets.US_ASCII);

    private PlainHttpSniffer() {}

    /** Whether {@code host:port} answers the probe in plain HTTP; false on any doubt or failure. */
    static boolean answersPlainHttp(String host, int port, Duration connectTimeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            socket.setSoTimeout((int) ANSWER_TIMEOUT.toMillis());
            socket.getOutputStream().write(PROBE);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            for (byte expected : HTTP) {
                if (in.read() != expected) {
                    return false;
                }
            }
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
