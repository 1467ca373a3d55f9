package io.github.segmentld.ingest;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * Text from outside (a file name, a parser's message) as logs and reason files show it: control characters escaped,
 * a line break as {@code \n}, so that the text cannot start a log line of its own.
 */
public final class ControlCharacters {

    private ControlCharacters() {
    }

    public static String escape(String text) {
        if (text == null || text.chars().noneMatch(ControlCharacters::isControl)) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        text.chars().forEach(c -> {
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (isControl(c)) {
                        escaped.append(String.format("\\u%04x", c));
                    } else {
                        escaped.append((char) c);
                    }
                }
            }
        });
        return escaped.toString();
    }

    /** The name of the file an exchange of the file route carries, escaped: what the route's log steps show. */
    public static String fileName(@Header(Exchange.FILE_NAME) String fileName) {
        return escape(fileName);
    }

    /** C0 and C1 controls and DEL, and the Unicode line and paragraph separators some log viewers break lines at. */
    private static boolean isControl(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
