package dev.jbuild.build;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Turns a {@code user[:group]} of the Dockerfile into ids, reading the image's passwd and group
 * only when names are used. Every lookup (WORKDIR, COPY/ADD {@code --chown}, RUN) fails through
 * {@link #lookupFailed}, so the message always says what needed the user.
 */
final class Ownership {

    private Ownership() {}

    /**
     * @param purpose what the ids are for and that they could not be found: {@link #forWorkdir},
     *     {@link #forChown}, {@link #forRun}
     * @throws IllegalArgumentException when a name is not in the image, with {@code purpose} in the message
     */
    static UserDatabase.Ids resolve(BuildSession session, ImageState state, String spec, String purpose) throws IOException {
        if (spec == null || spec.isEmpty()) {
            return new UserDatabase.Ids(0, 0, List.of());
        }
        if (spec.matches("\\d+(:\\d+)?")) {
            // Numbers need no lookup: an image without /etc/passwd accepts --chown=1000:1000.
            return UserDatabase.empty().resolve(spec);
        }
        return resolve(database(session, state), spec, purpose);
    }

    /** Like {@link #resolve(BuildSession, ImageState, String, String)} with the database already read. */
    static UserDatabase.Ids resolve(UserDatabase users, String spec, String purpose) {
        try {
            return users.resolve(spec);
        } catch (UserDatabase.UnknownName e) {
            throw lookupFailed(purpose, e);
        }
    }

    static UserDatabase database(BuildSession session, ImageState state) throws IOException {
        Optional<byte[]> passwd = state.fs().readSmallFile("etc/passwd", session.layerFiles);
        Optional<byte[]> group = state.fs().readSmallFile("etc/group", session.layerFiles);
        return UserDatabase.parse(passwd.map(StageExecutor::utf8).orElse(null), group.map(StageExecutor::utf8).orElse(null));
    }

    /** WORKDIR makes missing directories owned by the USER in force (BuildKit does the same lookup). */
    static String forWorkdir(String directory, String user) {
        return "WORKDIR creates its directory " + directory + " owned by the current USER \"" + user
                + "\", which could not be looked up";
    }

    /** {@code COPY --chown=} and {@code ADD --chown=}. */
    static String forChown(String keyword, String spec) {
        return keyword + " --chown=" + spec + ": the owner could not be looked up";
    }

    static String forRun(String user) {
        return "RUN runs as the current USER \"" + user + "\", which could not be looked up";
    }

    /**
     * The one wording of a failed lookup: what needed it, BuildKit's message, and, when the image
     * has no passwd or group file at all (FROM scratch), that names cannot work there but numbers do.
     */
    private static IllegalArgumentException lookupFailed(String purpose, UserDatabase.UnknownName e) {
        String file = "/etc/" + e.file();
        String hint = e.fileMissing()
                ? " (the image has no " + file + ": use a numeric id such as 0, or add " + file + " first)"
                : "";
        return new IllegalArgumentException(purpose + ": " + e.getMessage() + hint, e);
    }
}
