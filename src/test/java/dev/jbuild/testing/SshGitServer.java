package dev.jbuild.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real OpenSSH server ({@code /usr/sbin/sshd} of Debian's {@code openssh-server}) on a free loopback port,
 * run as the current user with its own configuration and host key, letting in one generated key; git over SSH
 * then runs the real {@code git-upload-pack} on the repositories of {@link GitRepository} by their absolute
 * paths. Three {@code ssh-agent}s come with it: {@link #agent} holds an authorized Ed25519 key, {@link #rsaAgent}
 * an authorized RSA key, {@link #strangerAgent} a key the server does not know. The server has an Ed25519 and an
 * ECDSA host key; {@link #knownHostsLine} is the line of one for a {@code known_hosts} file.
 *
 * <p>Run as root, sshd wants its privilege separation directory {@code /run/sshd}, which Debian's service
 * makes when it starts; it is made here the same way when missing. As another user sshd needs none.
 */
public final class SshGitServer implements AutoCloseable {

    private final List<Process> processes;
    private final int port;
    private final Path dir;
    private final String user;

    private SshGitServer(List<Process> processes, int port, Path dir, String user) {
        this.processes = processes;
        this.port = port;
        this.dir = dir;
        this.user = user;
    }

    /** Starts the server and the agents; keys, configuration, sockets and logs go to {@code dir}. */
    public static SshGitServer start(Path dir) throws IOException, InterruptedException {
        Path sshd = ExternalTool.require("sshd");
        ExternalTool.require("ssh-agent");
        ExternalTool.require("git-upload-pack");
        Files.createDirectories(dir);
        keygen(dir.resolve("host_key"), "ed25519", "jbuild-test-host");
        keygen(dir.resolve("host_key_ecdsa"), "ecdsa", "jbuild-test-host");
        keygen(dir.resolve("client_key"), "ed25519", "jbuild-test-client");
        keygen(dir.resolve("rsa_key"), "rsa", "jbuild-test-rsa");
        keygen(dir.resolve("stranger_key"), "ed25519", "jbuild-test-stranger");
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(dir.resolve("client_key.pub"))
                + Files.readString(dir.resolve("rsa_key.pub")));
        String user = System.getProperty("user.name");
        if (user.equals("root") && !Files.isDirectory(Path.of("/run/sshd"))) {
            Files.createDirectories(Path.of("/run/sshd"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + dir.resolve("host_key"),
                "HostKey " + dir.resolve("host_key_ecdsa"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PidFile none",
                "UsePAM no",
                "StrictModes no", // the temporary directories are not laid out as sshd wants a home
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "AllowUsers " + user,
                // An empty home: the login shell that runs git-upload-pack then reads no rc files of the
                // real user (an interactive setup can take seconds per connection), git no user config.
                "SetEnv HOME=" + Files.createDirectories(dir.resolve("home")) + " GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null",
                "LogLevel VERBOSE", ""));
        List<Process> processes = new ArrayList<>();
        SshGitServer server = new SshGitServer(processes, port, dir, user);
        try {
            processes.add(new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start());
            processes.add(startAgent(dir, "agent", dir.resolve("client_key")));
            processes.add(startAgent(dir, "rsa", dir.resolve("rsa_key")));
            processes.add(startAgent(dir, "stranger", dir.resolve("stranger_key")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return server;
                } catch (IOException e) {
                    if (!processes.get(0).isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("sshd did not start on port " + port + ": " + Files.readString(dir.resolve("sshd.log")), e);
                    }
                    Thread.sleep(20);
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void keygen(Path key, String type, String comment) {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment, "-f", key.toString()));
        if (type.equals("rsa")) {
            command.addAll(List.of("-b", "2048")); // the smallest ssh-keygen makes: the test needs the type, not the strength
        }
        ExternalTool.command(command).runSuccessfully();
    }

    private static Process startAgent(Path dir, String name, Path key) throws IOException, InterruptedException {
        Path socket = dir.resolve(name + ".sock");
        Process agent = new ProcessBuilder(ExternalTool.require("ssh-agent").toString(), "-D", "-a", socket.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(10);
        }
        if (!Files.exists(socket)) {
            agent.destroy();
            throw new IOException("ssh-agent did not create " + socket);
        }
        ExternalTool.command("ssh-add", "-q", key.toString()).env("SSH_AUTH_SOCK", socket.toString()).runSuccessfully();
        return agent;
    }

    /** {@code ssh://USER@127.0.0.1:PORT/<absolute path of repository>}. */
    public String url(Path repository) {
        return "ssh://" + user + "@127.0.0.1:" + port + repository.toAbsolutePath();
    }

    public int port() {
        return port;
    }

    /** The user the server lets in (the current one). */
    public String user() {
        return user;
    }

    /** The socket of an agent holding the key the server lets in. */
    public Path agent() {
        return dir.resolve("agent.sock");
    }

    /** The socket of an agent holding an RSA key the server lets in. */
    public Path rsaAgent() {
        return dir.resolve("rsa.sock");
    }

    /** The socket of an agent holding only a key the server does not let in. */
    public Path strangerAgent() {
        return dir.resolve("stranger.sock");
    }

    /** {@code [127.0.0.1]:PORT ssh-ed25519 AAAA…}: the server's Ed25519 host key as a known_hosts line. */
    public String knownHostsLine() throws IOException {
        String[] key = Files.readString(dir.resolve("host_key.pub")).trim().split(" ");
        return "[127.0.0.1]:" + port + " " + key[0] + " " + key[1];
    }

    /** The server's ECDSA host key as a known_hosts line. */
    public String ecdsaKnownHostsLine() throws IOException {
        String[] key = Files.readString(dir.resolve("host_key_ecdsa.pub")).trim().split(" ");
        return "[127.0.0.1]:" + port + " " + key[0] + " " + key[1];
    }

    /** The {@code SHA256:…} fingerprints of the host keys (Ed25519, ECDSA), as ssh-keygen prints them. */
    public List<String> hostKeyFingerprints() {
        List<String> fingerprints = new ArrayList<>();
        for (String key : List.of("host_key.pub", "host_key_ecdsa.pub")) {
            fingerprints.add(ExternalTool.command("ssh-keygen", "-l", "-E", "sha256", "-f", dir.resolve(key).toString())
                    .runSuccessfully().stdout().trim().split(" ")[1]);
        }
        return fingerprints;
    }

    /** A known_hosts line for this server with another key: what a changed (or spoofed) host looks like. */
    public String wrongKnownHostsLine() throws IOException {
        String[] key = Files.readString(dir.resolve("stranger_key.pub")).trim().split(" ");
        return "[127.0.0.1]:" + port + " " + key[0] + " " + key[1];
    }

    @Override
    public void close() {
        processes.forEach(ExternalTool::stop);
    }
}
