package dev.jbuild.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Purls as packageurl-go's ToString writes them (BuildKit's util/purl), byte for byte. */
class PurlsTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void imagesAreWrittenAsBuildKitWritesThem() {
        Platform amd64 = Platform.parse("linux/amd64");
        assertEquals("pkg:docker/127.0.0.1%3A5201/t1@j?platform=linux%2Famd64",
                Purls.image("docker", ImageName.parse("127.0.0.1:5201/t1:j"), amd64), "a namespace segment is query-escaped");
        assertEquals("pkg:docker/127.0.0.1%3A5201/t1@j?digest=" + DIGEST + "&platform=linux%2Famd64",
                Purls.image("docker", ImageName.parse("127.0.0.1:5201/t1:j@" + DIGEST), amd64),
                "a qualifier value is path-escaped: the digest keeps its colon");
        assertEquals("pkg:docker/reg.example/mp?digest=" + DIGEST + "&platform=linux%2Farm64",
                Purls.image("docker", ImageName.parse("reg.example/mp@" + DIGEST), Platform.parse("linux/arm64")));
        assertEquals("pkg:docker/alpine@latest", Purls.image("docker", ImageName.parse("alpine"), null));
        assertEquals("pkg:docker/library%252Fx/y@1", Purls.toString("docker", "library%2Fx", "y", "1", null),
                "a % is escaped, never taken as an escape");
    }

    @Test
    void versionsAndQualifierValuesKeepWhatGoPathEscapeKeeps() {
        assertEquals("pkg:deb/debian/libc6@2.36-9+deb12u10?arch=amd64&distro=debian-12",
                Purls.toString("deb", "debian", "libc6", "2.36-9+deb12u10", ordered("arch", "amd64", "distro", "debian-12")));
        assertEquals("pkg:deb/debian/bsdutils@1:2.38.1-5+b1", Purls.toString("deb", "debian", "bsdutils", "1:2.38.1-5+b1", null));
        assertEquals("pkg:golang/github.com/a/b@v0.0.0-20200101000000-abcdef+incompatible",
                Purls.toString("golang", "github.com/a", "b", "v0.0.0-20200101000000-abcdef+incompatible", null));
        assertEquals("pkg:npm/%40babel/code-frame@7.24.7", Purls.toString("npm", "@babel", "code-frame", "7.24.7", null));
        // Go's PathEscape escapes / ; , ? and everything outside the unreserved and $&+:=@ sets; QueryEscape writes + for a space.
        assertEquals("pkg:t/a+b/n+m@1%2F2%3B3%2C4%3F5%20$&=@%21",
                Purls.toString("t", "a b", "n m", "1/2;3,4?5 $&=@!", null));
        assertEquals("pkg:t/n?k=a%20b%2Fc+d:e", Purls.toString("t", null, "n", null, ordered("k", "a b/c+d:e")));
        assertEquals("pkg:t/caf%C3%A9@%C3%A9", Purls.toString("t", null, "café", "é", null), "UTF-8 bytes, upper-case hex");
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
