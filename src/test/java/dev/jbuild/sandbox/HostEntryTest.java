package dev.jbuild.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostEntryTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "0.0.0.0", "255.255.255.255", "::1", "::", "2001:db8::33", "fe80::1:2:3:4:5",
        "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "64:ff9b::192.0.2.33"})
    void addressLiteralsAreAccepted(String address) {
        assertEquals(address + "\thost\n", new HostEntry("host", address).line());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.1.2", "10.1.2.256", "1.2.3.4.5", "example.com", "1:2:3:4:5:6:7:8:9", "1::2::3",
        "12345::1", ":::", "1:2:3:4:5:6:7", "::1.2.3", "10.0.0.1 evil"})
    void anythingElseIsRefused(String address) {
        assertThrows(IllegalArgumentException.class, () -> new HostEntry("host", address));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad name", "a\tb", "-leading", "x\ny"})
    void namesThatWouldBreakTheFileAreRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> new HostEntry(name, "10.0.0.1"));
    }
}
