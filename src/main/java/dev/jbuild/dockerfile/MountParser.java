package dev.jbuild.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code RUN --mount} values with BuildKit's rules and messages ({@code instructions/commands_runmount.go}
 * of v0.11, and the per-type checks of {@code dockerfile2llb}'s {@code dispatchSecret}/{@code dispatchSSH}
 * that need nothing but the flag): one CSV record of fields, {@code key=value} or one of the bare words
 * {@code ro}, {@code readonly}, {@code rw}, {@code readwrite}, {@code required}; keys in any case; the last
 * of a repeated key wins; fields are read in order, so {@code required} and {@code size} must come after
 * the {@code type} that allows them, as in BuildKit. The one rule of jbuild's own: bind, cache and tmpfs
 * mounts need a target (BuildKit would mount over WORKDIR).
 */
final class MountParser {

    private static final List<String> TYPES = List.of("bind", "cache", "tmpfs", "secret", "ssh");
    /** BuildKit's list for "did you mean", in its order. */
    private static final List<String> KEYS = List.of("type", "from", "source", "target", "readonly", "id", "sharing",
            "required", "mode", "uid", "gid", "src", "dst", "ro", "rw", "readwrite", "env");
    private static final Pattern VARIABLE = Pattern.compile("\\$.");

    private MountParser() {}

    /** BuildKit's parse without an expander: the CSV must be valid and {@code from} free of variables. */
    static String from(String spec) throws InvalidMountException {
        String from = null;
        for (String field : fields(spec)) {
            int eq = field.indexOf('=');
            if (eq >= 0 && lower(field.substring(0, eq)).equals("from")) {
                from = field.substring(eq + 1);
                if (VARIABLE.matcher(from).find()) {
                    throw new InvalidMountException("'from' doesn't support variable expansion, define alias stage instead");
                }
            }
        }
        return from == null || from.isEmpty() ? null : from;
    }

    static RunMount parse(String spec, String from, MountFlag.Expander expander)
            throws InvalidMountException, ShellExpansionException {
        String type = "bind";
        String source = "";
        String target = "";
        String id = "";
        String sharing = null;
        boolean readOnly = false;
        boolean readOnlyGiven = false;
        boolean required = false;
        long size = 0;
        Long mode = null;
        String modeText = null;
        Long uid = null;
        Long gid = null;
        String env = null;
        for (String field : fields(spec)) {
            int eq = field.indexOf('=');
            String key = lower(eq < 0 ? field : field.substring(0, eq));
            if (eq < 0) {
                switch (key) {
                    case "readonly", "ro" -> {
                        readOnly = true;
                        readOnlyGiven = true;
                        continue;
                    }
                    case "readwrite", "rw" -> {
                        readOnly = false;
                        readOnlyGiven = true;
                        continue;
                    }
                    case "required" -> {
                        if (!type.equals("secret") && !type.equals("ssh")) {
                            throw unexpectedForType(key, type);
                        }
                        required = true;
                        continue;
                    }
                    default -> throw new InvalidMountException("invalid field '" + field + "' must be a key=value pair");
                }
            }
            // from is the one value never expanded: the planner ordered the stages by it as written
            String value = key.equals("from") ? field.substring(eq + 1) : expander.expand(field.substring(eq + 1));
            switch (key) {
                case "type" -> {
                    if (!TYPES.contains(lower(value))) {
                        throw new InvalidMountException(Suggestions.withSuggestion(
                                "unsupported mount type " + GoText.quote(value), value, TYPES, true));
                    }
                    type = lower(value);
                }
                case "from" -> { } // from the first pass, which read the same field
                case "source", "src" -> source = value;
                case "target", "dst", "destination" -> target = value;
                case "readonly", "ro" -> {
                    readOnly = bool(key, value);
                    readOnlyGiven = true;
                }
                case "readwrite", "rw" -> {
                    readOnly = !bool(key, value);
                    readOnlyGiven = true;
                }
                case "required" -> {
                    if (!type.equals("secret") && !type.equals("ssh")) {
                        throw unexpectedForType(key, type);
                    }
                    required = bool(key, value);
                }
                case "size" -> {
                    if (!type.equals("tmpfs")) {
                        throw unexpectedForType(key, type);
                    }
                    try {
                        size = MemorySize.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidMountException("invalid value for " + key + ": " + value);
                    }
                }
                case "id" -> id = value;
                case "sharing" -> {
                    if (!List.of("shared", "private", "locked").contains(lower(value))) {
                        throw new InvalidMountException("unsupported sharing value " + GoText.quote(value));
                    }
                    sharing = lower(value);
                }
                case "mode" -> {
                    mode = unsigned(value, 8, "mode");
                    modeText = value;
                }
                case "uid" -> uid = unsigned(value, 10, "uid");
                case "gid" -> gid = unsigned(value, 10, "gid");
                case "env" -> env = value;
                default -> throw new InvalidMountException(Suggestions.withSuggestion(
                        "unexpected key '" + key + "' in '" + field + "'", key, KEYS, true));
            }
        }
        boolean fileInfoAllowed = type.equals("secret") || type.equals("ssh") || type.equals("cache");
        if (mode != null && !fileInfoAllowed) {
            throw new InvalidMountException("mode not allowed for " + GoText.quote(type) + " type mounts");
        }
        if (uid != null && !fileInfoAllowed) {
            throw new InvalidMountException("uid not allowed for " + GoText.quote(type) + " type mounts");
        }
        if (gid != null && !fileInfoAllowed) {
            throw new InvalidMountException("gid not allowed for " + GoText.quote(type) + " type mounts");
        }
        if (!readOnlyGiven) {
            readOnly = !type.equals("cache") && !type.equals("tmpfs");
        }
        if (sharing != null && !type.equals("cache")) {
            throw new InvalidMountException("invalid cache sharing set for " + type + " mount");
        }
        if (env != null && !type.equals("secret")) {
            throw unexpectedForType("env", type);
        }
        if (env != null && (env.isEmpty() || env.indexOf('=') >= 0 || env.indexOf('\0') >= 0)) {
            throw new InvalidMountException("invalid secret env name " + GoText.quote(env));
        }
        if (mode != null && mode > 07777) {
            // BuildKit takes any 32-bit number; only permission bits mean anything for what a mount creates
            throw new InvalidMountException("invalid value " + modeText + " for mode: at most 7777");
        }
        switch (type) {
            case "secret" -> {
                if (from != null) {
                    throw new InvalidMountException("secret mount should not have a from");
                }
                if (source.isEmpty() && target.isEmpty() && id.isEmpty()) {
                    throw new InvalidMountException("invalid secret mount. one of source, target required");
                }
                if (!source.isEmpty() && !id.isEmpty()) {
                    throw new InvalidMountException("both source and id can't be set");
                }
                String secretId = !source.isEmpty() ? source : !id.isEmpty() ? id : base(target);
                // With env= alone the secret is a variable of the command and no file (BuildKit's dispatchSecret).
                String file = !target.isEmpty() ? target : env != null ? null : "/run/secrets/" + base(secretId);
                return new RunMount.Secret(secretId, file, required, owner(uid, gid, mode, 0400), env);
            }
            case "ssh" -> {
                if (!source.isEmpty()) {
                    throw new InvalidMountException("ssh does not support source");
                }
                return new RunMount.Ssh(id.isEmpty() ? "default" : id, target.isEmpty() ? null : target, required,
                        owner(uid, gid, mode, 0600));
            }
            default -> {
                if (target.isEmpty()) {
                    throw new InvalidMountException("RUN --mount=type=" + type + " needs target=");
                }
                if (type.equals("tmpfs")) {
                    return new RunMount.Tmpfs(target, size, readOnly);
                }
                if (type.equals("cache")) {
                    RunMount.Sharing shared = sharing == null ? RunMount.Sharing.SHARED
                            : RunMount.Sharing.valueOf(sharing.toUpperCase(Locale.ROOT));
                    return new RunMount.Cache(target, id.isEmpty() ? null : id, shared, from, source, readOnly,
                            owner(uid, gid, mode, 0755));
                }
                return new RunMount.Bind(target, from, source, readOnly);
            }
        }
    }

    private static InvalidMountException unexpectedForType(String key, String type) {
        return new InvalidMountException("unexpected key '" + key + "' for mount type '" + type + "'");
    }

    private static RunMount.FileOwner owner(Long uid, Long gid, Long mode, int defaultMode) {
        return new RunMount.FileOwner(uid == null ? 0 : uid, gid == null ? 0 : gid,
                mode == null ? defaultMode : mode.intValue());
    }

    /** Go's {@code strconv.ParseBool}. */
    private static boolean bool(String key, String value) throws InvalidMountException {
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new InvalidMountException("invalid value for " + key + ": " + value);
        };
    }

    /** Go's {@code strconv.ParseUint(value, radix, 32)}: digits only, no sign. */
    private static long unsigned(String value, int radix, String key) throws InvalidMountException {
        if (!value.isEmpty() && value.length() <= 12 && value.chars().allMatch(c -> Character.digit(c, radix) >= 0
                && c < 0x80)) {
            long parsed = Long.parseLong(value, radix);
            if (parsed <= 0xFFFF_FFFFL) {
                return parsed;
            }
        }
        throw new InvalidMountException("invalid value " + value + " for " + key);
    }

    /** Go's {@code path.Base}: the last element, trailing slashes dropped; "." for "" and "/" for slashes only. */
    static String base(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        if (end == 0) {
            return "/";
        }
        return path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** The fields of {@code spec} ({@link GoCsv}), with BuildKit's prefix on Go's message. */
    static List<String> fields(String spec) throws InvalidMountException {
        try {
            return GoCsv.fields(spec);
        } catch (GoCsv.ParseException e) {
            throw new InvalidMountException("failed to parse csv mounts: " + e.getMessage());
        }
    }
}
