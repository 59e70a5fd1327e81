package dev.jbuild.git;

import java.io.File;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * JGit's Apache MINA sshd transport set up as BuildKit runs {@code ssh} for git sources: no ssh config
 * ({@code -F /dev/null}), keys only from the forwarded agent (no {@code ~/.ssh/id_*}, no passwords or
 * prompts), the user and port from the URL. Host keys are checked strictly ({@link KnownHosts}) where
 * BuildKit trusts a scan. One per fetcher; JGit makes a client per connection and stops it with the
 * connection, so there is nothing to close.
 */
final class SshConnections {

    private final KnownHosts knownHosts;
    private final SshdSessionFactory sessions;

    SshConnections(SshSettings settings) {
        JdkEd25519.install(); // before sshd reads the first key
        knownHosts = new KnownHosts(settings.knownHosts());
        // JGit wants a home; with no config, key files or known hosts of its own to read there, it only
        // anchors paths. The user's is the one ssh would use.
        File userHome = new File(System.getProperty("user.home"));
        sessions = new SshdSessionFactoryBuilder()
                .setHomeDirectory(userHome)
                .setSshDirectory(new File(userHome, ".ssh"))
                .setConfigStoreFactory((home, file, localUser) -> null)
                .setDefaultIdentities(sshDir -> List.of())
                .setDefaultKeysProvider(sshDir -> List.of())
                .setPreferredAuthentications("publickey")
                .setServerKeyDatabase((home, sshDir) -> knownHosts)
                .setConnectorFactory(new AgentConnector.Factory(settings.agentSocket()))
                .build(null);
    }

    void configure(SshTransport transport) {
        transport.setSshSessionFactory(sessions);
    }

    /** What to say instead of JGit's "did not validate" when the host key of {@code uri} was refused. */
    Optional<String> hostKeyRejection(URIish uri) {
        return knownHosts.rejection(KnownHosts.connectAddress(uri.getHost(), uri.getPort()));
    }
}
