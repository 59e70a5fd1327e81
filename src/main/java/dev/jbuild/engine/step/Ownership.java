package dev.jbuild.engine.step;

import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.sandbox.Rootfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a {@code user[:group]} of the Dockerfile into ids, reading the image's passwd and group
 * only when names are used. BuildKit has two sets of rules, and so does this class: files that
 * COPY/ADD {@code --chown} and WORKDIR create never fail on an unknown name ({@link #resolve(BuildSession,
 * ImageState, String, Consumer)}, a warning), while a RUN process must run as a user the image has
 * ({@link #resolve(UserDatabase, String, String)}). Both say what needed the user.
 */
final class Ownership {

    private Ownership() {}

    /**
     * The owner of what {@code COPY}/{@code ADD --chown} and {@code WORKDIR} (with the current
     * {@code USER}) create, by BuildKit's rules for file operations ({@link UserDatabase#fileOwner}):
     * 0:0 for an empty spec; names the image does not have are passed to {@code unknown} and do
     * not fail the step.
     */
    static UserDatabase.Ids resolve(BuildSession session, ImageState state, String spec, Consumer<String> unknown)
            throws IOException {
        if (spec == null || spec.isEmpty()) {
            return new UserDatabase.Ids(0, 0, List.of());
        }
        // Numbers need no lookup: an image without /etc/passwd accepts --chown=1000:1000.
        UserDatabase users = UserDatabase.namesIn(spec) ? database(session, state) : UserDatabase.empty();
        return users.fileOwner(spec, unknown);
    }

    /**
     * The ids a RUN process runs as (runc's rules: a name must exist in the image).
     *
     * @param purpose what the ids are for, {@link #forRun}
     * @throws IllegalArgumentException when a name is not in the image, with {@code purpose} in the message
     */
    static UserDatabase.Ids resolve(UserDatabase users, String spec, String purpose) {
        try {
            return users.resolve(spec);
        } catch (UserDatabase.UnknownName e) {
            throw lookupFailed(purpose, e);
        }
    }

    /** The user database of the stage's tree, from the layer blobs (files read once per build). */
    static UserDatabase database(BuildSession session, ImageState state) throws IOException {
        return database(state, session.layerFiles());
    }

    /**
     * The same for a RUN standing on {@code unpacked} (its lower directories): the files are read there when
     * this process may, else from the layer blobs.
     */
    static UserDatabase database(BuildSession session, ImageState state, Rootfs unpacked) throws IOException {
        return database(state, session.layerFiles().preferring(unpacked::readSmallFile));
    }

    private static UserDatabase database(ImageState state, FsView.ContentReader reader) throws IOException {
        Map<String, byte[]> files = state.fs().readSmallFiles(List.of("etc/passwd", "etc/group"), reader);
        byte[] passwd = files.get("etc/passwd");
        byte[] group = files.get("etc/group");
        return UserDatabase.parse(passwd == null ? null : utf8(passwd), group == null ? null : utf8(group));
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** WORKDIR makes missing directories owned by the USER in force (BuildKit's mkdir does the same). */
    static String forWorkdir(String directory, String user) {
        return "WORKDIR creates its directory " + directory + " owned by the current USER \"" + user + "\"";
    }

    /** {@code COPY --chown=} and {@code ADD --chown=}. */
    static String forChown(String keyword, String spec) {
        return keyword + " --chown=" + spec;
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
