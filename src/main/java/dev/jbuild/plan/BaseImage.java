package dev.jbuild.plan;

/** What a stage starts from. */
public sealed interface BaseImage {

    /** {@code FROM scratch}: an empty root filesystem and an empty config. */
    record Scratch() implements BaseImage {}

    /** {@code FROM <earlier stage>}: that stage's result. */
    record StageResult(int stageIndex) implements BaseImage {}

    /** {@code FROM <name>} where {@code --build-context name=...} was given. */
    record NamedContext(String name) implements BaseImage {}

    /** {@code FROM <image reference>}, with build args already expanded. */
    record Image(String reference) implements BaseImage {}
}
