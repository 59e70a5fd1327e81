package dev.jbuild.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * What jbuild presents to a registry: a user name and password (or access token used as a
 * password), or an identity token (an OAuth2 refresh token, as {@code docker login} stores it in
 * {@code config.json} under {@code identitytoken}). {@link #toString()} never shows a secret.
 *
 * @param username the user; for an identity token Docker's placeholder {@code <token>}
 * @param password the password or access token; null with an identity token
 * @param identityToken an OAuth2 refresh token; null with a password
 */
public record Credentials(String username, String password, String identityToken) {

    /** The user name Docker's credential helpers and config use to mark an identity token. */
    public static final String IDENTITY_TOKEN_USER = "<token>";

    public Credentials {
        if ((password == null) == (identityToken == null)) {
            throw new IllegalArgumentException("credentials need exactly one of a password and an identity token");
        }
        if (password != null && (username == null || username.isEmpty())) {
            throw new IllegalArgumentException("credentials with a password need a user name");
        }
    }

    /** User name and password (or a personal access token used as password). */
    public static Credentials basic(String username, String password) {
        return new Credentials(Objects.requireNonNull(username, "username"), Objects.requireNonNull(password, "password"), null);
    }

    /** An OAuth2 refresh token, exchanged for access tokens at the registry's token endpoint. */
    static Credentials identityToken(String token) {
        return new Credentials(IDENTITY_TOKEN_USER, null, Objects.requireNonNull(token, "token"));
    }

    /**
     * Parses {@code user:password} as given to {@code --creds}; the password may contain colons.
     * A user name of {@code <token>} makes the rest an identity token, as credential helpers do.
     */
    public static Credentials parse(String userColonPassword) {
        int colon = userColonPassword == null ? -1 : userColonPassword.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("credentials must be given as USER:PASSWORD");
        }
        return of(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }

    /** Username and secret as a credential helper returns them: {@code <token>} marks an identity token. */
    static Credentials of(String username, String secret) {
        return IDENTITY_TOKEN_USER.equals(username) ? identityToken(secret) : basic(username, secret);
    }

    boolean isIdentityToken() {
        return identityToken != null;
    }

    /** The value of an HTTP {@code Authorization: Basic} header; only for password credentials. */
    String basicAuthorization() {
        if (password == null) {
            throw new IllegalStateException("an identity token cannot be sent as Basic credentials");
        }
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Who is asking, for messages: the user, the identity token or anonymous (empty); never a secret. */
    static String describeUser(Optional<Credentials> creds) {
        return creds.map(c -> c.isIdentityToken() ? "the identity token" : "user '" + c.username() + "'").orElse("anonymous");
    }

    @Override
    public String toString() {
        return isIdentityToken() ? "Credentials[identity token]" : "Credentials[user=" + username + ", password=***]";
    }
}
