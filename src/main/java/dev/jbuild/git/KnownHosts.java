package dev.jbuild.git;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.eclipse.jgit.internal.transport.sshd.OpenSshServerKeyDatabase;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * Host key checking for git over SSH: OpenSSH's {@code StrictHostKeyChecking yes} against the user's
 * {@code known_hosts} files, read by JGit's parser of that format (hashed names, {@code [host]:port},
 * {@code @revoked}, {@code @cert-authority}). Nothing is ever added to a file and nobody is asked.
 * BuildKit instead scans the host's key when the build starts and trusts whatever it gets
 * ({@code ssh-keyscan}, {@code sshutil.SSHKeyScan}), which accepts any server on the way; jbuild does what
 * {@code ssh} and {@code git} do for the same user.
 *
 * <p>JGit reports a rejected key only as "did not validate"; {@link #rejection} keeps, per host, what a
 * user needs instead: the host, the key's type and SHA-256 fingerprint, and whether the key is unknown or
 * differs from the one on file.
 */
final class KnownHosts implements ServerKeyDatabase {

    private final List<Path> files;
    private final ServerKeyDatabase database;
    private final Map<String, String> rejections = new ConcurrentHashMap<>();

    KnownHosts(List<Path> files) {
        this.files = List.copyOf(files);
        this.database = new OpenSshServerKeyDatabase(false, this.files);
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        return database.lookup(connectAddress, remoteAddress, strict(config));
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey, Configuration config,
            CredentialsProvider provider) {
        Configuration strict = strict(config);
        if (database.accept(connectAddress, remoteAddress, serverKey, strict, null)) {
            rejections.remove(connectAddress);
            return true;
        }
        String type = KeyUtils.getKeyType(serverKey);
        String fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, serverKey);
        boolean known = !database.lookup(connectAddress, remoteAddress, strict).isEmpty();
        rejections.put(connectAddress, known
                ? "host key verification failed: the " + type + " key " + fingerprint + " of " + connectAddress
                        + " is not the one the known hosts list for it (" + fileList() + "): the key was changed, or"
                        + " someone is in the middle of the connection; remove the old line once you have checked the new key"
                : "host key verification failed: " + connectAddress + " is not a known host: its " + type + " key is "
                        + fingerprint + "; check that fingerprint with the server's owner, then add the host's line to "
                        + files.get(0) + " (" + keyscan(connectAddress) + " prints it)");
        return false;
    }

    /** Why the host key of {@code connectAddress} ({@code host} or {@code [host]:port}) was refused, if it was. */
    Optional<String> rejection(String connectAddress) {
        return Optional.ofNullable(rejections.get(connectAddress));
    }

    /** {@code host} for port 22, else {@code [host]:port}: how known_hosts and JGit name a host. */
    static String connectAddress(String host, int port) {
        return port <= 0 || port == 22 ? host : "[" + host + "]:" + port;
    }

    private static String keyscan(String connectAddress) {
        if (connectAddress.startsWith("[")) {
            int close = connectAddress.indexOf("]:");
            return "ssh-keyscan -p " + connectAddress.substring(close + 2) + " " + connectAddress.substring(1, close);
        }
        return "ssh-keyscan " + connectAddress;
    }

    private String fileList() {
        return files.stream().map(Path::toString).collect(Collectors.joining(", "));
    }

    /** The session's configuration with jbuild's files and checking, whatever an ssh config says (none is read). */
    private Configuration strict(Configuration session) {
        List<String> names = files.stream().map(Path::toString).toList();
        return new Configuration() {
            @Override
            public List<String> getUserKnownHostsFiles() {
                return names;
            }

            @Override
            public List<String> getGlobalKnownHostsFiles() {
                return List.of();
            }

            @Override
            public StrictHostKeyChecking getStrictHostKeyChecking() {
                return StrictHostKeyChecking.REQUIRE_MATCH;
            }

            @Override
            public boolean getHashKnownHosts() {
                return false;
            }

            @Override
            public String getUsername() {
                return session.getUsername();
            }
        };
    }
}
