package io.github.segmentld.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.segmentld.EnvironmentSettings;
import org.w3c.dom.NodeList;

/**
 * What deploy/ holds, read as the tools that apply it do, beside what the application itself defines: the keys and
 * values of the bundled configuration (application.properties and the prod profile, as built onto the class path),
 * the environment variables it reads, and the pom's artifact.
 */
final class DeployManifests {

    static final Path DEPLOY = Path.of("deploy");
    static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    static final Path SYSTEMD_UNIT = DEPLOY.resolve("systemd/segment-launchdarkly-camel.service");
    static final Path SYSTEMD_ENVIRONMENT = DEPLOY.resolve("systemd/segment-launchdarkly-camel.env");
    static final Path CONTAINER_FILE = DEPLOY.resolve("container/Dockerfile");
    /** The one key EnvironmentSettings reads beside those of the files: the profile that picks the second file. */
    static final String PROFILE_KEY = "camel.main.profile";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ENVIRONMENT_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)");

    private DeployManifests() {
    }

    /** Every YAML document under deploy/kubernetes, by file name relative to it. */
    static Map<String, List<JsonNode>> kubernetesDocuments() {
        Map<String, List<JsonNode>> documents = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                List<JsonNode> parsed = new ArrayList<>();
                YAML.readerFor(JsonNode.class).readValues(file.toFile()).forEachRemaining(d -> {
                    if (d != null && !((JsonNode) d).isNull()) {
                        parsed.add((JsonNode) d);
                    }
                });
                documents.put(KUBERNETES.relativize(file).toString(), parsed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    /** The documents of one kind, over every file. */
    static List<JsonNode> ofKind(String kind) {
        return kubernetesDocuments().values().stream().flatMap(List::stream)
                .filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    static JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(d -> d.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + KUBERNETES));
    }

    /** The bundled configuration with the prod profile on top, as the jar holds it. */
    static Properties bundled(boolean prod) {
        Properties properties = resource("application.properties");
        if (prod) {
            properties.putAll(resource("application-prod.properties"));
        }
        return properties;
    }

    /** The environment variables the application reads: one per key of its files, and those its values name. */
    static Set<String> environmentVariablesRead() {
        Properties all = bundled(true);
        Set<String> names = new TreeSet<>();
        names.add(EnvironmentSettings.variableName(PROFILE_KEY));
        for (String key : all.stringPropertyNames()) {
            names.add(EnvironmentSettings.variableName(key));
            Matcher placeholder = ENVIRONMENT_PLACEHOLDER.matcher(all.getProperty(key));
            while (placeholder.find()) {
                names.add(placeholder.group(1));
            }
        }
        return names;
    }

    /** The settings an instance runs with: the bundled ones, the file beside the jar, then the environment. */
    static Properties effective(Properties besideTheJar, Map<String, String> environment) {
        boolean prod = "prod".equals(environment.get(EnvironmentSettings.variableName(PROFILE_KEY)));
        Properties effective = bundled(prod);
        effective.putAll(besideTheJar);
        for (String key : effective.stringPropertyNames()) {
            String value = environment.get(EnvironmentSettings.variableName(key));
            if (value != null) {
                effective.setProperty(key, value);
            }
        }
        return effective;
    }

    static Properties properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The pom's artifactId, which names the jar. */
    static String artifactId() {
        try {
            NodeList children = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(Path.of("pom.xml").toFile()).getDocumentElement().getChildNodes();
            for (int i = 0; i < children.getLength(); i++) {
                if (children.item(i).getNodeName().equals("artifactId")) {
                    return children.item(i).getTextContent().strip();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the artifactId of pom.xml", e);
        }
        throw new IllegalStateException("pom.xml names no artifactId");
    }

    /** Where the manifests and the unit install the jar. */
    static String installedJar() {
        return "/opt/" + artifactId() + "/" + artifactId() + ".jar";
    }

    /** A unit file's or environment file's settings: each key with its values, in order (comments left out). */
    static Map<String, List<String>> keyValueLines(Path file) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String stripped = line.strip();
                int equals = stripped.indexOf('=');
                if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith("[") || equals < 0) {
                    continue;
                }
                settings.computeIfAbsent(stripped.substring(0, equals), k -> new ArrayList<>())
                        .add(stripped.substring(equals + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return settings;
    }

    private static Properties resource(String name) {
        Properties properties = new Properties();
        try (InputStream in = DeployManifests.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
