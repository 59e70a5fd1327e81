package dev.jbuild.cli;

import dev.jbuild.api.BuildFailedException;
import dev.jbuild.api.BuildOutcome;
import dev.jbuild.api.CheckOutcome;
import dev.jbuild.api.DockerfileException;
import dev.jbuild.api.EnvironmentException;
import dev.jbuild.api.ImageBuild;
import dev.jbuild.api.InvalidBuildException;
import dev.jbuild.api.JBuild;
import dev.jbuild.api.JBuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.progress.ProgressPrinter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild build}: the flags of {@code docker build}. */
@Command(name = "build",
        mixinStandardHelpOptions = true,
        description = {"Build an image from a Dockerfile.", "PATH is the build context: a directory, or `-` for a tar archive on standard input."},
        sortOptions = false)
final class BuildCommand implements Runnable {

    enum Progress { auto, plain, tty, quiet, json, rawjson }

    private static final String UNIMPLEMENTED = "unimplemented";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "Build context: a directory, or `-` to read a tar archive from standard input.")
    String context;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "Dockerfile to use (default: PATH/Dockerfile); `-` reads it from standard input.")
    String file;

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name and tag the image; repeatable.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]",
            description = "Set a build-time variable; KEY alone takes the value from the environment. Repeatable.")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Build the named stage and what it needs, not the last stage.")
    String target;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", split = ",",
            description = "Platform to build for (default: the host's).")
    List<String> platforms = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Add a label to the image config; repeatable.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--annotation", paramLabel = "[TYPE:]KEY=VALUE",
            description = "Add an annotation; TYPE (comma-separated, optionally [OS/ARCH]): manifest (default), manifest-descriptor, index, index-descriptor. Repeatable.")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--no-cache", arity = "0..1", fallbackValue = "true", description = "Do not take any step from the build cache (results are still recorded for later builds).")
    boolean noCache;

    @Option(names = "--no-cache-filter", paramLabel = "STAGE", split = ",", description = "Do not take the steps of these stages (names or indexes) from the build cache; repeatable or comma-separated.")
    List<String> noCacheFilter = new ArrayList<>();

    @Option(names = "--pull", arity = "0..1", fallbackValue = "true",
            description = "Always check the registry for a newer base image (--pull=false: use a stored base as is, the default).")
    boolean pull;

    @Option(names = "--push", arity = "0..1", fallbackValue = "true", description = "Push the tagged image to its registry (same as --output type=registry).")
    boolean push;

    @Option(names = "--sign-key", paramLabel = "KEY",
            description = "Sign every pushed reference with this private key, as jbuild sign does (needs --push).")
    Path signKey;

    @Option(names = {"-o", "--output"}, paramLabel = "type=TYPE[,dest=PATH]",
            description = "Output: type=oci|docker|local|tar|registry|image, dest=PATH; type=image,name=NAME[,push=true]; repeatable.")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--load", arity = "0..1", fallbackValue = "true",
            description = "Load the image into the local podman or docker (podman load / docker load).")
    boolean load;

    @Option(names = "--provenance", paramLabel = "true|false|mode=min|max,...",
            description = "SLSA provenance attestation (shorthand for --attest type=provenance); default mode=min when pushing.")
    String provenance;

    @Option(names = "--sbom", paramLabel = "true|false|scan-stage=true,...",
            description = "SBOM attestation (shorthand for --attest type=sbom).")
    String sbom;

    @Option(names = "--attest", paramLabel = "type=provenance|sbom,KEY=VALUE,...",
            description = "An attestation: type=provenance (mode, version, builder-id, reproducible) or type=sbom "
                    + "(scan-stage, format=spdx|cyclonedx); disabled=true turns one off.")
    List<String> attest = new ArrayList<>();

    @Option(names = "--oci-referrers", description = "Also make the pushed attestations OCI 1.1 referrers of their images: "
            + "listed by the registry's referrers API, or in the sha256-<hex> tag schema's index where it has none (needs --push).")
    boolean ociReferrers;

    @Option(names = "--rm", arity = "0..1", fallbackValue = "true", hidden = true,
            description = "Accepted for docker build: jbuild makes no intermediate containers.")
    boolean rm = true;

    @Option(names = "--force-rm", arity = "0..1", fallbackValue = "true", hidden = true,
            description = "Accepted for docker build: jbuild makes no intermediate containers.")
    boolean forceRm;

    @Option(names = "--compress", arity = "0..1", fallbackValue = "true", hidden = true,
            description = "Accepted for docker build: the context is read in place, never sent to a daemon.")
    boolean compress;

    @Option(names = "--disable-content-trust", arity = "0..1", fallbackValue = "true", defaultValue = "true", hidden = true,
            description = "Accepted for docker build (true, its default): jbuild does not verify image signatures.")
    boolean disableContentTrust = true;

    @Option(names = "--call", paramLabel = "build|check[,format=json]",
            description = "build (the default), or check: run only the build checks (as --check); format=json prints BuildKit's lint JSON.")
    String call;

    @Option(names = "--check", arity = "0..1", fallbackValue = "true",
            description = "Run only the build checks and print their findings; exit 1 when there are any (--call=check).")
    boolean check;

    @Option(names = "--allow", paramLabel = "network.host", hidden = true,
            description = "Only network.host (RUN --network=host needs no entitlement in jbuild).")
    List<String> allow = new ArrayList<>();

    @Mixin(name = UNIMPLEMENTED)
    UnimplementedBuildFlags unimplemented;

    @Option(names = "--cache-from", paramLabel = "type=TYPE,...", description = "Cache source, repeatable, asked in order: type=registry,ref=REF (a registry cache or an image with inline cache) | type=local,src=DIR | REF.")
    List<String> cacheFrom = new ArrayList<>();

    @Option(names = "--cache-to", paramLabel = "type=TYPE,...", description = "Cache export, repeatable: type=registry,ref=REF[,mode=min|max][,ignore-error=true] | type=local,dest=DIR[,mode=...] | type=inline.")
    List<String> cacheTo = new ArrayList<>();

    @Option(names = "--secret", paramLabel = "id=ID[,src=FILE|env=VAR]", description = "Secret for RUN --mount=type=secret; repeatable.")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--ssh", paramLabel = "default|ID[=SOCKET]", description = "SSH agent socket for RUN --mount=type=ssh; repeatable.")
    List<String> ssh = new ArrayList<>();

    @Option(names = "--network", paramLabel = "host|none", description = "Network for RUN steps (default: host).")
    String network;

    @Option(names = "--add-host", paramLabel = "NAME:ADDRESS",
            description = "Add a line to /etc/hosts of RUN steps (NAME:IP or NAME=IP); repeatable.")
    List<String> addHost = new ArrayList<>();

    @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]",
            description = "Resource limit of RUN steps (e.g. nofile=1024:2048, nproc=512, core=-1); repeatable.")
    List<String> ulimit = new ArrayList<>();

    @Option(names = "--shm-size", paramLabel = "SIZE",
            description = "Size of the /dev/shm of RUN steps: bytes, or with b, k, m or g (e.g. 256m).")
    String shmSize;

    @Option(names = "--build-context", paramLabel = "NAME=VALUE", description = "Named context: NAME=DIR or NAME=oci-layout:///PATH[:TAG]; repeatable.")
    List<String> buildContexts = new ArrayList<>();

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "Progress output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Progress progress;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image ID.")
    boolean quiet;

    @Option(names = "--iidfile", paramLabel = "FILE", description = "Write the image ID to FILE.")
    String iidFile;

    @Option(names = "--metadata-file", paramLabel = "FILE", description = "Write build result metadata (JSON) to FILE.")
    String metadataFile;

    @Option(names = "--compression", paramLabel = "gzip|zstd|uncompressed", defaultValue = "gzip",
            description = "Layer compression (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--snapshotter", paramLabel = "auto|overlay|copy", defaultValue = "auto",
            description = "How RUN gets a writable root filesystem: kernel overlayfs, or a copy (default: ${DEFAULT-VALUE}: overlay where it works).")
    String snapshotter;

    @Option(names = "--isolation", paramLabel = "auto|chroot", defaultValue = "auto",
            description = "How RUN steps are isolated: auto (user, mount, pid… namespaces; rootless), or chroot (for root in a container that forbids new namespaces). oci is not implemented.")
    String isolation;

    @Option(names = "--dry-run", description = "Parse and plan only: print the stages and steps that would run.")
    boolean dryRun;

    @Override
    public void run() {
        rejectUnimplemented();
        CheckCall checkCall = checkCall();
        Progress mode = quiet ? Progress.quiet : progress == Progress.auto ? autoProgress() : progress;
        boolean silent = mode == Progress.quiet;
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        // Only a build runs steps: a check and a dry run show warnings alone.
        BuildListener printer = checkCall != null || dryRun ? BuildListener.NONE : switch (mode) {
            case json -> new JsonProgress(err);
            case rawjson -> new RawJsonProgress(err);
            case tty -> TtyProgress.forTerminal(err);
            default -> new ProgressPrinter(err, silent);
        };
        // -q hides the build's warnings; quiet and the JSON modes its other lines (signing, --load, the summary).
        boolean otherLines = !silent && mode != Progress.json && mode != Progress.rawjson;
        ImageBuild build = imageBuild().cliOutput(printer, line -> print(err, line, !quiet), line -> print(err, line, otherLines));
        try {
            if (checkCall != null) {
                check(build, checkCall);
                return;
            }
            if (dryRun) {
                build.dryRun().forEach(out::println);
                out.flush();
                return;
            }
            BuildOutcome outcome = build.run();
            if (silent && !build.wroteToStandardOutput()) {
                out.println(outcome.imageId());
                out.flush();
            } else if (printer instanceof JsonProgress json) {
                json.result(outcome);
            }
        } catch (JBuildException e) {
            throw failure(e);
        }
    }

    private static void print(PrintWriter err, String line, boolean shown) {
        if (shown) {
            err.println(line);
            err.flush();
        }
    }

    /** The build the flags describe, for the Java API that does the work: each flag's value as given. */
    private ImageBuild imageBuild() {
        ImageBuild build = JBuild.build(context);
        if (file != null) {
            build.dockerfile(file);
        }
        tags.forEach(build::tag);
        buildArgs.forEach(build::buildArg);
        platforms.forEach(build::platform);
        labels.forEach(build::label);
        annotations.forEach(build::annotation);
        secrets.forEach(build::secret);
        ssh.forEach(build::ssh);
        buildContexts.forEach(build::buildContext);
        cacheFrom.forEach(build::cacheFrom);
        cacheTo.forEach(build::cacheTo);
        outputs.forEach(build::output);
        attest.forEach(build::attest);
        noCacheFilter.forEach(build::noCacheFilter);
        addHost.forEach(build::addHost);
        ulimit.forEach(build::ulimit);
        build.target(target).push(push).pull(pull).noCache(noCache).load(load).ociReferrers(ociReferrers)
                .provenance(provenance).sbom(sbom).network(network).shmSize(shmSize).compression(compression)
                .snapshotter(snapshotter).isolation(isolation).signKey(signKey).signKeyPassword(SigningKeyFiles.PASSWORD)
                .iidFile(iidFile == null ? null : Path.of(iidFile)).metadataFile(metadataFile == null ? null : Path.of(metadataFile))
                .stdoutIsTerminal(Terminals.stdoutIsTerminal());
        JbuildCommand global = (JbuildCommand) spec.root().userObject();
        build.store(global.root).registryConfig(global.config).tlsVerify(global.tlsVerify);
        if (global.creds != null) {
            build.credentials(global.creds);
        }
        global.tlsCa.forEach(build::registryCaFile);
        global.insecureRegistries.forEach(build::insecureRegistry);
        return build;
    }

    /** The API's error as the CLI reports it: a usage error, or its lines with the exit code of its kind. */
    private RuntimeException failure(JBuildException e) {
        if (e instanceof InvalidBuildException) {
            return new ParameterException(spec.commandLine(), e.getMessage());
        }
        int exitCode = e instanceof EnvironmentException ? ExitCodes.ENVIRONMENT
                : e instanceof BuildFailedException failed && failed.interrupted() ? ExitCodes.INTERRUPTED : ExitCodes.BUILD_FAILED;
        return new CliFailure(exitCode, e.report(), e);
    }

    /** {@code --check} or {@code --call=check[,format=json]}: what to print. */
    private record CheckCall(boolean json) {}

    /** The check call asked for, or null for a build; other calls than build and check are refused. */
    private CheckCall checkCall() {
        if (call == null || call.equals("build")) {
            return check ? new CheckCall(false) : null;
        }
        String[] parts = call.split(",");
        String name = parts[0].strip();
        if (!name.equals("check") && !name.equals("lint")) {
            throw UnimplementedBuildFlags.notImplemented(spec, "--call=" + name, "only --call=build and --call=check");
        }
        boolean json = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.equals("format=json")) {
                json = true;
            } else if (!part.equals("format=text") && !part.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--call: invalid option \"" + part + "\" (format=json or format=text)");
            }
        }
        return new CheckCall(json);
    }

    /** Runs only the build checks and prints their findings (and an error after them); exit code 1 with findings. */
    private void check(ImageBuild build, CheckCall checkCall) throws JBuildException {
        CheckOutcome outcome;
        try {
            outcome = build.check();
        } catch (DockerfileException e) {
            if (e.checkOutcome() != null) {
                print(e.checkOutcome(), checkCall);
            }
            throw e;
        }
        print(outcome, checkCall);
        if (!outcome.findings().isEmpty()) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, List.of(), null);
        }
    }

    private void print(CheckOutcome outcome, CheckCall checkCall) {
        PrintWriter out = spec.commandLine().getOut();
        if (checkCall.json()) {
            out.println(outcome.json());
        } else {
            out.print(outcome.report());
        }
        out.flush();
    }

    /** tty on an interactive terminal, plain in CI, in pipes and with TERM=dumb (BuildKit's choice). */
    private static Progress autoProgress() {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return terminal && System.getenv("CI") == null ? Progress.tty : Progress.plain;
    }

    /**
     * Until a feature exists, its flag fails loudly rather than being silently ignored; flags that
     * only switch off what jbuild never does ({@code --provenance=false}) are accepted.
     */
    private void rejectUnimplemented() {
        UnimplementedBuildFlags.reject(spec, UNIMPLEMENTED);
        if (!disableContentTrust) {
            throw UnimplementedBuildFlags.notImplemented(spec, "--disable-content-trust=false", "jbuild does not verify image signatures");
        }
        for (String entitlement : allow) {
            for (String one : entitlement.split(",")) {
                if (!one.strip().equals("network.host")) {
                    throw UnimplementedBuildFlags.notImplemented(spec, "--allow " + one.strip(), "only network.host");
                }
            }
        }
    }
}
