package dev.jbuild.build;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Turns a {@code user[:group]} of the Dockerfile into ids, reading the image's passwd and group only when names are used. */
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

    static UserDatabase database(BuildSession session, ImageState state) throws IOException {
        Optional<byte[]> passwd = state.fs().readSmallFile("etc/passwd", session.layerFiles);
        Optional<byte[]> group = state.fs().readSmallFile("etc/group", session.layerFiles);
        return UserDatabase.parse(passwd.map(StageExecutor::utf8).orElse(null), group.map(StageExecutor::utf8).orElse(null));
    }
}
