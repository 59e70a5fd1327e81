package dev.jbuild.sandbox;

import dev.jbuild.layer.RawNames;
import dev.jbuild.layer.ShellScript;

/** A POSIX shell script under construction; written as its bytes ({@link RawNames}), names and all. */
final class Script {
    private final StringBuilder b = new StringBuilder();

    void line(String l) {
        b.append(l).append('\n');
    }

    static String q(String s) {
        return ShellScript.quote(s);
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
