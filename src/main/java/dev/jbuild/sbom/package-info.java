/**
 * Software bills of materials: which packages a root filesystem holds, and the SPDX 2.3 or CycloneDX 1.6
 * document that lists them (docs/supply-chain.md).
 *
 * <p>{@link dev.jbuild.sbom.Sboms#scan} walks a {@link dev.jbuild.sbom.RootFiles} once and hands its
 * entries to one cataloger per kind of metadata (dpkg, apk, Java archives, npm, Python, Go binaries),
 * each a small package-private class reading only the files it needs, as streams;
 * {@link dev.jbuild.sbom.Sboms#write} turns the {@link dev.jbuild.sbom.SbomContents} into a document.
 * Symbolic links are resolved inside the tree by {@link dev.jbuild.layer.RootedResolver}. The package
 * sits beside {@code context} and {@code export}: it uses {@code layer} and {@code image}, and the
 * engine hands it a stage's tree.
 */
package dev.jbuild.sbom;
