package dev.jbuild.api;

import java.util.List;

/**
 * The result of {@link ImageBuild#check()}: the build checks' findings, no build.
 *
 * @param findings the findings sorted by line; empty when the Dockerfile passes every check
 * @param report   the findings as {@code jbuild build --check} prints them (each with its Dockerfile lines)
 * @param json     the findings in BuildKit's lint JSON, as {@code --call=check,format=json} prints it
 */
public record CheckOutcome(List<Finding> findings, String report, String json) {

    public CheckOutcome {
        findings = List.copyOf(findings);
    }
}
