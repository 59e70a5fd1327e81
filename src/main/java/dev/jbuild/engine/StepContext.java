package dev.jbuild.engine;

/**
 * What a {@link Step} works with: the build's session, the stage's image so far, where COPY and mounts read
 * from, and the RUN root filesystems. One per stage; steps of the stage run one after the other on it.
 */
record StepContext(BuildSession session, ImageState state, StageSources sources, RootfsLayers rootfs) {}
