package dev.jbuild.git;

import java.nio.file.Path;
import java.util.List;

/**
 * What git over SSH ({@code git@host:…}, {@code ssh://}) uses: keys only from the SSH agent that the build
 * forwards as {@code default} ({@code --ssh default}, the id BuildKit's git sources use), and the host keys
 * of {@code knownHosts}, checked strictly (an unknown or changed host key fails the fetch).
 *
 * @param agentSocket the agent's Unix socket, or null when the build forwards none (SSH sources then fail clearly)
 * @param knownHosts  OpenSSH {@code known_hosts} files; missing ones are skipped
 */
public record SshSettings(Path agentSocket, List<Path> knownHosts) {

    /** The {@code --ssh} id whose agent git sources use: BuildKit's {@code llb.Git} mounts {@code default}. */
    public static final String AGENT_ID = "default";

    public SshSettings {
        knownHosts = List.copyOf(knownHosts);
    }

    /** No agent and no known hosts: every SSH source fails (for callers that never fetch over SSH). */
    public static SshSettings none() {
        return new SshSettings(null, List.of());
    }

    /**
     * OpenSSH's default files for a user whose home is {@code home}: {@code ~/.ssh/known_hosts},
     * {@code ~/.ssh/known_hosts2}, {@code /etc/ssh/ssh_known_hosts}, {@code /etc/ssh/ssh_known_hosts2}.
     * {@code ssh} takes {@code ~} from the passwd entry, not {@code $HOME}; so does Java's {@code user.home}.
     */
    public static List<Path> defaultKnownHosts(Path home) {
        return List.of(home.resolve(".ssh/known_hosts"), home.resolve(".ssh/known_hosts2"),
                Path.of("/etc/ssh/ssh_known_hosts"), Path.of("/etc/ssh/ssh_known_hosts2"));
    }

    /** {@link #defaultKnownHosts} of the user running jbuild. */
    public static List<Path> userKnownHosts() {
        return defaultKnownHosts(Path.of(System.getProperty("user.home")));
    }
}
