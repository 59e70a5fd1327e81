package dev.jbuild.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The plugin is released with jbuild: its coordinates are jbuild's groupId and version (it depends on
 * {@code dev.jbuild:jbuild:${project.version}}), and the example project uses that version.
 */
class PluginVersionTest {

    @Test
    void thePluginHasTheRootProjectsGroupAndVersionAndTheExampleUsesIt() throws Exception {
        Document root = read(Path.of("..", "pom.xml"));
        Document plugin = read(Path.of("pom.xml"));
        Document example = read(Path.of("..", "examples", "maven-plugin", "pom.xml"));
        assertEquals(text(root, "/project/groupId"), text(plugin, "/project/groupId"));
        assertEquals(text(root, "/project/version"), text(plugin, "/project/version"));
        assertEquals(text(root, "/project/version"), text(example, "/project/properties/jbuild.version"));
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static String text(Document document, String path) throws Exception {
        // The POMs have a default namespace; local-name() steps keep the expressions readable.
        StringBuilder expression = new StringBuilder();
        for (String step : path.substring(1).split("/")) {
            expression.append("/*[local-name()='").append(step).append("']");
        }
        return XPathFactory.newInstance().newXPath().evaluate(expression.toString(), document).strip();
    }
}
