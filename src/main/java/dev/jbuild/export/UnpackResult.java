package dev.jbuild.export;

import java.util.List;

/**
 * What unpacking an image into a directory did.
 *
 * @param layers   layers applied
 * @param entries  tar members applied, whiteouts included
 * @param warnings what could not be reproduced (ownership when not root, device nodes, xattrs
 *                 outside {@code user.}), grouped by kind; for the user to see
 */
public record UnpackResult(int layers, long entries, List<String> warnings) {

    public UnpackResult {
        warnings = List.copyOf(warnings);
    }
}
