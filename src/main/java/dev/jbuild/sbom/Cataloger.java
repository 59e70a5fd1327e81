package dev.jbuild.sbom;

import java.io.IOException;
import java.util.List;

/** One kind of package metadata: finds its files in the tree and reads them into packages. */
interface Cataloger {

    List<SbomPackage> catalog(ScanTree tree, SbomContents.Distro distro) throws IOException;
}
