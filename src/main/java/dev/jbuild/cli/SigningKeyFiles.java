package dev.jbuild.cli;

import dev.jbuild.signing.ImageSigner;
import dev.jbuild.signing.PasswordSource;
import dev.jbuild.signing.SigningException;
import dev.jbuild.signing.SigningKey;
import java.io.Console;
import java.io.IOException;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;

/**
 * Key files named by {@code --key} / {@code --sign-key}. The password of an encrypted key comes
 * from {@code COSIGN_PASSWORD}, as cosign reads it (set and empty means an empty password), else from
 * a prompt on the terminal; without either the command fails before it does anything.
 */
final class SigningKeyFiles {

    static final String PASSWORD_VARIABLE = "COSIGN_PASSWORD";

    private SigningKeyFiles() {}

    static SigningKey privateKey(Path file) {
        try {
            return ImageSigner.readPrivateKey(file, PASSWORD);
        } catch (SigningException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading " + file + ": " + e.getMessage());
        }
    }

    static ECPublicKey publicKey(Path file) {
        try {
            return ImageSigner.readPublicKey(file);
        } catch (SigningException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading " + file + ": " + e.getMessage());
        }
    }

    /** COSIGN_PASSWORD, else the terminal; the Java API takes it for --sign-key. */
    static final PasswordSource PASSWORD = prompt -> {
        String fromEnvironment = System.getenv(PASSWORD_VARIABLE);
        if (fromEnvironment != null) {
            return fromEnvironment.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: the private key is encrypted: set " + PASSWORD_VARIABLE
                    + " to its password (no terminal to ask on)");
        }
        char[] password = console.readPassword("%s", prompt);
        if (password == null) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: no password given for the private key");
        }
        return password;
    };
}
