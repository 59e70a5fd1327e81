package dev.jbuild.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Sizes and ages as docker prints them. */
class QuantitiesTest {

    @Test
    void bytesInPowersOfAThousandWithOneDecimalBelowAHundred() {
        assertEquals("0 B", Quantities.bytes(0));
        assertEquals("312 B", Quantities.bytes(312));
        assertEquals("999 B", Quantities.bytes(999));
        assertEquals("1.0 kB", Quantities.bytes(1000));
        assertEquals("4.1 kB", Quantities.bytes(4096));
        assertEquals("1.2 MB", Quantities.bytes(1_234_567));
        assertEquals("157 MB", Quantities.bytes(157_286_400));
        assertEquals("1.0 MB", Quantities.bytes(999_950), "rounded before the unit is chosen");
        assertEquals("2.1 GB", Quantities.bytes(2_147_483_648L));
        assertEquals("48.2 MB/s", Quantities.rate(48_200_000, Duration.ofSeconds(1)));
    }

    /** go-units' HumanDuration with " ago" (docker images' CREATED). */
    @Test
    void agesInDockersWords() {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        assertEquals("Less than a second ago", Quantities.ago(now.minusMillis(400), now));
        assertEquals("Less than a second ago", Quantities.ago(now.plusSeconds(30), now), "a creation time in the future");
        assertEquals("1 second ago", Quantities.ago(now.minusSeconds(1), now));
        assertEquals("59 seconds ago", Quantities.ago(now.minusSeconds(59), now));
        assertEquals("About a minute ago", Quantities.ago(now.minusSeconds(119), now));
        assertEquals("2 minutes ago", Quantities.ago(now.minusSeconds(120), now));
        assertEquals("59 minutes ago", Quantities.ago(now.minus(Duration.ofMinutes(59)), now));
        assertEquals("About an hour ago", Quantities.ago(now.minus(Duration.ofMinutes(60)), now));
        assertEquals("About an hour ago", Quantities.ago(now.minus(Duration.ofMinutes(89)), now));
        assertEquals("2 hours ago", Quantities.ago(now.minus(Duration.ofMinutes(90)), now), "hours are rounded");
        assertEquals("47 hours ago", Quantities.ago(now.minus(Duration.ofHours(47)), now));
        assertEquals("3 days ago", Quantities.ago(now.minus(Duration.ofDays(3)), now));
        assertEquals("13 days ago", Quantities.ago(now.minus(Duration.ofDays(13)), now));
        assertEquals("2 weeks ago", Quantities.ago(now.minus(Duration.ofDays(14)), now));
        assertEquals("8 weeks ago", Quantities.ago(now.minus(Duration.ofDays(59)), now));
        assertEquals("2 months ago", Quantities.ago(now.minus(Duration.ofDays(60)), now));
        assertEquals("5 months ago", Quantities.ago(now.minus(Duration.ofDays(150)), now));
        assertEquals("24 months ago", Quantities.ago(now.minus(Duration.ofDays(729)), now));
        assertEquals("2 years ago", Quantities.ago(now.minus(Duration.ofDays(730)), now));
        assertEquals("56 years ago", Quantities.ago(Instant.EPOCH, now));
    }
}
