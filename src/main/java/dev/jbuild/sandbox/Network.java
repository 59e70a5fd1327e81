package dev.jbuild.sandbox;

/** The network a command sees. */
public enum Network {
    /** The host's network namespace (Docker's default for builds). */
    HOST,
    /** A fresh network namespace with only a loopback interface. */
    NONE
}
