package dev.jbuild.engine.step;

import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.engine.stage.RootfsLayers;
import dev.jbuild.engine.stage.StageSources;
import dev.jbuild.image.Platform;

/**
 * What a {@link Step} works with: the build's session, the stage's image so far, where COPY and mounts read
 * from, and the RUN root filesystems. One per stage; steps of the stage run one after the other on it.
 *
 * @param cacheLookups whether the stage's steps may come from the cache (not with {@code --no-cache} or a
 *     {@code --no-cache-filter} naming it); when not, its RUN cache mounts start empty too, as in BuildKit
 */
public record StepContext(BuildSession session, ImageState state, StageSources sources, RootfsLayers rootfs,
        boolean cacheLookups) {

    /** A stage's context whose steps may come from the cache. */
    public StepContext(BuildSession session, ImageState state, StageSources sources, RootfsLayers rootfs) {
        this(session, state, sources, rootfs, true);
    }

    /** The platform the stage's steps run and are keyed for: the stage's ({@code FROM --platform}), else the build's. */
    Platform platform() {
        return state.platform() != null ? state.platform() : session.request().platform();
    }
}
