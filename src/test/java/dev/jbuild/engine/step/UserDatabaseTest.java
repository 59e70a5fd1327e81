package dev.jbuild.engine.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserDatabaseTest {

    private final UserDatabase db = UserDatabase.parse("""
            root:x:0:0:root:/root:/bin/sh
            # a comment
            app:x:1000:1001::/home/app:/bin/sh
            broken line
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            """, """
            root:x:0:
            staff:x:50:app,other
            appgroup:x:1001:
            wheel:x:10:app
            """);

    /** A process runs with its primary gid among its groups, and with the member groups only when no group is named (runc). */
    @Test
    void namesResolveToTheirIdsAndPrimaryGroup() {
        assertEquals(new UserDatabase.Ids(1000, 1001, List.of(1001, 50, 10)), db.resolve("app"));
        assertEquals(new UserDatabase.Ids(1000, 50, List.of(50)), db.resolve("app:staff"));
        assertEquals(new UserDatabase.Ids(65534, 65534, List.of(65534)), db.resolve("nobody"));
    }

    @Test
    void numbersNeedNoEntry() {
        assertEquals(new UserDatabase.Ids(4242, 0, List.of(0)), db.resolve("4242"));
        assertEquals(new UserDatabase.Ids(4242, 77, List.of(77)), db.resolve("4242:77"));
        assertEquals(new UserDatabase.Ids(1000, 1001, List.of(1001, 50, 10)), db.resolve("1000"));
        assertEquals(new UserDatabase.Ids(0, 50, List.of(50)), db.resolve("root:staff"));
    }

    @Test
    void unknownNamesAreErrors() {
        IllegalArgumentException user = assertThrows(IllegalArgumentException.class, () -> db.resolve("ghost"));
        assertEquals("unable to find user ghost: no matching entries in passwd file", user.getMessage());
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class, () -> db.resolve("app:ghosts"));
        assertEquals("unable to find group ghosts: no matching entries in group file", group.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UserDatabase.empty().resolve("app"));
    }

    @Test
    void fileOwnersFollowBuildKitsFileOpRules() {
        List<String> unknown = new ArrayList<>();
        assertEquals(new UserDatabase.Ids(4242, 4242, List.of()), db.fileOwner("4242", unknown::add));
        assertEquals(new UserDatabase.Ids(4242, 4242, List.of()), db.fileOwner("4242:", unknown::add));
        assertEquals(new UserDatabase.Ids(1000, 1000, List.of()), db.fileOwner("1000", unknown::add),
                "a number is not looked up: its primary group does not count");
        assertEquals(new UserDatabase.Ids(1000, 1001, List.of()), db.fileOwner("app", unknown::add));
        assertEquals(new UserDatabase.Ids(1000, 50, List.of()), db.fileOwner("app:staff", unknown::add));
        assertEquals(new UserDatabase.Ids(4242, 10, List.of()), db.fileOwner("4242:wheel", unknown::add));
        assertEquals(new UserDatabase.Ids(0, 0, List.of()), db.fileOwner("root:root", unknown::add));
        assertEquals(List.of(), unknown);
        assertEquals(new UserDatabase.Ids(0, 0, List.of()), db.fileOwner("ghost", unknown::add));
        assertEquals(new UserDatabase.Ids(0, 77, List.of()), db.fileOwner("ghost:77", unknown::add));
        assertEquals(new UserDatabase.Ids(1000, 1001, List.of()), db.fileOwner("app:ghosts", unknown::add));
        assertEquals(new UserDatabase.Ids(5, 5, List.of()), db.fileOwner("5:ghosts", unknown::add));
        assertEquals(4, unknown.size(), unknown.toString());
        assertTrue(unknown.get(0).startsWith("user ghost "), unknown.get(0));
        assertTrue(unknown.get(2).startsWith("group ghosts "), unknown.get(2));
        assertTrue(UserDatabase.namesIn("app:1"));
        assertTrue(UserDatabase.namesIn("1:staff"));
        assertEquals(false, UserDatabase.namesIn("1:2"));
        assertEquals(false, UserDatabase.namesIn("root:"));
    }

    @Test
    void homeDirectoryComesFromPasswd() {
        assertEquals("/home/app", db.home(1000).orElseThrow());
        assertEquals(true, db.home(5).isEmpty());
    }
}
