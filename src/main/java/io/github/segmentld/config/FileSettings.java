package io.github.segmentld.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reading the settings of a YAML configuration file described by a JSON schema on the class path: the keys known at
 * each level come from the schema, values have property placeholders resolved, and every mistake names where it is.
 */
final class FileSettings {

    private final UnaryOperator<String> placeholders;

    FileSettings(UnaryOperator<String> placeholders) {
        this.placeholders = placeholders;
    }

    /** A setting, with property placeholders resolved; empty when it is not given. */
    String setting(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isValueNode()) {
            throw new IllegalStateException(where + ": " + key + " must be a single value");
        }
        try {
            return placeholders.apply(value.asText()).strip();
        } catch (RuntimeException e) {
            throw new IllegalStateException(where + ": " + key + ": " + e.getMessage());
        }
    }

    /**
     * A settings file's bytes.
     *
     * @param where how messages name the file ("Mappings file mappings.yaml")
     * @param key   the setting that names the file, for a file that is not there
     */
    static byte[] readBytes(Path file, String where, String key) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            // a relative name is read from the working directory, which is rarely the one the reader has in mind
            throw new IllegalStateException(where + " not found: no file at " + file.toAbsolutePath().normalize()
                    + " (working directory " + Path.of("").toAbsolutePath() + "); check " + key);
        } catch (IOException e) {
            throw new IllegalStateException(where + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The tree of a YAML file's bytes (null when it is empty). */
    static JsonNode parseYaml(byte[] content, String where) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(content);
        } catch (IOException e) {
            throw new IllegalStateException(where + " cannot be read: " + e.getMessage(), e);
        }
    }

    static JsonNode schema(String resource) {
        try (InputStream in = FileSettings.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The keys an object of the schema knows. */
    static Set<String> keysOf(JsonNode schemaObject) {
        Set<String> keys = new TreeSet<>();
        schemaObject.path("properties").fieldNames().forEachRemaining(keys::add);
        return Set.copyOf(keys);
    }

    static void checkKeys(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!known.contains(key)) {
                throw new IllegalStateException(where + ": unknown setting '" + key + "' (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }
}
