package dev.jbuild.sandbox;

import java.io.IOException;

/** The sandbox could not be set up or torn down; the message says what is missing and how to fix it. */
public class SandboxException extends IOException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
