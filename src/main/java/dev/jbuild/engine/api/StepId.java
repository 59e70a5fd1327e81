package dev.jbuild.engine.api;

/**
 * Names one step of a build in progress events. Stages run concurrently, so "the step that
 * started last" no longer says which step an event belongs to; every event carries this instead.
 * Numbers count from 1 in the order steps start, across all stages and platforms of one builder,
 * so a sequential build numbers its steps exactly as before ({@code #1}, {@code #2}, ...).
 */
public record StepId(int number) {}
