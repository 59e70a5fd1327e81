package dev.jbuild.api;

/**
 * A warning of a build or a finding of its checks, as the CLI prints it after {@code warning:}.
 *
 * @param rule    the build check that found it ({@code StageNameCasing}, BuildKit's names), or null for a
 *                warning of no check (an unused {@code --build-arg}, a registry's warning)
 * @param message what is wrong, as BuildKit words it
 * @param url     the rule's documentation, or null without a rule
 * @param line    the Dockerfile line it is about, 0 when it is about none
 */
public record Finding(String rule, String message, String url, int line) {}
