package dev.jbuild.cli;

import dev.jbuild.image.Descriptor;
import dev.jbuild.image.ImageName;
import dev.jbuild.progress.Quantities;
import dev.jbuild.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jbuild images}: the tagged images in the store, like {@code docker images}. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images in the local store.")
final class ImagesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Print only image IDs.")
    boolean quiet;

    @Option(names = "--digests", description = "Show manifest digests.")
    boolean digests;

    @Override
    public void run() {
        Store store = Stores.open(((JbuildCommand) spec.root().userObject()).root);
        PrintWriter out = spec.commandLine().getOut();
        try {
            print(store, out, spec.commandLine().getErr(), Instant.now());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.BUILD_FAILED, "error: reading the store: " + e.getMessage());
        }
        out.flush();
    }

    /**
     * The table as of {@code now} (tests pass a fixed instant): CREATED in docker's words
     * ({@code 2 hours ago}), columns as wide as their widest cell plus three spaces, as docker's
     * tabwriter lays them out, so no value breaks the alignment. A name whose image cannot be read (a
     * blob missing or damaged) gets one warning on {@code err} and no row: one broken name must not
     * hide the others, and the warning says how to mend or remove it.
     */
    void print(Store store, PrintWriter out, PrintWriter err, Instant now) throws IOException {
        StoredImages images = new StoredImages(store);
        List<List<String>> rows = new ArrayList<>();
        rows.add(digests ? List.of("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : List.of("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"));
        for (Map.Entry<String, Descriptor> tag : store.tags().entrySet()) {
            StoredImages.StoredImage image;
            String id;
            try {
                image = images.load(tag.getKey(), tag.getValue());
                id = images.imageId(tag.getValue(), image).hex().substring(0, 12);
            } catch (IOException e) {
                String familiar = ImageName.parse(tag.getKey()).familiar();
                String problem = e instanceof StoredImages.BrokenImageException ? e.getMessage() : "it cannot be read: " + e.getMessage();
                err.println("warning: " + familiar + ": " + problem + "; jbuild pull " + familiar
                        + " (or build it again) or jbuild rmi " + familiar);
                err.flush();
                continue;
            }
            if (quiet) {
                out.println(id);
                continue;
            }
            ImageName name = ImageName.parse(tag.getKey());
            String familiar = name.familiar();
            String repository = name.tag() == null ? familiar : familiar.substring(0, familiar.length() - name.tag().length() - 1);
            String created = created(image.config().value().created(), now);
            String tagName = name.tag() == null ? "<none>" : name.tag();
            rows.add(digests
                    ? List.of(repository, tagName, tag.getValue().digest().toString(), id, created, Quantities.bytes(image.size()))
                    : List.of(repository, tagName, id, created, Quantities.bytes(image.size())));
        }
        if (quiet) {
            return;
        }
        TextTable.print(rows, out);
    }

    /** {@code 2 hours ago}; the raw value when it is no RFC 3339 time, empty when there is none. */
    private static String created(String created, Instant now) {
        if (created == null || created.isEmpty()) {
            return "N/A";
        }
        try {
            return Quantities.ago(OffsetDateTime.parse(created).toInstant(), now);
        } catch (DateTimeParseException e) {
            return created;
        }
    }
}
