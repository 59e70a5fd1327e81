package dev.jbuild.registry;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Run in a child JVM by {@link CredentialLookupTest}: credential helpers are found on the
 * process's PATH, which a test can only change for a new process. Prints what the lookup found.
 */
public final class CredentialProbe {

    private CredentialProbe() {}

    public static void main(String[] args) throws Exception {
        RegistryOptions options = RegistryOptions.builder().dockerConfigFile(Path.of(args[0])).build();
        Optional<Credentials> c = new CredentialLookup(options).lookup(args[1]);
        System.out.println(c.map(x -> x.isIdentityToken() ? "identity=" + x.identityToken() : "user=" + x.username() + " secret=" + x.password())
                .orElse("none"));
    }
}
