package dev.jbuild.cli;

import dev.jbuild.attestation.Invoker;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.engine.Builder;
import dev.jbuild.engine.api.AttestationOptions;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.engine.api.BuildRequest;
import dev.jbuild.engine.api.BuildResult;
import dev.jbuild.engine.api.CacheOptions;
import dev.jbuild.engine.api.NamedContext;
import dev.jbuild.git.GitCredentials;
import dev.jbuild.git.SshSettings;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanException;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.sandbox.HostEntry;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.signing.SigningKey;
import dev.jbuild.store.BuildRecord;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
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

    @Option(names = "--ssh", paramLabel = "default|ID[=SOCKET]", description = "SSH agent socket for RUN --mount=type=ssh"
            + " (default: also for git over SSH); repeatable.")
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

    /** {@code --ssh} agent sockets by id ({@link SshSockets#forBuild}), parsed before any work. */
    private Map<String, Path> sshSockets = Map.of();

    /** --cache-from and --cache-to, parsed before any work so a bad value is a usage error. */
    private List<CacheOptions.CacheImport> cacheImports = List.of();
    private List<CacheOptions.CacheExport> cacheExports = List.of();

    @Override
    public void run() {
        rejectUnimplemented();
        cacheImports = CacheSpecs.imports(cacheFrom, spec.commandLine());
        cacheExports = CacheSpecs.exports(cacheTo, spec.commandLine());
        OutputSpecs.Parsed outputSpecs = OutputSpecs.parse(outputs, spec.commandLine(), Terminals.stdoutIsTerminal());
        Attestations.Parsed attestations = Attestations.parse(spec, provenance, sbom, attest, push || outputSpecs.push(),
                System.getenv());
        if (context.equals("-") && "-".equals(file)) {
            throw new ParameterException(spec.commandLine(), "the context and the Dockerfile cannot both come from standard input");
        }
        Supplier<Store> stores = once(() -> Stores.open(((JbuildCommand) spec.root().userObject()).root));
        // Remote contexts are fetched by the CLI before the build, with the git credentials among the secrets.
        Supplier<GitCredentials> gitCredentials = () -> GitCredentials.of(Secrets.values(secrets, GitCredentials::isGitSecret,
                spec.commandLine()));
        // Parsed before any remote context is fetched: git over SSH uses the agent forwarded as "default".
        sshSockets = SshSockets.forBuild(ssh, context, System.getenv("SSH_AUTH_SOCK"), spec.commandLine());
        Supplier<SshSettings> gitSsh = () -> new SshSettings(sshSockets.get(SshSettings.AGENT_ID), SshSettings.userKnownHosts());
        CheckCall checkCall = checkCall();
        if (checkCall != null) {
            try (RemoteContexts remotes = new RemoteContexts(stores, gitCredentials, gitSsh, spec.commandLine().getErr());
                    BuildInputs inputs = BuildInputs.read(context, file, spec.commandLine(), true, stores, remotes,
                            keepContextGitDir())) {
                check(inputs, checkCall, remotes);
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
            }
            return;
        }
        try (RemoteContexts remotes = new RemoteContexts(stores, gitCredentials, gitSsh, spec.commandLine().getErr());
                BuildInputs inputs = BuildInputs.read(context, file, spec.commandLine(), dryRun, stores, remotes,
                        keepContextGitDir())) {
            // A build has started once its Dockerfile is read: from here on, success or failure is recorded.
            BuildRecorder recorder = dryRun ? null : BuildRecorder.start(inputs.dockerfile().digest());
            try {
                build(inputs, stores, outputSpecs, attestations, recorder, remotes);
            } catch (CliFailure e) {
                record(recorder, stores, outputSpecs.names(), e.exitCode(), e, e.getMessage());
                throw e;
            } catch (ParameterException e) {
                record(recorder, stores, outputSpecs.names(), ExitCodes.USAGE, e, e.getMessage());
                throw e;
            } catch (IOException e) {
                CliFailure failure = new CliFailure(ExitCodes.BUILD_FAILED, "error: " + e.getMessage());
                record(recorder, stores, outputSpecs.names(), failure.exitCode(), e, failure.getMessage());
                throw failure;
            } catch (RuntimeException e) {
                record(recorder, stores, outputSpecs.names(), ExitCodes.BUILD_FAILED, e, "internal error: " + e);
                throw e;
            }
            record(recorder, stores, outputSpecs.names(), ExitCodes.OK, null, null);
        }
    }

    /**
     * The attestations asked for, with what the engine cannot know: the Dockerfile as given, the request's
     * arguments in BuildKit's keys ({@code build-arg:NAME}, {@code label:NAME}, {@code target}), the ids of
     * secrets and SSH agents (never their values) and who runs the build.
     */
    private AttestationOptions attestationOptions(Attestations.Parsed parsed, DockerfileSource dockerfile, List<String> names,
            Set<String> secretIds, Set<String> sshIds) {
        if (parsed.provenance() == null && parsed.sbom() == null) {
            if (ociReferrers) {
                throw new ParameterException(spec.commandLine(), "--oci-referrers publishes the build's attestations: "
                        + "the build makes none (add --provenance or --sbom)");
            }
            return AttestationOptions.NONE;
        }
        Map<String, String> args = new TreeMap<>();
        BuildFlagValues.buildArgs(buildArgs, spec.commandLine()).forEach((k, v) -> args.put("build-arg:" + k, v));
        BuildFlagValues.keyValues(labels, "--label", spec.commandLine()).forEach((k, v) -> args.put("label:" + k, v));
        if (target != null) {
            args.put("target", target);
        }
        return new AttestationOptions(parsed.provenance(), parsed.sbom(), new AttestationOptions.Invocation(
                dockerfile.displayName(), dockerfile.text().getBytes(StandardCharsets.UTF_8), args,
                List.copyOf(secretIds), List.copyOf(sshIds), Invoker.current(System.getenv()), names), ociReferrers);
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

    /**
     * Runs only the build checks, as BuildKit's lint subrequest: parse and plan every platform, no step
     * and no pull; without {@code --target} every stage is checked. Exit code 1 with findings.
     */
    private void check(BuildInputs inputs, CheckCall checkCall, RemoteContexts remotes) throws IOException {
        DockerfileSource source = inputs.dockerfile();
        Dockerfile dockerfile = source.parse();
        Map<String, NamedContext> namedContexts = NamedContexts.parse(buildContexts, spec.commandLine(), remotes);
        Set<Finding> findings = new LinkedHashSet<>();
        for (Platform platform : BuildFlagValues.targetPlatforms(platforms, spec.commandLine())) {
            try {
                findings.addAll(Planner.check(dockerfile, planOptions(platform, namedContexts)).findings());
            } catch (PlanException e) {
                // BuildKit's lint result holds the findings and the error together; the error is printed after them.
                findings.addAll(e.findings());
                List<Finding> sorted = new ArrayList<>(findings);
                sorted.sort(Comparator.comparingInt(Finding::line));
                PrintWriter out = spec.commandLine().getOut();
                if (checkCall.json()) {
                    out.println(CheckReport.json(sorted, source.displayName(), source.text(), e.getMessage()));
                } else if (!sorted.isEmpty()) {
                    CheckReport.text(out, sorted, source.displayName(), source.text());
                    out.println();
                }
                out.flush();
                throw Diagnostics.plan(e, source.text());
            }
        }
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(Comparator.comparingInt(Finding::line));
        PrintWriter out = spec.commandLine().getOut();
        if (checkCall.json()) {
            out.println(CheckReport.json(sorted, source.displayName(), source.text(), null));
            out.flush();
        } else {
            CheckReport.text(out, sorted, source.displayName(), source.text());
        }
        if (!sorted.isEmpty()) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, List.of(), null);
        }
    }

    /** Parses, plans and runs the build whose inputs are read; a dry run prints its plan instead. */
    /** {@code --build-arg BUILDKIT_CONTEXT_KEEP_GIT_DIR}: Go's boolean forms; another value is ignored, as in BuildKit. */
    private boolean keepContextGitDir() {
        String value = BuildFlagValues.buildArgs(buildArgs, spec.commandLine()).get("BUILDKIT_CONTEXT_KEEP_GIT_DIR");
        return value != null && List.of("1", "t", "T", "TRUE", "true", "True").contains(value);
    }

    private void build(BuildInputs inputs, Supplier<Store> stores, OutputSpecs.Parsed outputSpecs, Attestations.Parsed attestations,
            BuildRecorder recorder, RemoteContexts remotes) throws IOException {
        Dockerfile dockerfile = inputs.dockerfile().parse();
        List<Platform> targets = BuildFlagValues.targetPlatforms(platforms, spec.commandLine());
        AnnotationSpecs annotationSpecs = AnnotationSpecs.parse(annotations, targets, spec.commandLine());
        Map<String, NamedContext> namedContexts = NamedContexts.parse(buildContexts, spec.commandLine(), remotes);
        List<BuildPlan> plans = new ArrayList<>();
        for (Platform target : targets) {
            plans.add(plan(dockerfile, target, namedContexts, inputs.dockerfile().text()));
        }
        List<Finding> findings = printWarnings(plans);
        LoadTarget loadInto = load && !dryRun ? loadTarget(targets) : null;
        if (dryRun) {
            for (int i = 0; i < plans.size(); i++) {
                if (plans.size() > 1) {
                    spec.commandLine().getOut().println("platform " + targets.get(i) + ":");
                }
                DryRunPlan.print(plans.get(i), spec.commandLine().getOut());
            }
            return;
        }
        Store store = inputs.store() != null ? inputs.store() : stores.get();
        Path secretsDir = secrets.isEmpty() ? null : store.createTemporaryDirectory("secrets");
        try {
            List<BuildRequest> requests = new ArrayList<>();
            Map<String, Path> secretFiles = Secrets.parse(secrets, secretsDir, spec.commandLine());
            // Parsed once for all platforms: every platform's RUN steps get the same sockets, hosts and limits.
            List<HostEntry> extraHosts = ExtraHosts.parse(addHost, spec.commandLine());
            List<ResourceLimit> ulimits = BuildFlagValues.ulimits(ulimit, spec.commandLine());
            long shmBytes = BuildFlagValues.shmSize(shmSize, spec.commandLine());
            List<String> names = BuildFlagValues.normalizedTags(tags, outputSpecs.names(), spec.commandLine());
            AttestationOptions attestationOptions = attestationOptions(attestations, inputs.dockerfile(), names,
                    secretFiles.keySet(), sshSockets.keySet());
            for (int i = 0; i < targets.size(); i++) {
                requests.add(BuildRequest.builder(dockerfile, plans.get(i), inputs.contextDir(), targets.get(i))
                        .ignore(inputs.ignore())
                        .namedContexts(namedContexts)
                        .tags(names)
                        .labels(BuildFlagValues.keyValues(labels, "--label", spec.commandLine()))
                        .annotations(annotationSpecs.manifest(targets.get(i)))
                        .descriptorAnnotations(annotationSpecs.descriptors(targets.get(i)))
                        .sourceDateEpoch(BuildFlagValues.sourceDateEpoch(
                                BuildFlagValues.buildArgs(buildArgs, spec.commandLine()), spec.commandLine()))
                        .compression(BuildFlagValues.compression(compression, spec.commandLine()))
                        .outputs(outputSpecs.outputs())
                        .pull(pull)
                        .push(push || outputSpecs.push())
                        .secrets(secretFiles)
                        .sshSockets(sshSockets)
                        .sshKnownHosts(SshSettings.userKnownHosts())
                        .network(BuildFlagValues.network(network, spec.commandLine()))
                        .snapshotter(BuildFlagValues.snapshotter(snapshotter, spec.commandLine()))
                        .isolation(BuildFlagValues.isolation(isolation, spec.commandLine()))
                        .extraHosts(extraHosts)
                        .ulimits(ulimits)
                        .shmSize(shmBytes)
                        .attestations(attestationOptions)
                        .build());
            }
            if (requests.get(0).push() && requests.get(0).tags().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--push needs a name: add -t REGISTRY/NAME:TAG");
            }
            if (ociReferrers && !requests.get(0).push()) {
                throw new ParameterException(spec.commandLine(), "--oci-referrers publishes what the build pushes: add --push");
            }
            if (signKey != null && !requests.get(0).push()) {
                throw new ParameterException(spec.commandLine(), "--sign-key signs what the build pushes: add --push");
            }
            // Read (and the password asked) before the build, so a bad key or password costs no build.
            SigningKey signingKey = signKey == null ? null : SigningKeyFiles.privateKey(signKey);
            build(store, requests, inputs.dockerfile(), loadInto, signingKey, recorder, findings);
        } finally {
            if (secretsDir != null) {
                store.deleteTemporaryDirectory(secretsDir);
            }
        }
    }

    private void record(BuildRecorder recorder, Supplier<Store> stores, List<String> outputNames, int exitCode, Throwable failure,
            String error) {
        if (recorder != null) {
            recorder.write(stores, () -> invocation(outputNames), exitCode, failure, error, spec.commandLine().getErr());
        }
    }

    /**
     * The flags the record keeps, each as the build read it where it can be read (the failure being
     * recorded may be a flag's), else as given. Build arguments and secrets by name and id only: their
     * values never reach the record.
     */
    private BuildRecord.Invocation invocation(List<String> outputNames) {
        List<String> names;
        try {
            names = BuildFlagValues.normalizedTags(tags, outputNames, spec.commandLine());
        } catch (ParameterException e) {
            names = tags;
        }
        List<String> targets;
        try {
            targets = BuildFlagValues.targetPlatforms(platforms, spec.commandLine()).stream().map(Platform::toString).toList();
        } catch (ParameterException e) {
            targets = platforms;
        }
        List<String> argNames = buildArgs.stream().map(arg -> arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg)
                .distinct().toList();
        List<String> secretIds;
        try {
            secretIds = Secrets.ids(secrets, spec.commandLine());
        } catch (ParameterException e) {
            secretIds = List.of();
        }
        return new BuildRecord.Invocation(names, target, targets, argNames, secretIds, null);
    }

    /** {@code supplier}'s value, made on the first call and kept: every part of one build uses one store. */
    private static <T> Supplier<T> once(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    private PlanOptions planOptions(Platform platform, Map<String, NamedContext> namedContexts) {
        return new PlanOptions(BuildFlagValues.buildArgs(buildArgs, spec.commandLine()), target, platform.toString(),
                Platform.host().toString(), namedContexts.keySet());
    }

    private BuildPlan plan(Dockerfile dockerfile, Platform platform, Map<String, NamedContext> namedContexts, String text) {
        PlanOptions options = planOptions(platform, namedContexts);
        BuildPlan plan;
        try {
            plan = Planner.plan(dockerfile, options);
        } catch (PlanException e) {
            throw Diagnostics.plan(e, text);
        }
        return plan;
    }

    /**
     * The build checks' findings and the planner's warnings, each once (the plans of several platforms
     * mostly repeat them); with {@code error=true} findings fail the build here, before any step runs,
     * as BuildKit fails it after converting the Dockerfile.
     */
    private List<Finding> printWarnings(List<BuildPlan> plans) {
        Set<Finding> findings = new LinkedHashSet<>();
        Set<String> warnings = new LinkedHashSet<>();
        plans.forEach(p -> findings.addAll(p.findings()));
        plans.forEach(p -> warnings.addAll(p.warnings()));
        PrintWriter err = spec.commandLine().getErr();
        if (!quiet) {
            findings.forEach(f -> err.println("warning: " + CheckReport.warningLine(f)));
            warnings.forEach(w -> err.println("warning: " + w));
            err.flush();
        }
        String violation = plans.get(0).checks().violation(List.copyOf(findings));
        if (violation != null) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: " + violation);
        }
        return List.copyOf(findings);
    }

    /** Runs the build and reports it: progress and summary on stderr, or only the image ID with -q. */
    private void build(Store store, List<BuildRequest> requests, DockerfileSource dockerfile, LoadTarget loadInto,
            SigningKey signingKey, BuildRecorder recorder, List<Finding> planFindings) {
        // The engine's findings (InvalidBaseImagePlatform) join the plan's in the end summary.
        List<Finding> findings = new CopyOnWriteArrayList<>(planFindings);
        BuildRequest request = requests.get(0);
        long started = System.nanoTime();
        Progress mode = quiet ? Progress.quiet : progress == Progress.auto ? autoProgress() : progress;
        boolean silent = mode == Progress.quiet;
        PrintWriter err = spec.commandLine().getErr();
        BuildListener printer = switch (mode) {
            case json -> new JsonProgress(err);
            case rawjson -> new RawJsonProgress(err);
            case tty -> TtyProgress.forTerminal(err);
            default -> new ProgressPrinter(err, silent);
        };
        String failed = "interrupted"; // what the printer is told when the build ends without a result
        BuildResult result;
        // --creds goes to the registries the command names: pushed tags and cache references (a cache
        // is written and read as the user's own, like a pushed image), never to those of base images.
        List<ImageName> named = new ArrayList<>(request.push() ? request.tags().stream().map(ImageName::parse).toList() : List.of());
        named.addAll(CacheSpecs.registryReferences(cacheImports, cacheExports));
        try (RegistryClient registry = Registries.client(spec, named, printer)) {
            result = new Builder(store, collecting(printer, findings), new ImageTransfer(store, registry))
                    .withCacheOptions(new CacheOptions(noCache, Set.copyOf(noCacheFilter),
                            cacheImports, cacheExports))
                    .buildPlatforms(requests);
            failed = null;
            recorder.built(result);
        } catch (BuildException e) {
            failed = e.getMessage();
            CliFailure failure = e.location() == null
                    ? new CliFailure(ExitCodes.BUILD_FAILED, List.of("error: " + e.getMessage()), e)
                    : Diagnostics.atLocation(e.location(), e.getMessage(), dockerfile.text(),
                            e.caret() != null ? e.caret() : request.dockerfile().caretFor(e.location(), e), e);
            throw e.environmentProblem() ? new CliFailure(ExitCodes.ENVIRONMENT, failure.lines(), e) : failure;
        } finally {
            // Before the summary or the error: the tty view erases its live lines, rawjson ends its vertexes.
            ProgressEnd.of(printer, failed);
        }
        BuildOutputFiles.write(result, iidFile, metadataFile);
        if (signingKey != null) {
            SignCommand.signPushed(spec, result.pushed(), signingKey,
                    silent || mode == Progress.json || mode == Progress.rawjson ? null : err, store, result.manifest());
        }
        if (loadInto != null) {
            // The engine's own lines ("Loaded image: …") are progress: not in -q's or json's output.
            loadInto.load(store, result, request.platform(),
                    request.sourceDateEpoch() != null ? request.sourceDateEpoch() : Instant.EPOCH,
                    silent || mode == Progress.json || mode == Progress.rawjson ? null : err);
        }
        boolean archiveOnStdout = request.outputs().stream().anyMatch(OutputSpecs::writesToStdout);
        if (silent && !archiveOnStdout) {
            spec.commandLine().getOut().println(result.config());
            spec.commandLine().getOut().flush();
        } else if (printer instanceof JsonProgress json) {
            json.result(result);
        } else if (!silent && mode != Progress.rawjson) { // rawjson: only BuildKit's status objects
            ProgressPrinter.summary(err, result, Duration.ofNanos(System.nanoTime() - started));
            CheckReport.summary(err, findings);
        }
        AutoCollection.afterBuild(store, err, silent || mode == Progress.json || mode == Progress.rawjson);
    }

    /**
     * {@code listener}, also adding each finding the engine reports to {@code into}: the printers show
     * findings as they come (once, though each platform's build reports them), the summary at the end
     * lists them all, as buildx does. A proxy, so that every printer gets this without code of its own.
     */
    private static BuildListener collecting(BuildListener listener, List<Finding> into) {
        return (BuildListener) Proxy.newProxyInstance(BuildListener.class.getClassLoader(), new Class<?>[] {BuildListener.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("finding") && args != null && args.length == 1 && args[0] instanceof Finding f) {
                        synchronized (into) {
                            if (into.contains(f)) {
                                return null; // another platform's build found it already
                            }
                            into.add(f);
                        }
                    }
                    try {
                        return method.invoke(listener, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The engine {@code --load} sends the image to, found before the build so that a missing one costs no build. */
    private LoadTarget loadTarget(List<Platform> targets) {
        if (targets.size() > 1) {
            throw UnimplementedBuildFlags.notImplemented(spec, "--load with several platforms",
                    "build one platform, or use -o type=oci,dest=FILE for all of them");
        }
        return LoadTarget.find(System.getenv()).orElseThrow(() -> new CliFailure(ExitCodes.ENVIRONMENT, LoadTarget.noEngineMessage()));
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
