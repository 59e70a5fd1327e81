package dev.jbuild.dockerfile;

/**
 * A here-document body ({@code <<EOF ... EOF}).
 *
 * @param name       the delimiter word, without quotes ({@code EOF})
 * @param content    the body including its final newline, leading tabs already removed for {@code <<-}
 * @param expand     false when the delimiter was quoted, which disables variable expansion in the body
 * @param stripTabs  true for the {@code <<-} form
 */
public record Heredoc(String name, String content, boolean expand, boolean stripTabs) {}
