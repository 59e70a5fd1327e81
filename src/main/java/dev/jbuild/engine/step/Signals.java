package dev.jbuild.engine.step;

import java.util.Locale;
import java.util.Set;

/** STOPSIGNAL values Docker accepts on Linux: a number 1–64 or a name, with or without {@code SIG}. */
final class Signals {

    private static final Set<String> NAMES = Set.of(
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE",
            "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU",
            "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");

    private Signals() {}

    /** Returns {@code signal} unchanged when valid. */
    static String validate(String signal) {
        if (signal.chars().allMatch(Character::isDigit) && !signal.isEmpty() && signal.length() <= 2) {
            int number = Integer.parseInt(signal);
            if (number >= 1 && number <= 64) {
                return signal;
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
