package dev.jbuild.layer;

/** The two kinds of device node a tar layer can carry. */
public enum DeviceKind {
    CHARACTER,
    BLOCK
}
