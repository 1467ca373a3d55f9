package io.github.segmentld.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * The exchange properties and headers the routes share with the Java code are named in one place there: a constant,
 * whose literal appears nowhere else.
 */
class SharedNamesTest {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(?:exchangeProperty|header)\\.(\\w+)");

    @Test
    void eachNameTheRoutesShareWithTheCodeIsOneConstant() throws IOException {
        Set<String> names = new TreeSet<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path route : routes.toList()) {
                collect(yaml.readTree(route.toFile()), names);
            }
        }
        // Camel's own names and HTTP headers are not the project's
        names.removeIf(name -> name.startsWith("Camel") || !Character.isLowerCase(name.charAt(0)));
        assertThat(names).contains("chunk", "segmentSource", "webhookSignature", "launchDarklyDeadLetterReason");

        List<String> javaLines;
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            javaLines = new ArrayList<>();
            for (Path file : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                javaLines.addAll(Files.readAllLines(file));
            }
        }
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            List<String> uses = javaLines.stream().filter(line -> line.contains("\"" + name + "\"")).toList();
            if (uses.size() > 1 || uses.size() == 1 && !uses.get(0).contains("static final String")) {
                problems.add(name + ": " + uses);
            }
        }
        assertThat(problems).isEmpty();
    }

    private static void collect(JsonNode node, Set<String> names) {
        if (node.isTextual()) {
            Matcher reference = REFERENCE.matcher(node.textValue());
            while (reference.find()) {
                names.add(reference.group(1));
            }
            return;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if ((field.getKey().equals("setProperty") || field.getKey().equals("setHeader"))
                    && field.getValue().path("name").isTextual()) {
                names.add(field.getValue().get("name").textValue());
            }
            if (field.getKey().equals("removeProperties") && field.getValue().path("pattern").isTextual()) {
                names.addAll(List.of(field.getValue().get("pattern").textValue().split("\\|")));
            }
        }
        node.forEach(child -> collect(child, names));
    }
}
