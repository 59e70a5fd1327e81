package dev.jbuild.sbom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.OrganizationalEntity;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.license.Expression;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * CycloneDX 1.6 JSON through CycloneDX's own model and generator ({@code cyclonedx-core-java}): the
 * described image is {@code metadata.component} (type container), every package a library component
 * with its purl (also its {@code bom-ref}, made unique), declared licenses (an expression when the text
 * is one, otherwise a named license) and the files it was found in as {@code jbuild:location}
 * properties. Deterministic like the SPDX document: the serial number is a name-based UUID of the
 * subject's digest, the timestamp the caller's.
 */
final class CycloneDxWriter {

    private CycloneDxWriter() {}

    static byte[] write(SbomContents contents, SbomDocumentInfo info) throws IOException {
        SpdxLicenses spdx = SpdxLicenses.load();
        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(
                ("jbuild-sbom:" + info.subjectDigest()).getBytes(StandardCharsets.UTF_8)));
        bom.setVersion(1);

        Metadata metadata = new Metadata();
        metadata.setTimestamp(Date.from(info.created()));
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName("jbuild");
        tool.setVersion(info.toolVersion());
        ToolInformation tools = new ToolInformation();
        tools.setComponents(List.of(tool));
        metadata.setToolChoice(tools);
        Component subject = new Component();
        subject.setType(Component.Type.CONTAINER);
        subject.setName(info.name());
        subject.setVersion(info.subjectDigest());
        subject.setBomRef("subject");
        metadata.setComponent(subject);
        bom.setMetadata(metadata);

        List<Component> components = new ArrayList<>();
        for (SbomPackage p : contents.packages()) {
            Component c = new Component();
            c.setType(Component.Type.LIBRARY);
            c.setName(p.name());
            if (!p.version().isEmpty()) {
                c.setVersion(p.version());
            }
            c.setPurl(p.purl());
            // The SPDX id's hash makes a package found twice (same purl, other files) two refs.
            c.setBomRef(p.purl() + "#" + SpdxWriter.spdxId(p).substring(SpdxWriter.spdxId(p).lastIndexOf('-') + 1));
            if (p.supplier() != null) {
                OrganizationalEntity supplier = new OrganizationalEntity();
                supplier.setName(p.supplier());
                c.setSupplier(supplier);
            }
            if (!p.licenses().isEmpty()) {
                c.setLicenses(licenses(p.licenses(), spdx));
            }
            List<Property> properties = new ArrayList<>();
            for (String location : p.locations()) {
                properties.add(new Property("jbuild:location", location));
            }
            if (p.arch() != null) {
                properties.add(new Property("jbuild:arch", p.arch()));
            }
            if (p.source() != null) {
                properties.add(new Property("jbuild:source", p.source()));
            }
            c.setProperties(properties);
            components.add(c);
        }
        bom.setComponents(components);
        try {
            return BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString(false)
                    .getBytes(StandardCharsets.UTF_8);
        } catch (GeneratorException e) {
            throw new IOException("cannot write the CycloneDX document: " + e.getMessage(), e);
        }
    }

    /**
     * CycloneDX allows either one expression or a list of licenses: one SPDX expression stays one, anything
     * else becomes named licenses (an SPDX id as {@code id}, other text as {@code name}).
     */
    private static LicenseChoice licenses(List<String> declared, SpdxLicenses spdx) {
        LicenseChoice choice = new LicenseChoice();
        if (declared.size() == 1 && declared.get(0).contains(" ") && spdx.isExpression(declared.get(0))) {
            choice.setExpression(new Expression(declared.get(0)));
            return choice;
        }
        for (String text : declared) {
            License license = new License();
            String id = spdx.canonicalId(text);
            if (id != null) {
                license.setId(id);
            } else {
                license.setName(text);
            }
            choice.addLicense(license);
        }
        return choice;
    }
}
