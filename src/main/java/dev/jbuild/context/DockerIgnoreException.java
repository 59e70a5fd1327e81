package dev.jbuild.context;

/** A .dockerignore file that Docker would refuse: a bad pattern, or a lone {@code !}. */
public final class DockerIgnoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public DockerIgnoreException(String message) {
        super(message);
    }
}
