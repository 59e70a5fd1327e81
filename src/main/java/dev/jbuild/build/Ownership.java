package dev.jbuild.build;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Turns a {@code user[:group]} of the Dockerfile into ids, reading the image's passwd and group only when names are used. */
final class Ownership {

    private Ownership() {}

    static UserDatabase.Ids resolve(BuildSession session, ImageState state, String spec) throws IOException {
        if (spec == null || spec.isEmpty()) {
            return new UserDatabase.Ids(0, 0, List.of());
        }
        if (spec.matches("\\d+(:\\d+)?")) {
            // Numbers need no lookup: an image without /etc/passwd accepts --chown=1000:1000.
            return UserDatabase.empty().resolve(spec);
        }
        return database(session, state).resolve(spec);
    }

    static UserDatabase database(BuildSession session, ImageState state) throws IOException {
        Optional<byte[]> passwd = state.fs().readSmallFile("etc/passwd", session.layerFiles);
        Optional<byte[]> group = state.fs().readSmallFile("etc/group", session.layerFiles);
        return UserDatabase.parse(passwd.map(StageExecutor::utf8).orElse(null), group.map(StageExecutor::utf8).orElse(null));
    }
}
