package dev.jbuild.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SBOM's purls: packageurl-java's checks and normalisation, packageurl-go's string (as BuildKit's scanner writes). */
class PurlsTest {

    @Test
    void versionsKeepTheirPlusAndColonAsPackageurlGoWritesThem() {
        assertEquals(Optional.of("pkg:deb/debian/libc6@2.36-9+deb12u10?arch=amd64&distro=debian-12&upstream=glibc"),
                Purls.of("deb", "debian", "libc6", "2.36-9+deb12u10", Map.of("upstream", "glibc", "distro", "debian-12",
                        "arch", "amd64")), "qualifiers sorted, + kept");
        assertEquals(Optional.of("pkg:deb/debian/bsdutils@1:2.38.1-5+b1?arch=amd64"),
                Purls.of("deb", "debian", "bsdutils", "1:2.38.1-5+b1", Map.of("arch", "amd64")), "an epoch's colon kept");
        assertEquals(Optional.of("pkg:golang/github.com/docker/docker@v24.0.7+incompatible"),
                Purls.golang("github.com/docker/docker", "v24.0.7+incompatible"));
        assertEquals(Optional.of("pkg:npm/%40babel/code-frame@7.24.7"), Purls.of("npm", "@babel", "code-frame", "7.24.7", null));
        assertEquals(Optional.of("pkg:pypi/pyyaml@6.0"), Purls.of("pypi", null, "PyYAML", "6.0", null), "pypi's lower case");
        assertEquals(Optional.of("pkg:maven/com.example/app@1.0+build.5"), Purls.of("maven", "com.example", "app", "1.0+build.5", null));
        assertEquals(Optional.of("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"),
                Purls.of("apk", "alpine", "musl", "1.2.5-r0", Map.of("arch", "x86_64", "distro", "alpine-3.20.3")));
        assertEquals(Optional.empty(), Purls.of("deb", "debian", "", "1", null), "no name: no purl");
    }
}
