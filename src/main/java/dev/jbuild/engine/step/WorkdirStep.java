package dev.jbuild.engine.step;

import dev.jbuild.dockerfile.Instruction;
import dev.jbuild.engine.api.BuildException;
import dev.jbuild.engine.api.StepId;
import dev.jbuild.engine.fs.FsView;
import dev.jbuild.engine.stage.BuildSession;
import dev.jbuild.engine.stage.ImageState;
import dev.jbuild.layer.EntryAttributes;
import dev.jbuild.layer.LayerEntry;
import dev.jbuild.layer.LayerPaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code WORKDIR}: sets the working directory and creates it when it is missing (a layer only then, as
 * BuildKit's empty-layer elision ends up doing). Keyed by the expanded path; the current WORKDIR it may be
 * relative to and the USER who owns what it creates are in every key already.
 */
final class WorkdirStep implements Step {

    private final StepContext context;
    private final Instruction.Workdir workdir;

    WorkdirStep(StepContext context, Instruction.Workdir workdir) {
        this.context = context;
        this.workdir = workdir;
    }

    @Override
    public Instruction instruction() {
        return workdir;
    }

    @Override
    public boolean isVertex() {
        return true;
    }

    @Override
    public String inputKey(String parent) throws BuildException {
        return StepKeys.common(context, parent, workdir)
                .put("path", context.session().expand(workdir.path(), context.state().expansionScope(), workdir.location()))
                .hex();
    }

    @Override
    public List<LayerEntry> execute(StepId id) throws BuildException, IOException {
        BuildSession session = context.session();
        ImageState state = context.state();
        String path = session.expand(workdir.path(), state.expansionScope(), workdir.location());
        String absolute = path.startsWith("/") ? path : state.workingDir() + "/" + path;
        String clean = "/" + LayerPaths.clean(absolute);
        // BuildKit's NormalizeWorkdir keeps an absolute path as written (/app/ stays /app/) and joins a relative
        // one to the current directory, cleaned; ImageState#workingDir cleans it for every use.
        state.updateRunConfig(c -> c.withWorkingDir(path.startsWith("/") ? path : clean));
        // WORKDIR creates the directory and its missing parents when it is missing, owned by the
        // current USER the way BuildKit's mkdir (llb.WithUser) gives it, through symlinks on the way
        // and in the last component (fs.RootPath: a dangling link is created at its target).
        FsView fs = state.fs();
        if (fs.isDirectory(clean)) {
            return List.of();
        }
        UserDatabase.Ids owner = Ownership.resolve(session, state, state.user(), unknown -> session.listener().warning(
                workdir.location().prefix() + ": " + Ownership.forWorkdir(clean, state.user()) + ": " + unknown));
        List<LayerEntry> entries = new ArrayList<>();
        for (String dir = fs.writePath(clean); !dir.isEmpty() && fs.mustCreateDirectory(dir); dir = LayerPaths.parent(dir)) {
            entries.add(0, new LayerEntry.Directory(dir,
                    new EntryAttributes(0755, owner.uid(), owner.gid(), session.createdDirTime(), Map.of())));
        }
        return entries;
    }
}
