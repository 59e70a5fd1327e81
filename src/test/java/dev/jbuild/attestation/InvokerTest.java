package dev.jbuild.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who ran a build: the real uid's account, whatever the JVM's properties say. */
class InvokerTest {

    @TempDir
    Path temp;

    @Test
    void theUserIsTheRealUidsAccountNotTheSpoofableUserNameProperty() {
        String before = System.getProperty("user.name");
        System.setProperty("user.name", "spoofed-by-java-tool-options");
        try {
            Invoker invoker = Invoker.current(Map.of());
            long uid = Invoker.uid(Path.of("/proc/self/status"));
            assertEquals(uid, invoker.uid());
            if (uid >= 0) {
                assertNotEquals("spoofed-by-java-tool-options", invoker.user());
                assertFalse(invoker.user().isEmpty(), "this machine's account has a name");
                String listed = Invoker.fromPasswd(Path.of("/etc/passwd"), uid);
                if (!listed.isEmpty()) {
                    assertEquals(listed, invoker.user(), "the passwd entry of the real uid");
                }
            }
        } finally {
            System.setProperty("user.name", before);
        }
    }

    @Test
    void aPasswdFileIsReadByUid() throws Exception {
        Path passwd = Files.writeString(temp.resolve("passwd"), """
                root:x:0:0:root:/root:/bin/bash
                broken line
                alice:x:1000:1000::/home/alice:/bin/sh
                alias:x:1000:1000::/home/alias:/bin/sh
                """);
        assertEquals("root", Invoker.fromPasswd(passwd, 0));
        assertEquals("alice", Invoker.fromPasswd(passwd, 1000), "the first entry of the uid");
        assertEquals("", Invoker.fromPasswd(passwd, 1001));
        assertEquals("", Invoker.fromPasswd(temp.resolve("missing"), 0));
    }
}
