package dev.jbuild.dockerfile;

/**
 * One {@code RUN --mount=...} as the instruction holds it: the value as written, and the one thing
 * known before anything is expanded, the stage or context it reads ({@code from=}, which may not
 * contain variables: the planner needs it to order stages). {@link #expand} gives the typed mount
 * once the RUN's variables are known, as BuildKit parses a mount twice, without and with its expander.
 *
 * @param value the flag's value ({@code type=cache,target=/root/.cache})
 * @param from  its {@code from=} (the last one), or null when it has none or an empty one
 */
public record MountFlag(String value, String from) {

    /** BuildKit's {@code SingleWordExpander}: one value with the RUN's variables substituted. */
    @FunctionalInterface
    public interface Expander {
        String expand(String word) throws ShellExpansionException;
    }

    /**
     * The flag as it reads before expansion: its CSV fields and a {@code from=} without variables
     * (BuildKit's first pass, at parse time); everything else is checked by {@link #expand}.
     */
    static MountFlag of(String value) throws InvalidMountException {
        return new MountFlag(value, MountParser.from(value));
    }

    /** The mount, each value expanded by {@code expander} ({@code from} excepted: it never is). */
    public RunMount expand(Expander expander) throws InvalidMountException, ShellExpansionException {
        return MountParser.parse(value, from, expander);
    }
}
