package dev.jbuild.api;

import dev.jbuild.attestation.AttestationReader;
import dev.jbuild.attestation.Invoker;
import dev.jbuild.dockerfile.Diagnostics;
import dev.jbuild.dockerfile.Dockerfile;
import dev.jbuild.dockerfile.DockerfileSource;
import dev.jbuild.dockerfile.DockerfileSyntaxException;
import dev.jbuild.dockerfile.Finding;
import dev.jbuild.dockerfile.Location;
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
import dev.jbuild.image.Descriptor;
import dev.jbuild.image.Digest;
import dev.jbuild.image.ImageDocuments;
import dev.jbuild.image.ImageName;
import dev.jbuild.image.Index;
import dev.jbuild.image.MediaTypes;
import dev.jbuild.image.Platform;
import dev.jbuild.plan.BuildPlan;
import dev.jbuild.plan.PlanException;
import dev.jbuild.plan.PlanOptions;
import dev.jbuild.plan.Planner;
import dev.jbuild.progress.ProgressEnd;
import dev.jbuild.progress.ProgressPrinter;
import dev.jbuild.progress.Quantities;
import dev.jbuild.progress.TransferProgress;
import dev.jbuild.registry.Credentials;
import dev.jbuild.registry.RegistryClient;
import dev.jbuild.registry.RegistryOptions;
import dev.jbuild.sandbox.HostEntry;
import dev.jbuild.sandbox.ResourceLimit;
import dev.jbuild.signing.ImageSigner;
import dev.jbuild.signing.PasswordSource;
import dev.jbuild.signing.SigningException;
import dev.jbuild.signing.SigningKey;
import dev.jbuild.store.BuildRecord;
import dev.jbuild.store.Store;
import dev.jbuild.transfer.ImageTransfer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ProxySelector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One run of an {@link ImageBuild}: what {@code jbuild build} does from its flag values to the outcome
 * (reading the inputs and remote contexts, parsing every option, planning, the findings, the build, signing,
 * {@code --load}, the build record, the collection after builds). Everything below it throws {@link Problem};
 * here it becomes the API's typed exception, after the build is recorded.
 */
final class BuildRun {

    private final ImageBuild options;
    private final Map<String, String> env;
    private final InputStream stdin;
    private final Report report;
    /** {@code --ssh} agent sockets by id ({@link SshSockets#forBuild}), parsed before any remote context is fetched. */
    private Map<String, Path> sshSockets = Map.of();

    BuildRun(ImageBuild options) {
        this.options = options;
        this.env = options.environment != null ? options.environment : System.getenv();
        this.stdin = options.standardInput != null ? options.standardInput : System.in;
        this.report = new Report(options);
    }

    BuildOutcome build() throws JBuildException {
        try {
            return run(false, null);
        } catch (Problem e) {
            throw e.toException(Report::finding);
        }
    }

    List<String> dryRun() throws JBuildException {
        List<String> lines = new ArrayList<>();
        try {
            run(true, lines);
        } catch (Problem e) {
            throw e.toException(Report::finding);
        }
        return List.copyOf(lines);
    }

    CheckOutcome check() throws JBuildException {
        Supplier<Store> stores = once(this::openStore);
        try {
            // Checked as for a build, so that a bad value is the same usage error with --check.
            CacheSpecs.imports(options.cacheFrom);
            CacheSpecs.exports(options.cacheTo);
            OutputSpecs.Parsed outputSpecs = OutputSpecs.parse(options.outputs, options.stdoutIsTerminal);
            Attestations.parse(options.provenance, options.sbom, options.attest, options.push || outputSpecs.push(), env);
            if (options.context.equals("-") && "-".equals(options.file)) {
                throw Problem.invalid("the context and the Dockerfile cannot both come from standard input");
            }
            sshSockets = SshSockets.forBuild(options.ssh, options.context, env.get("SSH_AUTH_SOCK"));
        } catch (Problem e) {
            throw e.toException(Report::finding);
        }
        try (RemoteContexts remotes = remotes(stores);
                BuildInputs inputs = BuildInputs.read(options.context, options.file, stdin, false, stores, remotes,
                        keepContextGitDir())) {
            return check(inputs, remotes, stores);
        } catch (Problem e) {
            throw e.toException(Report::finding);
        }
    }

    /** The build (or with {@code dryRun} its plan, into {@code planLines}), recorded once its Dockerfile is read. */
    private BuildOutcome run(boolean dryRun, List<String> planLines) {
        List<CacheOptions.CacheImport> cacheImports = CacheSpecs.imports(options.cacheFrom);
        List<CacheOptions.CacheExport> cacheExports = CacheSpecs.exports(options.cacheTo);
        OutputSpecs.Parsed outputSpecs = OutputSpecs.parse(options.outputs, options.stdoutIsTerminal);
        Attestations.Parsed attestations = Attestations.parse(options.provenance, options.sbom, options.attest,
                options.push || outputSpecs.push(), env);
        if (options.context.equals("-") && "-".equals(options.file)) {
            throw Problem.invalid("the context and the Dockerfile cannot both come from standard input");
        }
        // Parsed before any remote context is fetched: git over SSH uses the agent forwarded as "default".
        sshSockets = SshSockets.forBuild(options.ssh, options.context, env.get("SSH_AUTH_SOCK"));
        Supplier<Store> stores = once(this::openStore);
        try (RemoteContexts remotes = remotes(stores);
                BuildInputs inputs = BuildInputs.read(options.context, options.file, stdin, dryRun, stores, remotes,
                        keepContextGitDir())) {
            // A build has started once its Dockerfile is read: from here on, success or failure is recorded.
            BuildRecorder recorder = dryRun ? null : BuildRecorder.start(inputs.dockerfile().digest());
            BuildOutcome outcome;
            try {
                outcome = build(inputs, stores, outputSpecs, attestations, recorder, remotes, cacheImports, cacheExports,
                        planLines);
            } catch (Problem e) {
                record(recorder, stores, outputSpecs.names(), e.kind().exitCode, e, String.join("\n", e.lines()));
                throw e;
            } catch (IOException e) {
                Problem failed = Problem.failed(List.of("error: " + e.getMessage()), e);
                Problem failure = Problem.isInterrupt(e) ? failed.asInterrupted() : failed;
                record(recorder, stores, outputSpecs.names(), failure.kind().exitCode, e, failure.lines().get(0));
                throw failure;
            } catch (RuntimeException e) {
                record(recorder, stores, outputSpecs.names(), Problem.Kind.FAILED.exitCode, e, "internal error: " + e);
                throw e;
            }
            record(recorder, stores, outputSpecs.names(), Problem.OK, null, null);
            return outcome;
        }
    }

    private RemoteContexts remotes(Supplier<Store> stores) {
        // Remote contexts are fetched before the build, with the git credentials among the secrets.
        Supplier<GitCredentials> gitCredentials = () -> GitCredentials.of(Secrets.values(options.secrets,
                GitCredentials::isGitSecret, env));
        Supplier<SshSettings> gitSsh = () -> new SshSettings(sshSockets.get(SshSettings.AGENT_ID), SshSettings.userKnownHosts());
        return new RemoteContexts(stores, gitCredentials, gitSsh, proxies(), report::warning);
    }

    /**
     * The environment's proxies for the build's downloads that are not a registry's (ADD of a URL, URL contexts),
     * by the registry client's rules; a variable naming no usable proxy is reported by the registry client.
     */
    private ProxySelector proxies() {
        return RegistryOptions.proxiesFrom(env, warning -> { });
    }

    private Store openStore() {
        Path location = options.storeRoot != null ? options.storeRoot : Store.defaultRoot();
        try {
            return Store.open(location);
        } catch (IOException e) {
            throw Problem.environment(List.of("error: " + Store.cannotOpen(location, e)), e);
        }
    }

    /**
     * The attestations asked for, with what the engine cannot know: the Dockerfile as given, the request's
     * arguments in BuildKit's keys ({@code build-arg:NAME}, {@code label:NAME}, {@code target}) and who runs the
     * build. The secrets and SSH agents provenance names are those the build's RUN mounts used (the engine's).
     */
    private AttestationOptions attestationOptions(Attestations.Parsed parsed, DockerfileSource dockerfile, List<String> names) {
        if (parsed.provenance() == null && parsed.sbom() == null) {
            if (options.ociReferrers) {
                throw Problem.invalid("--oci-referrers publishes the build's attestations: "
                        + "the build makes none (add --provenance or --sbom)");
            }
            return AttestationOptions.NONE;
        }
        Map<String, String> args = new TreeMap<>();
        BuildFlagValues.buildArgs(options.buildArgs, env).forEach((k, v) -> args.put("build-arg:" + k, v));
        BuildFlagValues.keyValues(options.labels, "--label").forEach((k, v) -> args.put("label:" + k, v));
        if (options.target != null) {
            args.put("target", options.target);
        }
        return new AttestationOptions(parsed.provenance(), parsed.sbom(), new AttestationOptions.Invocation(
                dockerfile.displayName(), dockerfile.text().getBytes(StandardCharsets.UTF_8), args,
                Invoker.current(env), names), options.ociReferrers);
    }

    /**
     * Runs only the build checks, as BuildKit's lint subrequest: parse and plan every platform, no step
     * and no pull; without a target every stage is checked.
     */
    private CheckOutcome check(BuildInputs inputs, RemoteContexts remotes, Supplier<Store> stores) {
        DockerfileSource source = inputs.dockerfile();
        Dockerfile dockerfile = parse(source, true);
        Map<String, NamedContext> namedContexts = NamedContexts.parse(options.buildContexts, remotes);
        Set<Finding> findings = new LinkedHashSet<>();
        List<BuildRequest> requests = new ArrayList<>();
        for (Platform platform : BuildFlagValues.targetPlatforms(options.platforms)) {
            try {
                BuildPlan plan = Planner.check(dockerfile, planOptions(platform, namedContexts));
                findings.addAll(plan.findings());
                requests.add(BuildRequest.builder(dockerfile, plan, inputs.contextDir(), platform).ignore(inputs.ignore())
                        .namedContexts(namedContexts).sshSockets(sshSockets).sshKnownHosts(SshSettings.userKnownHosts()).proxies(proxies())
                        .pull(options.pull).build());
            } catch (PlanException e) {
                // BuildKit's lint result holds the findings and the error together; the error is printed after them.
                findings.addAll(e.findings());
                List<Finding> sorted = sorted(findings);
                StringWriter text = new StringWriter();
                if (!sorted.isEmpty()) {
                    PrintWriter out = new PrintWriter(text);
                    CheckReport.text(out, sorted, source.displayName(), source.text());
                    out.println();
                    out.flush();
                }
                CheckOutcome outcome = new CheckOutcome(sorted.stream().map(Report::finding).toList(), text.toString(),
                        CheckReport.json(sorted, source.displayName(), source.text(), e.getMessage()));
                throw planProblem(e, source.text(), outcome);
            }
        }
        String engineError = engineChecks(requests, inputs, stores, findings);
        List<Finding> sorted = sorted(findings);
        StringWriter text = new StringWriter();
        CheckReport.text(new PrintWriter(text), sorted, source.displayName(), source.text());
        CheckOutcome outcome = new CheckOutcome(sorted.stream().map(Report::finding).toList(), text.toString(),
                CheckReport.json(sorted, source.displayName(), source.text(), engineError));
        if (engineError != null) {
            throw Problem.dockerfile(engineError, 0, List.of("error: " + engineError), sorted, null).withCheck(outcome);
        }
        return outcome;
    }

    /**
     * The checks only the engine makes (InvalidBaseImagePlatform, UndefinedVar, CopyIgnoredFile), as BuildKit's
     * check converts the whole Dockerfile with its base images resolved: added to {@code findings}. Returns the
     * error that stopped them (a base image that cannot be had), or null.
     */
    private String engineChecks(List<BuildRequest> requests, BuildInputs inputs, Supplier<Store> stores, Set<Finding> findings) {
        List<Finding> found = new CopyOnWriteArrayList<>();
        BuildListener collecting = new BuildListener() {
            @Override
            public void finding(Finding finding) {
                found.add(finding);
            }
        };
        Store store = inputs.store() != null ? inputs.store() : stores.get();
        String error = null;
        try (RegistryClient registry = registry(List.of(), collecting)) {
            new Builder(store, collecting, new ImageTransfer(store, registry)).check(requests);
        } catch (BuildException e) {
            error = e.getMessage();
        }
        findings.addAll(found);
        return error;
    }

    private static List<Finding> sorted(Collection<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(Comparator.comparingInt(Finding::line));
        return sorted;
    }

    /** {@code BUILDKIT_CONTEXT_KEEP_GIT_DIR} among the build arguments: Go's boolean forms; another value is ignored, as in BuildKit. */
    private boolean keepContextGitDir() {
        String value = BuildFlagValues.buildArgs(options.buildArgs, env).get("BUILDKIT_CONTEXT_KEEP_GIT_DIR");
        return value != null && List.of("1", "t", "T", "TRUE", "true", "True").contains(value);
    }

    /** Parses, plans and runs the build whose inputs are read; a dry run gives its plan instead. */
    private BuildOutcome build(BuildInputs inputs, Supplier<Store> stores, OutputSpecs.Parsed outputSpecs,
            Attestations.Parsed attestations, BuildRecorder recorder, RemoteContexts remotes,
            List<CacheOptions.CacheImport> cacheImports, List<CacheOptions.CacheExport> cacheExports, List<String> planLines)
            throws IOException {
        Dockerfile dockerfile = parse(inputs.dockerfile(), false);
        List<Platform> targets = BuildFlagValues.targetPlatforms(options.platforms);
        AnnotationSpecs annotationSpecs = AnnotationSpecs.parse(options.annotations, targets);
        Map<String, NamedContext> namedContexts = NamedContexts.parse(options.buildContexts, remotes);
        List<BuildPlan> plans = new ArrayList<>();
        for (Platform target : targets) {
            plans.add(plan(dockerfile, target, namedContexts, inputs.dockerfile().text()));
        }
        List<Finding> findings = reportWarnings(plans);
        boolean dryRun = planLines != null;
        LoadTarget loadInto = options.load && !dryRun ? loadTarget(targets) : null;
        if (dryRun) {
            PrintWriter out = LineWriter.of(planLines::add);
            for (int i = 0; i < plans.size(); i++) {
                if (plans.size() > 1) {
                    out.println("platform " + targets.get(i) + ":");
                }
                DryRunPlan.print(plans.get(i), out);
            }
            return null;
        }
        Store store = inputs.store() != null ? inputs.store() : stores.get();
        Path secretsDir = options.secrets.isEmpty() ? null : store.createTemporaryDirectory("secrets");
        try {
            List<BuildRequest> requests = new ArrayList<>();
            Map<String, Path> secretFiles = Secrets.parse(options.secrets, secretsDir, env);
            // Parsed once for all platforms: every platform's RUN steps get the same sockets, hosts and limits.
            List<HostEntry> extraHosts = ExtraHosts.parse(options.addHosts);
            List<ResourceLimit> ulimits = BuildFlagValues.ulimits(options.ulimits);
            long shmBytes = BuildFlagValues.shmSize(options.shmSize);
            List<String> names = BuildFlagValues.normalizedTags(options.tags, outputSpecs.names());
            AttestationOptions attestationOptions = attestationOptions(attestations, inputs.dockerfile(), names);
            for (int i = 0; i < targets.size(); i++) {
                requests.add(BuildRequest.builder(dockerfile, plans.get(i), inputs.contextDir(), targets.get(i))
                        .ignore(inputs.ignore())
                        .namedContexts(namedContexts)
                        .tags(names)
                        .labels(BuildFlagValues.keyValues(options.labels, "--label"))
                        .annotations(annotationSpecs.manifest(targets.get(i)))
                        .descriptorAnnotations(annotationSpecs.descriptors(targets.get(i)))
                        .sourceDateEpoch(BuildFlagValues.sourceDateEpoch(BuildFlagValues.buildArgs(options.buildArgs, env), env))
                        .compression(BuildFlagValues.compression(options.compression))
                        .outputs(outputSpecs.outputs())
                        .pull(options.pull)
                        .push(options.push || outputSpecs.push())
                        .secrets(secretFiles)
                        .sshSockets(sshSockets)
                        .sshKnownHosts(SshSettings.userKnownHosts()).proxies(proxies())
                        .network(BuildFlagValues.network(options.network))
                        .snapshotter(BuildFlagValues.snapshotter(options.snapshotter))
                        .isolation(BuildFlagValues.isolation(options.isolation))
                        .extraHosts(extraHosts)
                        .ulimits(ulimits)
                        .shmSize(shmBytes)
                        .attestations(attestationOptions)
                        .build());
            }
            if (requests.get(0).push() && requests.get(0).tags().isEmpty()) {
                throw Problem.invalid("--push needs a name: add -t REGISTRY/NAME:TAG");
            }
            if (options.ociReferrers && !requests.get(0).push()) {
                throw Problem.invalid("--oci-referrers publishes what the build pushes: add --push");
            }
            if (options.signKey != null && !requests.get(0).push()) {
                throw Problem.invalid("--sign-key signs what the build pushes: add --push");
            }
            // Read (and the password asked) before the build, so a bad key or password costs no build.
            SigningKey signingKey = options.signKey == null ? null : privateKey(options.signKey);
            return build(store, requests, inputs.dockerfile(), loadInto, signingKey, recorder, findings, cacheImports,
                    cacheExports);
        } finally {
            if (secretsDir != null) {
                store.deleteTemporaryDirectory(secretsDir);
            }
        }
    }

    private void record(BuildRecorder recorder, Supplier<Store> stores, List<String> outputNames, int exitCode, Throwable failure,
            String error) {
        if (recorder != null) {
            recorder.write(stores, () -> invocation(outputNames), exitCode, failure, error, report);
        }
    }

    /**
     * The options the record keeps, each as the build read it where it can be read (the failure being
     * recorded may be an option's), else as given. Build arguments and secrets by name and id only: their
     * values never reach the record.
     */
    private BuildRecord.Invocation invocation(List<String> outputNames) {
        List<String> names;
        try {
            names = BuildFlagValues.normalizedTags(options.tags, outputNames);
        } catch (Problem e) {
            names = options.tags;
        }
        List<String> targets;
        try {
            targets = BuildFlagValues.targetPlatforms(options.platforms).stream().map(Platform::toString).toList();
        } catch (Problem e) {
            targets = options.platforms;
        }
        List<String> argNames = options.buildArgs.stream().map(arg -> arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg)
                .distinct().toList();
        List<String> secretIds;
        try {
            secretIds = Secrets.ids(options.secrets);
        } catch (Problem e) {
            secretIds = List.of();
        }
        return new BuildRecord.Invocation(names, options.target, targets, argNames, secretIds, null);
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

    /**
     * The Dockerfile parsed; on a syntax error, the findings of the instructions before it come first, as
     * BuildKit reports them: warnings of a build, or the check's report with the error after it.
     */
    private Dockerfile parse(DockerfileSource source, boolean forCheck) {
        try {
            return source.parse();
        } catch (DockerfileSyntaxException e) {
            List<Finding> findings = sorted(e.findings(BuildFlagValues.buildArgs(options.buildArgs, env)));
            Problem problem = Problem.dockerfile(e.getMessage(), e.location().startLine(), Diagnostics.syntax(e), findings, e);
            if (!forCheck) {
                findings.forEach(f -> report.planWarning(Report.finding(f), CheckReport.warningLine(f)));
                throw problem;
            }
            StringWriter text = new StringWriter();
            if (!findings.isEmpty()) {
                PrintWriter out = new PrintWriter(text);
                CheckReport.text(out, findings, source.displayName(), source.text());
                out.println();
                out.flush();
            }
            throw problem.withCheck(new CheckOutcome(findings.stream().map(Report::finding).toList(), text.toString(),
                    CheckReport.json(findings, source.displayName(), source.text(), e.getMessage())));
        }
    }

    private PlanOptions planOptions(Platform platform, Map<String, NamedContext> namedContexts) {
        return new PlanOptions(BuildFlagValues.buildArgs(options.buildArgs, env), options.target, platform.toString(),
                Platform.host().toString(), namedContexts.keySet());
    }

    private BuildPlan plan(Dockerfile dockerfile, Platform platform, Map<String, NamedContext> namedContexts, String text) {
        try {
            return Planner.plan(dockerfile, planOptions(platform, namedContexts));
        } catch (PlanException e) {
            throw planProblem(e, text, null);
        }
    }

    private static Problem planProblem(PlanException e, String text, CheckOutcome check) {
        Location location = e.location();
        return Problem.dockerfile(e.getMessage(), location == null ? 0 : location.startLine(),
                Diagnostics.of(location, e.getMessage(), text, e.caret()), e.findings(), e).withCheck(check);
    }

    /**
     * The build checks' findings and the planner's warnings, each once (the plans of several platforms
     * mostly repeat them); with {@code error=true} findings fail the build here, before any step runs,
     * as BuildKit fails it after converting the Dockerfile.
     */
    private List<Finding> reportWarnings(List<BuildPlan> plans) {
        Set<Finding> findings = new LinkedHashSet<>();
        Set<String> warnings = new LinkedHashSet<>();
        plans.forEach(p -> findings.addAll(p.findings()));
        plans.forEach(p -> warnings.addAll(p.warnings()));
        findings.forEach(f -> report.planWarning(Report.finding(f), CheckReport.warningLine(f)));
        warnings.forEach(report::planWarning);
        String violation = plans.get(0).checks().violation(List.copyOf(findings));
        if (violation != null) {
            throw Problem.dockerfile(violation, 0, List.of("error: " + violation), List.copyOf(findings), null);
        }
        return List.copyOf(findings);
    }

    /** Runs the build, then signs, loads, reports and collects; the outcome also goes to the listener. */
    private BuildOutcome build(Store store, List<BuildRequest> requests, DockerfileSource dockerfile, LoadTarget loadInto,
            SigningKey signingKey, BuildRecorder recorder, List<Finding> planFindings, List<CacheOptions.CacheImport> cacheImports,
            List<CacheOptions.CacheExport> cacheExports) {
        // The engine's findings (InvalidBaseImagePlatform) join the plan's in the end summary.
        List<Finding> findings = new CopyOnWriteArrayList<>(planFindings);
        BuildRequest request = requests.get(0);
        long started = System.nanoTime();
        BuildListener listener = report.engine();
        String failed = "interrupted"; // what the printer is told when the build ends without a result
        BuildResult result;
        // Named credentials go to the registries the build names: pushed tags and cache references (a cache
        // is written and read as the user's own, like a pushed image), never to those of base images.
        List<ImageName> named = new ArrayList<>(request.push() ? request.tags().stream().map(ImageName::parse).toList() : List.of());
        named.addAll(CacheSpecs.registryReferences(cacheImports, cacheExports));
        try (RegistryClient registry = registry(named, listener)) {
            result = new Builder(store, collecting(listener, findings), new ImageTransfer(store, registry))
                    .withCacheOptions(new CacheOptions(options.noCache, Set.copyOf(options.noCacheFilter),
                            cacheImports, cacheExports))
                    .buildPlatforms(requests);
            failed = null;
            recorder.built(result);
        } catch (BuildException e) {
            failed = e.getMessage();
            throw engineProblem(e, dockerfile, request);
        } finally {
            // Before the summary or the error: the tty view erases its live lines, rawjson ends its vertexes.
            ProgressEnd.of(report.printer(), failed);
        }
        result.pushed().forEach(reference -> report.event(new BuildEvent.Pushed(reference)));
        BuildOutputFiles.write(result, options.iidFile, options.metadataFile);
        if (signingKey != null) {
            signPushed(result.pushed(), signingKey, store, result.manifest());
        }
        if (loadInto != null) {
            // The engine's own lines ("Loaded image: …") are progress: not in -q's or json's output.
            loadInto.load(store, result, request.platform(),
                    request.sourceDateEpoch() != null ? request.sourceDateEpoch() : Instant.EPOCH, report.messages());
        }
        options.archiveOnStdout = request.outputs().stream().anyMatch(OutputSpecs::writesToStdout);
        PrintWriter summary = report.messages();
        ProgressPrinter.summary(summary, result, Duration.ofNanos(System.nanoTime() - started));
        CheckReport.summary(summary, findings);
        AutoCollection.afterBuild(store, env, report);
        BuildOutcome outcome = new BuildOutcome(result.config().toString(), result.manifest().digest().toString(), result.tags(),
                result.pushed(), report.warnings(), result.layers(), result.size(), result.steps(), result.cached());
        report.event(new BuildEvent.Done(outcome));
        return outcome;
    }

    /** The engine's failure: at its instruction (the Dockerfile line, the caret), or the machine's; INTERRUPTED when an interrupt caused it. */
    private static Problem engineProblem(BuildException e, DockerfileSource dockerfile, BuildRequest request) {
        Problem problem = locatedProblem(e, dockerfile, request);
        return Problem.isInterrupt(e) ? problem.asInterrupted() : problem;
    }

    private static Problem locatedProblem(BuildException e, DockerfileSource dockerfile, BuildRequest request) {
        if (e.location() == null) {
            List<String> lines = List.of("error: " + e.getMessage());
            return e.environmentProblem() ? Problem.environment(lines, e) : Problem.failed(lines, e);
        }
        List<String> lines = Diagnostics.atLocation(e.location(), e.getMessage(), dockerfile.text(),
                e.caret() != null ? e.caret() : request.dockerfile().caretFor(e.location(), e));
        return e.environmentProblem() ? Problem.environment(lines, e)
                : Problem.step(e.getMessage(), e.location().startLine(), instruction(dockerfile.text(), e.location()), lines, e);
    }

    /** The instruction's first line as written, for {@link BuildFailedException#step()}. */
    private static String instruction(String text, Location location) {
        String[] lines = text.split("\r?\n", -1);
        int i = location.startLine() - 1;
        return i >= 0 && i < lines.length ? lines[i].strip() : null;
    }

    /**
     * The client for the build's registries: named credentials to the registries of {@code named} only, so a
     * password is not sent elsewhere; its transfers and warnings reported to {@code listener}.
     */
    private RegistryClient registry(Collection<ImageName> named, BuildListener listener) {
        RegistryOptions.Builder builder = RegistryOptions.builder().environment(env);
        if (options.dockerConfigDir != null) {
            builder.dockerConfigFile(options.dockerConfigDir.resolve("config.json"));
        }
        options.registryCredentials.forEach(builder::credentials);
        if (options.namedCredentials != null) {
            Credentials credentials;
            try {
                credentials = Credentials.parse(options.namedCredentials);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("invalid --creds: " + e.getMessage());
            }
            for (ImageName name : named) {
                builder.credentials(name.registry(), credentials);
            }
        }
        String rate = env.get(RegistryOptions.MIN_TRANSFER_RATE_VARIABLE);
        if (rate != null && !rate.isBlank()) {
            try {
                builder.minTransferRate(Quantities.minTransferRate(rate));
            } catch (IllegalArgumentException e) {
                throw Problem.invalid(e.getMessage());
            }
        }
        options.tlsCaFiles.forEach(builder::tlsCaFile);
        options.insecureRegistries.forEach(builder::insecureRegistry);
        if (!options.tlsVerify) {
            builder.insecureRegistry("*");
        }
        return RegistryClient.create(builder.listener(new TransferProgress(listener)).build());
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
            throw Problem.notImplemented("--load with several platforms", "build one platform, or use -o type=oci,dest=FILE for all of them");
        }
        return LoadTarget.find(env).orElseThrow(() -> Problem.environment(LoadTarget.noEngineMessage()));
    }

    /** The key of {@code --sign-key}; its password from the CLI's prompt, else {@code COSIGN_PASSWORD}. */
    private SigningKey privateKey(Path file) {
        PasswordSource password = options.signKeyPassword != null ? options.signKeyPassword : prompt -> {
            String value = env.get("COSIGN_PASSWORD");
            if (value == null) {
                throw Problem.failed("error: the private key is encrypted: set COSIGN_PASSWORD to its password");
            }
            return value.toCharArray();
        };
        try {
            return ImageSigner.readPrivateKeyFile(file, password);
        } catch (SigningException e) {
            throw Problem.failed("error: " + e.getMessage());
        }
    }

    /**
     * Signs each pushed {@code name@digest} (the digest the registry stored, so nothing is asked again), and
     * each attestation statement the build pushed with it as a DSSE envelope in the platform image's
     * {@code .att} image, as {@code cosign attest --key} would ({@code pushedImage} is the build's manifest or
     * index in the store).
     */
    private void signPushed(List<String> pushed, SigningKey key, Store store, Descriptor pushedImage) {
        List<ImageName> names = pushed.stream().map(ImageName::parse).toList();
        List<AttestationReader.StoredStatement> statements;
        try {
            statements = statements(store, pushedImage);
        } catch (IOException e) {
            throw Problem.failed("error: reading the build's attestations to sign them: " + e.getMessage());
        }
        BuildListener warnings = new BuildListener() {
            @Override
            public void warning(String message) {
                report.warning(message);
            }
        };
        try (RegistryClient registry = registry(names, warnings)) {
            ImageSigner signer = new ImageSigner(registry);
            for (ImageName name : names) {
                try {
                    ImageSigner.Signed signed = signer.sign(name, Digest.parse(name.digest()), key, Map.of());
                    report.message(signed.describe());
                    for (AttestationReader.StoredStatement statement : statements) {
                        ImageSigner.Signed attested = signer.attest(name, statement.image(), statement.bytes(),
                                statement.predicateType(), key);
                        report.message((attested.added() ? "signed the " : "already signed with this key: the ")
                                + statement.predicateType() + " attestation of " + name.familiar() + " ("
                                + statement.image() + ") in " + attested.signatures().familiar());
                    }
                } catch (IOException e) {
                    throw Problem.failed("error: signing " + name.familiar() + " (pushed): " + e.getMessage());
                }
            }
        }
    }

    private static List<AttestationReader.StoredStatement> statements(Store store, Descriptor image) throws IOException {
        if (!MediaTypes.isIndex(image.mediaType())) {
            return List.of();
        }
        Index index = (Index) ImageDocuments.parseManifestOrIndex(store.readBytes(image.digest())).value();
        return AttestationReader.all(AttestationReader.Source.byDigest(store::readBytes), index);
    }
}
