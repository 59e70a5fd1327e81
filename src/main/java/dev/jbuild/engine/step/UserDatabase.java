package dev.jbuild.engine.step;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The users and groups of an image, read from its {@code /etc/passwd} and {@code /etc/group}, to
 * turn {@code USER app} for a process ({@link #resolve}) and {@code --chown=app:staff} or
 * {@code WORKDIR} ownership ({@link #fileOwner}) into numeric ids. BuildKit has two sets of rules
 * for this: the executor's for processes (runc's, a name must exist) and the file op's for files
 * it creates, which never fail.
 */
final class UserDatabase {

    record Account(String name, int uid, int gid, String home) {}

    /**
     * Resolved ids. For a process ({@link #resolve}), {@code supplementaryGroups} are what it runs with:
     * the primary gid and, when no group was named, the groups listing the user by name.
     */
    record Ids(int uid, int gid, List<Integer> supplementaryGroups) {}

    /**
     * A user or group name the image does not define. The message is BuildKit's; {@link Ownership}
     * adds what the lookup was for.
     *
     * @param file        {@code passwd} for a user, {@code group} for a group
     * @param fileMissing whether the image has no such file at all
     */
    static final class UnknownName extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final boolean fileMissing;

        UnknownName(String kind, String name, String file, boolean fileMissing) {
            super("unable to find " + kind + " " + name + ": no matching entries in " + file + " file");
            this.file = file;
            this.fileMissing = fileMissing;
        }

        String file() {
            return file;
        }

        boolean fileMissing() {
            return fileMissing;
        }
    }

    private final Map<String, Account> usersByName = new HashMap<>();
    private final Map<Integer, Account> usersById = new HashMap<>();
    private final Map<String, Integer> groupsByName = new HashMap<>();
    private final Map<String, List<Integer>> groupsByMember = new HashMap<>();
    private boolean hasPasswd;
    private boolean hasGroup;

    private UserDatabase() {}

    static UserDatabase empty() {
        return new UserDatabase();
    }

    /** Parses passwd and group files; either may be null when the image lacks it. Bad lines are skipped, as libc does. */
    static UserDatabase parse(String passwd, String group) {
        UserDatabase db = new UserDatabase();
        db.hasPasswd = passwd != null;
        db.hasGroup = group != null;
        for (String[] fields : records(passwd)) {
            if (fields.length >= 4) {
                Integer uid = parseId(fields[2]);
                Integer gid = parseId(fields[3]);
                if (uid != null && gid != null) {
                    Account account = new Account(fields[0], uid, gid, fields.length >= 6 ? fields[5] : "/");
                    db.usersByName.putIfAbsent(account.name(), account);
                    db.usersById.putIfAbsent(uid, account);
                }
            }
        }
        for (String[] fields : records(group)) {
            if (fields.length >= 3) {
                Integer gid = parseId(fields[2]);
                if (gid != null) {
                    db.groupsByName.putIfAbsent(fields[0], gid);
                    if (fields.length >= 4 && !fields[3].isEmpty()) {
                        for (String member : fields[3].split(",")) {
                            db.groupsByMember.computeIfAbsent(member.trim(), k -> new ArrayList<>()).add(gid);
                        }
                    }
                }
            }
        }
        return db;
    }

    /**
     * Resolves {@code user[:group]}. Without a group, the user's primary group from passwd, or 0
     * for a numeric user that passwd does not know (Docker's rule).
     *
     * @throws UnknownName naming the user or group that the image does not have
     */
    Ids resolve(String spec) {
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        String group = colon < 0 ? null : spec.substring(colon + 1);
        Integer uid = parseId(user);
        Account account = uid != null ? usersById.get(uid) : usersByName.get(user);
        if (uid == null) {
            if (account == null) {
                throw new UnknownName("user", user, "passwd", !hasPasswd);
            }
            uid = account.uid();
        }
        int gid;
        if (group == null || group.isEmpty()) {
            gid = account != null ? account.gid() : 0;
        } else {
            Integer numeric = parseId(group);
            if (numeric != null) {
                gid = numeric;
            } else {
                Integer named = groupsByName.get(group);
                if (named == null) {
                    throw new UnknownName("group", group, "group", !hasGroup);
                }
                gid = named;
            }
        }
        // runc's rule, which BuildKit runs with: the groups listing the user by name only when the spec names no
        // group, and the primary gid first among them unless already there (containerd's ensureAdditionalGids).
        List<Integer> supplementary = new ArrayList<>();
        if ((group == null || group.isEmpty()) && account != null) {
            groupsByMember.getOrDefault(account.name(), List.of()).stream().distinct().forEach(supplementary::add);
        }
        if (!supplementary.contains(gid)) {
            supplementary.add(0, gid);
        }
        return new Ids(uid, gid, List.copyOf(supplementary));
    }

    /**
     * The owner BuildKit gives files that a copy or mkdir creates for {@code user[:group]}
     * ({@code llb.WithUser} and the file op's {@code readUser}): {@code root} and numbers are ids,
     * and a uid alone is the gid too; a user name takes its uid and primary gid from passwd, and
     * one passwd lacks leaves both 0; a group name (or number) then replaces the gid, and one the
     * group file lacks leaves it as it was. An empty group counts as none.
     *
     * @param unknown told each name the image does not have ("user ghost"), for a warning: BuildKit
     *     goes on silently
     */
    Ids fileOwner(String spec, Consumer<String> unknown) {
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        String group = colon < 0 ? "" : spec.substring(colon + 1);
        int uid = 0;
        int gid = 0;
        Integer numericUser = fileId(user);
        if (numericUser != null) {
            uid = numericUser;
            gid = numericUser;
        } else if (usersByName.containsKey(user)) {
            uid = usersByName.get(user).uid();
            gid = usersByName.get(user).gid();
        } else {
            unknown.accept("user " + user + " is not in the image's /etc/passwd: using uid 0 and gid 0, as BuildKit does");
        }
        if (!group.isEmpty()) {
            Integer numericGroup = fileId(group);
            if (numericGroup != null) {
                gid = numericGroup;
            } else if (groupsByName.containsKey(group)) {
                gid = groupsByName.get(group);
            } else {
                unknown.accept("group " + group + " is not in the image's /etc/group: using gid " + gid + ", as BuildKit does");
            }
        }
        return new Ids(uid, gid, List.of());
    }

    /** Whether {@link #fileOwner} needs the image's passwd or group file for {@code spec}. */
    static boolean namesIn(String spec) {
        for (String part : spec.split(":", 2)) {
            if (!part.isEmpty() && fileId(part) == null) {
                return true;
            }
        }
        return false;
    }

    /** A number, or {@code root} (BuildKit's {@code parseUID} reads it as 0 without a lookup). */
    private static Integer fileId(String text) {
        return text.equals("root") ? Integer.valueOf(0) : parseId(text);
    }

    /** The home directory of a user, for HOME in RUN steps. */
    Optional<String> home(int uid) {
        return Optional.ofNullable(usersById.get(uid)).map(Account::home);
    }

    private static List<String[]> records(String file) {
        List<String[]> records = new ArrayList<>();
        if (file == null) {
            return records;
        }
        for (String line : file.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                records.add(trimmed.split(":", -1));
            }
        }
        return records;
    }

    private static Integer parseId(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long value = Long.parseLong(text);
        return value <= Integer.MAX_VALUE ? (int) value : null;
    }
}
