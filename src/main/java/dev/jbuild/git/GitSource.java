package dev.jbuild.git;

import dev.jbuild.attestation.Material;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A git source reference as BuildKit's Dockerfile frontend reads it ({@code dfgitutil.ParseGitRef}):
 * {@code https://host/org/repo.git#ref:subdir}, {@code http://…}, {@code git://…}, {@code ssh://…} and
 * scp-style {@code user@host:path}. An http(s) URL is git only when its path ends in {@code .git};
 * other schemes are git by scheme alone. The fragment is {@code ref[:subdir]}; the query may say
 * {@code ref}, {@code tag}, {@code branch}, {@code subdir}, {@code checksum}/{@code commit},
 * {@code keep-git-dir} and {@code submodules} (BuildKit's newer form), and must agree with the fragment;
 * {@code mtime} and {@code fetch-by-commit} are checked and have no effect (see {@link GitFetcher}).
 *
 * @param remote     the repository URL without fragment or query, as given to the server
 * @param scheme     {@code http}, {@code https}, {@code git} or {@code ssh} (scp-style is {@code ssh})
 * @param host       the host (with port, if any), which selects per-host credentials
 * @param ref        a branch, tag, full ref or commit (full or abbreviated), or null for the remote's HEAD
 * @param subdir     the directory inside the repository that is the source, cleaned, {@code ""} for its root
 * @param checksum   the commit the ref must resolve to (a prefix of its hex), or null
 * @param keepGitDir the query's {@code keep-git-dir}, or null when it says nothing
 * @param submodules false when the query turns submodules off
 */
public record GitSource(String remote, String scheme, String host, String ref, String subdir, String checksum,
        Boolean keepGitDir, boolean submodules) {

    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z0-9]+)://");
    // BuildKit's sshutil.gitSSHRegex: user@host:path[?query][#fragment]
    private static final Pattern SCP_STYLE = Pattern.compile("^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\\?(.*?))?(?:#(.*))?$");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

    /** Whether {@code source} is a git reference ({@link #parse} gives a value or throws for it). */
    public static boolean isGit(String source) {
        Matcher scheme = SCHEME.matcher(source);
        if (scheme.find()) {
            String name = scheme.group(1).toLowerCase(Locale.ROOT);
            if (name.equals("git") || name.equals("ssh")) {
                return true;
            }
            if (name.equals("http") || name.equals("https")) {
                return pathOf(source).endsWith(".git");
            }
            return false;
        }
        return SCP_STYLE.matcher(source).matches();
    }

    /**
     * Parses a git reference.
     *
     * @return empty when {@code source} is not a git reference (a local path, a plain HTTP URL)
     * @throws IllegalArgumentException when it is one but malformed: a bad query, a conflict, a bad checksum
     */
    public static Optional<GitSource> parse(String source) {
        if (!isGit(source)) {
            return Optional.empty();
        }
        String remote;
        String scheme;
        String host;
        String query;
        String fragment;
        Matcher scp = SCP_STYLE.matcher(source);
        if (!SCHEME.matcher(source).find() && scp.matches()) {
            scheme = "ssh";
            host = scp.group(2);
            remote = scp.group(1) + "@" + host + ":" + scp.group(3);
            query = scp.group(4);
            fragment = scp.group(5);
        } else {
            URI uri;
            try {
                uri = new URI(source);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("invalid git URL " + redacted(source) + ": " + e.getReason());
            }
            scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            host = uri.getRawAuthority() == null ? "" : uri.getRawAuthority().replaceFirst("^.*@", "");
            query = uri.getRawQuery();
            fragment = uri.getRawFragment() == null ? null : decode(uri.getRawFragment());
            int cut = source.length();
            for (char c : new char[] {'#', '?'}) {
                int at = source.indexOf(c);
                if (at >= 0) {
                    cut = Math.min(cut, at);
                }
            }
            remote = source.substring(0, cut);
        }
        String ref = null;
        String subdir = "";
        if (fragment != null && !fragment.isEmpty()) {
            int colon = fragment.indexOf(':');
            ref = colon < 0 ? fragment : fragment.substring(0, colon);
            subdir = colon < 0 ? "" : cleanSubdir(fragment.substring(colon + 1));
            if (ref.isEmpty()) {
                ref = null;
            }
        }
        Options options = new Options(ref, subdir);
        if (query != null && !query.isEmpty()) {
            options.read(query);
        }
        if (options.checksum != null && !HEX.matcher(options.checksum).matches()) {
            throw new IllegalArgumentException("invalid checksum " + options.checksum + " for Git URL, expected hex commit hash");
        }
        return Optional.of(new GitSource(remote, scheme, host, options.ref, options.subdir, options.checksum,
                options.keepGitDir, options.submodules));
    }

    /** This source with another checksum (ADD's {@code --checksum}); a different one given in the URL is a conflict. */
    public GitSource withChecksum(String expected) {
        if (expected == null) {
            return this;
        }
        if (checksum != null && !checksum.equals(expected)) {
            throw new IllegalArgumentException("checksum mismatch \"" + expected + "\" != \"" + checksum + "\"");
        }
        if (!HEX.matcher(expected).matches()) {
            throw new IllegalArgumentException("invalid checksum " + expected + " for Git URL, expected hex commit hash");
        }
        return new GitSource(remote, scheme, host, ref, subdir, expected, keepGitDir, submodules);
    }

    /** The remote without a user name or password, for messages and provenance. */
    public String redactedRemote() {
        return redacted(remote);
    }

    /**
     * The provenance URI BuildKit records: {@code git+https://…} style for http(s) and the remote as
     * it is otherwise, with the ref as fragment.
     */
    public String materialUri() {
        String base = scheme.equals("http") || scheme.equals("https") ? "git+" + redactedRemote() : redactedRemote();
        return ref == null ? base : base + "#" + ref;
    }

    /** Whether the transport is SSH ({@code ssh://} or scp-style), which takes its keys from the forwarded agent. */
    public boolean isSsh() {
        return scheme.equals("ssh");
    }

    private static String redacted(String url) {
        return Material.withoutCredentials(url);
    }

    private static String pathOf(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        int cut = rest.length();
        for (char c : new char[] {'#', '?'}) {
            int at = rest.indexOf(c);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        rest = rest.substring(0, cut);
        int slash = rest.indexOf('/');
        return slash < 0 ? "" : rest.substring(slash);
    }

    // Go's path.Join("/", subdir) with the leading slash trimmed: "." and ".." cannot climb above the root.
    static String cleanSubdir(String subdir) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String part : subdir.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The query options and the fragment they must agree with (BuildKit's {@code loadQuery}). */
    private static final class Options {
        String ref;
        String subdir;
        String checksum;
        Boolean keepGitDir;
        boolean submodules = true;

        Options(String ref, String subdir) {
            this.ref = ref;
            this.subdir = subdir;
        }

        void read(String rawQuery) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                if (values.put(key, value) != null) {
                    throw new IllegalArgumentException("query \"" + key + "\" has multiple values");
                }
            }
            String tag = null;
            String branch = null;
            for (Map.Entry<String, String> entry : values.entrySet()) {
                String key = entry.getKey();
                String value = entry.getValue();
                boolean flag = key.equals("submodules") || key.equals("keep-git-dir") || key.equals("fetch-by-commit");
                if (value.isEmpty() && !flag) {
                    throw new IllegalArgumentException("query \"" + key + "\" has no value");
                }
                switch (key) {
                    case "ref" -> ref = agree("ref", ref, value);
                    case "tag" -> tag = value;
                    case "branch" -> branch = value;
                    case "subdir" -> subdir = agree("subdir", subdir.isEmpty() ? null : subdir, cleanSubdir(value));
                    case "checksum", "commit" -> checksum = value;
                    case "keep-git-dir" -> keepGitDir = bool(key, value);
                    case "submodules" -> submodules = bool(key, value);
                    // Accepted and checked as BuildKit does; jbuild always gives files the commit's time and
                    // always fetches the resolved commit where the server allows it.
                    case "mtime" -> {
                        if (!value.equals("checkout") && !value.equals("commit")) {
                            throw new IllegalArgumentException("invalid mtime value: \"" + value + "\" (must be \"checkout\" or \"commit\")");
                        }
                    }
                    case "fetch-by-commit" -> bool(key, value);
                    default -> throw new IllegalArgumentException("unexpected query \"" + key + "\"");
                }
            }
            if (tag != null) {
                ref = agree("ref", ref, tag.startsWith("refs/tags/") ? tag : "refs/tags/" + tag);
            }
            if (branch != null) {
                if (tag != null) {
                    throw new IllegalArgumentException("branch conflicts with tag");
                }
                ref = agree("ref", ref, branch.startsWith("refs/heads/") ? branch : "refs/heads/" + branch);
            }
        }

        private static String agree(String what, String current, String value) {
            if (current != null && !current.equals(value)) {
                throw new IllegalArgumentException(what + " conflicts: \"" + current + "\" vs \"" + value + "\"");
            }
            return value;
        }

        private static boolean bool(String key, String value) {
            // Go's strconv.ParseBool, with an empty value meaning true as in BuildKit.
            return switch (value) {
                case "", "1", "t", "T", "TRUE", "true", "True" -> true;
                case "0", "f", "F", "FALSE", "false", "False" -> false;
                default -> throw new IllegalArgumentException("invalid " + key + " value: \"" + value + "\"");
            };
        }
    }
}
