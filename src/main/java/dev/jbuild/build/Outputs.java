package dev.jbuild.build;

import java.io.IOException;

final class Outputs {
    private Outputs() {}

    static void write(BuildSession session, BuildResult result) throws IOException {
        if (!session.request.outputs().isEmpty()) {
            throw new IOException("outputs: pending");
        }
    }
}
