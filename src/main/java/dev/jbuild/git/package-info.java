/**
 * Git sources: the one parser of git references ({@link dev.jbuild.git.GitSource}, BuildKit's URL
 * forms and its {@code #ref:subdir} fragment and query options) and the one fetcher
 * ({@link dev.jbuild.git.GitFetcher}, JGit: the ref resolved to its commit without a clone, then a
 * shallow fetch and checkout of that commit into a directory the caller owns). Build contexts,
 * named contexts and {@code ADD} use it; the credentials are BuildKit's {@code GIT_AUTH_TOKEN} and
 * {@code GIT_AUTH_HEADER} secrets ({@link dev.jbuild.git.GitCredentials}) and, over SSH, the keys of the
 * agent forwarded as {@code default} with host keys from the user's known hosts
 * ({@link dev.jbuild.git.SshSettings}).
 */
package dev.jbuild.git;
