package dev.jbuild.engine.step;

import java.util.Locale;
import java.util.Set;

/**
 * STOPSIGNAL values BuildKit accepts (moby's {@code signal.ParseSignal}): any integer but 0, as Go's
 * {@code Atoi} reads it ({@code +5}, {@code 007}, {@code 100}: kept as written), or a Linux signal's name,
 * with or without {@code SIG}.
 */
final class Signals {

    private static final Set<String> NAMES = Set.of(
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE",
            "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU",
            "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");

    private Signals() {}

    /** Returns {@code signal} unchanged when valid. */
    static String validate(String signal) {
        if (signal.matches("[+-]?[0-9]+")) {
            try {
                if (Long.parseLong(signal) != 0) {
                    return signal;
                }
            } catch (NumberFormatException e) {
                // out of Go's int range: Atoi fails too, and the name lookup below refuses it
            }
        }
        String name = signal.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (NAMES.contains(name) || name.matches("RTMIN\\+([1-9]|1[0-5])|RTMAX-([1-9]|1[0-4])")) {
            return signal;
        }
        throw new IllegalArgumentException("invalid signal: " + signal);
    }
}
