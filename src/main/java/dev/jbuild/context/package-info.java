/**
 * Build contexts and what {@code COPY}/{@code ADD} select from them.
 *
 * <p>A {@link dev.jbuild.context.SourceTree} is a read-only tree a copy reads from; symbolic links
 * in it are always resolved inside it. {@link dev.jbuild.context.BuildContexts} makes one of a
 * local directory (filtered by {@link dev.jbuild.context.DockerIgnore}) or unpacks a context tar
 * safely first; the orchestrator supplies its own trees over image layers. Every tree resolves
 * links with {@link dev.jbuild.layer.RootedResolver}, through
 * {@link dev.jbuild.context.SourceTree#find}.
 * {@link dev.jbuild.context.CopySelection} applies BuildKit's rules for sources - cleaning,
 * wildcards, following the source link, directory contents, {@code --exclude}, {@code --parents}
 * - and says which entries go where; writing them is the layer code's job.
 */
package dev.jbuild.context;
