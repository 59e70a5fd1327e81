package dev.jbuild.api;

import java.util.List;

/**
 * The machine cannot do what the build needs: no user namespaces for {@code RUN}, a store that cannot be
 * opened, no {@code podman} or {@code docker} for {@code --load}. The CLI's exit code 125.
 */
public final class EnvironmentException extends JBuildException {

    private static final long serialVersionUID = 1L;

    EnvironmentException(String message, List<String> report, Throwable cause) {
        super(message, report, cause);
    }
}
