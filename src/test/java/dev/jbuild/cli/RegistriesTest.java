package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The registry options the command line reads from the environment. */
class RegistriesTest {

    private final CommandLine.Model.CommandSpec spec = new CommandLine(new JbuildCommand()).getCommandSpec();

    @Test
    void theMinimumTransferRateIsASizePerSecond() {
        assertEquals(16 * 1024, Registries.minTransferRate(spec, "16KiB"));
        assertEquals(1_000_000, Registries.minTransferRate(spec, "1MB/s"));
        assertEquals(500, Registries.minTransferRate(spec, " 500 "));
    }

    @Test
    void aRateThatIsNotOneIsAUsageErrorNamingTheVariable() {
        for (String bad : new String[] {"fast", "0", "-5KiB", "1MB/h"}) {
            CommandLine.ParameterException e =
                    assertThrows(CommandLine.ParameterException.class, () -> Registries.minTransferRate(spec, bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JBUILD_MIN_TRANSFER_RATE=" + bad + ": "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(a size per second, e.g. 16KiB or 1MB/s)"), e.getMessage());
        }
    }
}
