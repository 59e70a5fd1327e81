package dev.jbuild.context;

/**
 * Whether a {@code --parents} include pattern could match something below a directory that it
 * does not match itself, so that the walk can skip the rest of a large context. Conservative: when
 * unsure (<code>**</code>, classes, escapes) the answer is yes.
 */
final class IncludePrefix {

    private IncludePrefix() {}

    static boolean mayMatchBelow(String pattern, String relativeDir) {
        String[] patternElements = TreePaths.elements(GoPaths.clean(pattern));
        String[] dirElements = TreePaths.elements(relativeDir);
        for (int i = 0; i < dirElements.length; i++) {
            if (i >= patternElements.length) {
                return false;
            }
            String element = patternElements[i];
            if (element.contains("**") || element.contains("[") || element.contains("\\")) {
                return true;
            }
            if (!GoGlob.matches(element, dirElements[i])) {
                return false;
            }
        }
        return patternElements.length > dirElements.length;
    }
}
