package dev.jbuild.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP credentials for git remotes, from the build's secrets as BuildKit reads them: for a remote on
 * {@code host} the first of {@code GIT_AUTH_HEADER.<host>}, {@code GIT_AUTH_TOKEN.<host>},
 * {@code GIT_AUTH_HEADER}, {@code GIT_AUTH_TOKEN} that exists. A header secret is the
 * {@code Authorization} value as it is; a token becomes {@code basic base64(x-access-token:<token>)}.
 * Values are held only in memory and never printed ({@link #toString}).
 */
public final class GitCredentials {

    static final String HEADER = "GIT_AUTH_HEADER";
    static final String TOKEN = "GIT_AUTH_TOKEN";

    private final Map<String, String> secrets;

    private GitCredentials(Map<String, String> secrets) {
        this.secrets = Map.copyOf(secrets);
    }

    public static GitCredentials none() {
        return new GitCredentials(Map.of());
    }

    /** Whether a secret id is one of these credentials, {@code GIT_AUTH_TOKEN[.host]} or {@code GIT_AUTH_HEADER[.host]}. */
    public static boolean isGitSecret(String id) {
        return id.equals(HEADER) || id.equals(TOKEN) || id.startsWith(HEADER + ".") || id.startsWith(TOKEN + ".");
    }

    /** The credentials among secret values by id (others are ignored). */
    public static GitCredentials of(Map<String, String> values) {
        Map<String, String> git = new LinkedHashMap<>();
        values.forEach((id, value) -> {
            if (isGitSecret(id)) {
                git.put(id, value.strip());
            }
        });
        return new GitCredentials(git);
    }

    /** Reads the git secrets among {@code secretFiles} (id to file, as {@code --secret} gives them); others are not read. */
    public static GitCredentials fromSecretFiles(Map<String, Path> secretFiles) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, Path> secret : secretFiles.entrySet()) {
            String id = secret.getKey();
            if (isGitSecret(id)) {
                // Trailing newlines of a secret file are not part of a token (echo "$TOKEN" > file).
                values.put(id, Files.readString(secret.getValue(), StandardCharsets.UTF_8).strip());
            }
        }
        return new GitCredentials(values);
    }

    /** The {@code Authorization} header for a remote on {@code host}, if a secret gives one. */
    public Optional<String> authorization(String host) {
        String[][] order = {{HEADER + "." + host, "header"}, {TOKEN + "." + host, "token"}, {HEADER, "header"}, {TOKEN, "token"}};
        for (String[] candidate : order) {
            String value = secrets.get(candidate[0]);
            if (value != null) {
                return Optional.of(candidate[1].equals("header") ? value
                        : "basic " + Base64.getEncoder().encodeToString(("x-access-token:" + value).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "GitCredentials" + secrets.keySet();
    }
}
