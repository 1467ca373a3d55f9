package io.github.segmentld;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The packages stand in layers: each imports only packages of the layers below its own (the README's layout). */
class LayeringTest {

    /** From the floor up; packages on one line are side by side and do not import each other. */
    private static final List<List<String>> LAYERS = List.of(
            List.of("time"),
            List.of("model", "observe", "store"),
            List.of("mapping", "server"),
            List.of("actions", "ingest", "launchdarkly"),
            List.of("kafka", "jms", "s3"),
            List.of("undelivered", "config", "deliverylog"),
            List.of("alerts", "preview"),
            List.of(""));
    private static final Pattern PROJECT_REFERENCE = Pattern.compile("io\\.github\\.segmentld\\.(\\w+)\\.[A-Z]");

    @Test
    void noPackageImportsOneAboveOrBesideIt() throws IOException {
        Path sources = Path.of("src/main/java/io/github/segmentld");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = sources.relativize(file.getParent());
                String own = relative.toString().isEmpty() ? "" : relative.getName(0).toString();
                Matcher reference = PROJECT_REFERENCE.matcher(Files.readString(file));
                while (reference.find()) {
                    String used = reference.group(1);
                    if (!used.equals(own) && layer(used) >= layer(own)) {
                        violations.add(sources.relativize(file) + " uses " + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package " + pkg + " is in no layer: add it to LAYERS and the README's layout");
    }
}
