package dev.jbuild.engine.step;

import java.util.Locale;

/** Recognises the git URLs ADD accepts in Docker, so they can be refused clearly until they are supported. */
final class GitSources {

    private GitSources() {}

    static boolean isGit(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        if (lower.startsWith("git://") || lower.startsWith("git@") || lower.startsWith("ssh://")) {
            return true;
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            String withoutFragment = lower.contains("#") ? lower.substring(0, lower.indexOf('#')) : lower;
            return withoutFragment.endsWith(".git");
        }
        return false;
    }
}
