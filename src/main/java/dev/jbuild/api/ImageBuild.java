package dev.jbuild.api;

import dev.jbuild.engine.api.BuildListener;
import dev.jbuild.registry.Credentials;
import dev.jbuild.signing.PasswordSource;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One build, configured by its methods (each returns this) and run once by {@link #run()} or {@link #check()}.
 * Options take the syntax of the CLI's flags and are read by the same parsers, so a value is accepted,
 * refused and worded exactly as {@code jbuild build} does; nothing is checked before {@code run()}.
 * An {@code ImageBuild} is not thread-safe: make one per build. Builds may run at the same time, in one JVM
 * or several, on one store.
 */
public final class ImageBuild {

    // The CLI's flag values, as given; BuildRun parses them.
    final String context;
    String file;
    String target;
    final List<String> tags = new ArrayList<>();
    final List<String> buildArgs = new ArrayList<>();
    final List<String> platforms = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    final List<String> annotations = new ArrayList<>();
    final List<String> secrets = new ArrayList<>();
    final List<String> ssh = new ArrayList<>();
    final List<String> buildContexts = new ArrayList<>();
    final List<String> cacheFrom = new ArrayList<>();
    final List<String> cacheTo = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    final List<String> attest = new ArrayList<>();
    final List<String> noCacheFilter = new ArrayList<>();
    final List<String> addHosts = new ArrayList<>();
    final List<String> ulimits = new ArrayList<>();
    boolean push;
    boolean pull;
    boolean noCache;
    boolean load;
    boolean ociReferrers;
    String provenance;
    String sbom;
    String network;
    String shmSize;
    String compression = "gzip";
    String snapshotter = "auto";
    String isolation = "auto";
    Path signKey;
    Path iidFile;
    Path metadataFile;
    Path storeRoot;
    // Registries.
    final Map<String, Credentials> registryCredentials = new LinkedHashMap<>();
    String namedCredentials;
    Path dockerConfigDir;
    final List<Path> tlsCaFiles = new ArrayList<>();
    final List<String> insecureRegistries = new ArrayList<>();
    boolean tlsVerify = true;
    // Where things go and come from.
    Consumer<String> progress;
    Consumer<BuildEvent> listener;
    CliOutput cliOutput;
    Map<String, String> environment;
    InputStream standardInput;
    boolean stdoutIsTerminal;
    PasswordSource signKeyPassword;
    boolean archiveOnStdout;
    private boolean used;

    ImageBuild(String context) {
        this.context = context;
    }

    /** The Dockerfile (default: {@code Dockerfile} in a directory context, or in a remote context). */
    public ImageBuild dockerfile(Path file) {
        this.file = Objects.requireNonNull(file, "file").toString();
        return this;
    }

    /** The Dockerfile as {@code -f} names it: a path, or {@code -} for {@link #standardInput}. */
    public ImageBuild dockerfile(String file) {
        this.file = Objects.requireNonNull(file, "file");
        return this;
    }

    /** Build this stage (and what it needs) instead of the last ({@code --target}). */
    public ImageBuild target(String stage) {
        this.target = stage;
        return this;
    }

    /** Name the image ({@code -t}); repeatable. */
    public ImageBuild tag(String name) {
        tags.add(Objects.requireNonNull(name, "name"));
        return this;
    }

    /** A build argument ({@code --build-arg KEY=VALUE}). */
    public ImageBuild buildArg(String key, String value) {
        buildArgs.add(Objects.requireNonNull(key, "key") + "=" + Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A build argument as {@code --build-arg} takes it: {@code KEY=VALUE}, or {@code KEY} for the environment's value. */
    public ImageBuild buildArg(String spec) {
        buildArgs.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** A platform to build for ({@code linux/arm64}); repeatable; default: the host's. */
    public ImageBuild platform(String platform) {
        platforms.add(Objects.requireNonNull(platform, "platform"));
        return this;
    }

    /** A label of the image config ({@code --label KEY=VALUE}). */
    public ImageBuild label(String key, String value) {
        labels.add(Objects.requireNonNull(key, "key") + "=" + Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A label as {@code --label} takes it ({@code KEY=VALUE}). */
    public ImageBuild label(String spec) {
        labels.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** An annotation as {@code --annotation} takes it ({@code [TYPE:]KEY=VALUE}). */
    public ImageBuild annotation(String spec) {
        annotations.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** The secret {@code id} for {@code RUN --mount=type=secret}, read from {@code file}. */
    public ImageBuild secretFile(String id, Path file) {
        secrets.add(csv("id", id) + "," + csv("src", file.toString()));
        return this;
    }

    /** The secret {@code id}, the value of the environment variable {@code envVariable} (of {@link #environment}). */
    public ImageBuild secretEnv(String id, String envVariable) {
        secrets.add(csv("id", id) + "," + csv("env", envVariable));
        return this;
    }

    /** A secret as {@code --secret} takes it ({@code id=ID[,src=FILE|env=VAR]}). */
    public ImageBuild secret(String spec) {
        secrets.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** The SSH agent socket {@code agentSocket} for {@code RUN --mount=type=ssh,id=ID}. */
    public ImageBuild ssh(String id, Path agentSocket) {
        ssh.add(Objects.requireNonNull(id, "id") + "=" + agentSocket.toString());
        return this;
    }

    /** An SSH agent as {@code --ssh} takes it ({@code default}, {@code ID} or {@code ID=SOCKET}). */
    public ImageBuild ssh(String spec) {
        ssh.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /**
     * A named context as {@code --build-context NAME=VALUE} takes it: a directory, {@code docker-image://REF},
     * {@code oci-layout:///PATH[:TAG]}, a git URL or an http(s) URL.
     */
    public ImageBuild buildContext(String name, String value) {
        buildContexts.add(Objects.requireNonNull(name, "name") + "=" + Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A named context as {@code --build-context} takes it ({@code NAME=VALUE}). */
    public ImageBuild buildContext(String spec) {
        buildContexts.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** A cache source as {@code --cache-from} takes it ({@code type=registry,ref=REF}, {@code type=local,src=DIR}, {@code REF}). */
    public ImageBuild cacheFrom(String spec) {
        cacheFrom.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** A cache export as {@code --cache-to} takes it ({@code type=registry,ref=REF,mode=max}, {@code type=local,dest=DIR}, {@code type=inline}). */
    public ImageBuild cacheTo(String spec) {
        cacheTo.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** An output as {@code -o} takes it ({@code type=oci,dest=FILE}, {@code type=local,dest=DIR}, {@code type=registry}, ...). */
    public ImageBuild output(String spec) {
        outputs.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** Push the named image to its registry ({@code --push}). */
    public ImageBuild push(boolean push) {
        this.push = push;
        return this;
    }

    /** Always ask the registry for a newer base image ({@code --pull}). */
    public ImageBuild pull(boolean pull) {
        this.pull = pull;
        return this;
    }

    /** Take no step from the build cache ({@code --no-cache}). */
    public ImageBuild noCache(boolean noCache) {
        this.noCache = noCache;
        return this;
    }

    /** Take no step of this stage (a name or an index) from the build cache ({@code --no-cache-filter}). */
    public ImageBuild noCacheFilter(String stage) {
        noCacheFilter.add(Objects.requireNonNull(stage, "stage"));
        return this;
    }

    /** Provenance as {@code --provenance} takes it ({@code true}, {@code false}, {@code mode=max}, ...). */
    public ImageBuild provenance(String spec) {
        this.provenance = spec;
        return this;
    }

    /** An SBOM as {@code --sbom} takes it ({@code true}, {@code scan-stage=true,format=cyclonedx}, ...). */
    public ImageBuild sbom(String spec) {
        this.sbom = spec;
        return this;
    }

    /** An attestation as {@code --attest} takes it ({@code type=provenance,mode=max}, {@code type=sbom}). */
    public ImageBuild attest(String spec) {
        attest.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** Also make the pushed attestations OCI 1.1 referrers of their images ({@code --oci-referrers}). */
    public ImageBuild ociReferrers(boolean ociReferrers) {
        this.ociReferrers = ociReferrers;
        return this;
    }

    /** Sign every pushed reference with this private key, as {@code --sign-key} ({@code COSIGN_PASSWORD} of {@link #environment}). */
    public ImageBuild signKey(Path key) {
        this.signKey = key;
        return this;
    }

    /** Load the image into the podman or docker on the PATH ({@code --load}). */
    public ImageBuild load(boolean load) {
        this.load = load;
        return this;
    }

    /** The network of RUN steps: {@code host} (the default) or {@code none} ({@code --network}). */
    public ImageBuild network(String mode) {
        this.network = mode;
        return this;
    }

    /** A line of RUN steps' {@code /etc/hosts} as {@code --add-host} takes it ({@code NAME:IP}). */
    public ImageBuild addHost(String spec) {
        addHosts.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** A resource limit of RUN steps as {@code --ulimit} takes it ({@code nofile=1024:2048}). */
    public ImageBuild ulimit(String spec) {
        ulimits.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** The size of RUN steps' {@code /dev/shm} as {@code --shm-size} takes it ({@code 256m}). */
    public ImageBuild shmSize(String size) {
        this.shmSize = size;
        return this;
    }

    /** Layer compression: {@code gzip} (the default), {@code zstd} or {@code uncompressed}. */
    public ImageBuild compression(String compression) {
        this.compression = Objects.requireNonNull(compression, "compression");
        return this;
    }

    /** How RUN gets its root file system: {@code auto} (the default), {@code overlay} or {@code copy}. */
    public ImageBuild snapshotter(String snapshotter) {
        this.snapshotter = Objects.requireNonNull(snapshotter, "snapshotter");
        return this;
    }

    /** How RUN is isolated: {@code auto} (the default: rootless namespaces) or {@code chroot}. */
    public ImageBuild isolation(String isolation) {
        this.isolation = Objects.requireNonNull(isolation, "isolation");
        return this;
    }

    /** Write the image ID to this file ({@code --iidfile}). */
    public ImageBuild iidFile(Path file) {
        this.iidFile = file;
        return this;
    }

    /** Write buildx's result metadata (JSON) to this file ({@code --metadata-file}). */
    public ImageBuild metadataFile(Path file) {
        this.metadataFile = file;
        return this;
    }

    /** The image store (default: the CLI's: {@code $JBUILD_ROOT}, else {@code $XDG_DATA_HOME/jbuild}, else {@code ~/.local/share/jbuild}). */
    public ImageBuild store(Path root) {
        this.storeRoot = root;
        return this;
    }

    /** Credentials for one registry ({@code registry.example.com:5000}, {@code docker.io}), used for bases too. */
    public ImageBuild registryCredentials(String registryHost, String username, String password) {
        // parse: a user name of <token> makes the password an identity token, as --creds and credential helpers.
        registryCredentials.put(Objects.requireNonNull(registryHost, "registryHost"),
                Credentials.parse(Objects.requireNonNull(username, "username") + ":" + Objects.requireNonNull(password, "password")));
        return this;
    }

    /**
     * Credentials as the CLI's {@code --creds} gives them: for the registries the build names (pushed tags,
     * {@code --cache-from}/{@code --cache-to} references), never for those of base images.
     */
    public ImageBuild credentials(String username, String password) {
        this.namedCredentials = Objects.requireNonNull(username, "username") + ":" + Objects.requireNonNull(password, "password");
        return this;
    }

    /** {@link #credentials(String, String)} as {@code --creds} takes them, {@code USER:PASSWORD}. */
    public ImageBuild credentials(String userColonPassword) {
        this.namedCredentials = Objects.requireNonNull(userColonPassword, "userColonPassword");
        return this;
    }

    /** Where Docker's {@code config.json} is ({@code --config}; default: {@code $DOCKER_CONFIG}, else {@code ~/.docker}). */
    public ImageBuild registryConfig(Path dockerConfigDir) {
        this.dockerConfigDir = dockerConfigDir;
        return this;
    }

    /** Also trust the CA certificates in this PEM file ({@code --tls-ca}). */
    public ImageBuild registryCaFile(Path pemFile) {
        tlsCaFiles.add(Objects.requireNonNull(pemFile, "pemFile"));
        return this;
    }

    /** Reach this registry without certificate checks, or over plain HTTP ({@code --insecure-registry}). */
    public ImageBuild insecureRegistry(String host) {
        insecureRegistries.add(Objects.requireNonNull(host, "host"));
        return this;
    }

    /** {@code false} treats every registry as insecure ({@code --tls-verify=false}). */
    public ImageBuild tlsVerify(boolean verify) {
        this.tlsVerify = verify;
        return this;
    }

    /**
     * Receives the build's progress as lines, exactly the text {@code jbuild build --progress=plain} writes to
     * standard error: steps, their output, warnings, the summary. Called from several threads, one line at a time.
     */
    public ImageBuild progress(Consumer<String> lines) {
        this.progress = lines;
        return this;
    }

    /** Receives the build's events (steps, output, warnings, pushes, the end); called from several threads, one at a time. */
    public ImageBuild listener(Consumer<BuildEvent> events) {
        this.listener = events;
        return this;
    }

    /**
     * The environment the build reads where the CLI reads the process's: a bare {@code --build-arg KEY}, a
     * secret's {@code env=}, {@code SSH_AUTH_SOCK}, {@code SOURCE_DATE_EPOCH}, proxies, {@code DOCKER_CONFIG},
     * {@code JBUILD_GC_*}. Default: {@link System#getenv()}.
     */
    public ImageBuild environment(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        return this;
    }

    /** What a context or Dockerfile given as {@code -} is read from (default: {@link System#in}, as the CLI). */
    public ImageBuild standardInput(InputStream in) {
        this.standardInput = in;
        return this;
    }

    /** Where the CLI's output goes: see {@link #cliOutput(BuildListener, Consumer, Consumer)}. */
    record CliOutput(BuildListener printer, Consumer<String> warnings, Consumer<String> messages) {}

    /**
     * For the CLI only, not a stable API: instead of {@link #progress}, the engine's events go to {@code printer}
     * (the CLI's plain, terminal or JSON printer), the build's own {@code warning:} lines to {@code warningLines}
     * and its other lines (signing, {@code --load}, the summary, garbage collection) to {@code otherLines}, so that
     * the CLI can leave out what its output mode does not show. {@link #listener} still gets every event.
     */
    public ImageBuild cliOutput(BuildListener printer, Consumer<String> warningLines, Consumer<String> otherLines) {
        this.cliOutput = new CliOutput(Objects.requireNonNull(printer, "printer"), Objects.requireNonNull(warningLines, "warningLines"),
                Objects.requireNonNull(otherLines, "otherLines"));
        return this;
    }

    /**
     * For the CLI only, not a stable API: a key password source for {@link #signKey} (the CLI asks on the
     * terminal); default: {@code COSIGN_PASSWORD} of {@link #environment}, else the key cannot be read.
     */
    public ImageBuild signKeyPassword(PasswordSource password) {
        this.signKeyPassword = password;
        return this;
    }

    /** After {@link #run()}: whether an output wrote an archive to the process's standard output ({@code -o -}). */
    public boolean wroteToStandardOutput() {
        return archiveOnStdout;
    }

    /**
     * For the CLI only, not a stable API: whether standard output is a terminal, where an archive output to
     * standard output ({@code -o -}) is refused (buildx's rule). Default false.
     */
    public ImageBuild stdoutIsTerminal(boolean terminal) {
        this.stdoutIsTerminal = terminal;
        return this;
    }

    /**
     * Builds the image: reads the context, plans, runs the steps, writes the outputs, pushes, signs and loads
     * as configured, records the build ({@code jbuild history}) and collects the store's garbage when due.
     */
    public BuildOutcome run() throws JBuildException {
        once();
        return new BuildRun(this).build();
    }

    /** Runs only the build checks ({@code --check}): parses and plans every platform, no step runs. */
    public CheckOutcome check() throws JBuildException {
        once();
        return new BuildRun(this).check();
    }

    /** Parses and plans only ({@code --dry-run}): the stages and steps that would run, as the CLI prints them. */
    public List<String> dryRun() throws JBuildException {
        once();
        return new BuildRun(this).dryRun();
    }

    private void once() {
        if (used) {
            throw new IllegalStateException("an ImageBuild runs once; make a new one with JBuild.build");
        }
        used = true;
    }

    /** {@code key=value} as one field of buildx's CSV, quoted when the value holds a comma or a quote. */
    private static String csv(String key, String value) {
        String field = key + "=" + Objects.requireNonNull(value, key);
        return field.contains(",") || field.contains("\"") ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
    }
}
