package io.github.segmentld;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where the settings are read from, the first holding a key winning: the working directory's
 * {@code application-<profile>.properties} and {@code application.properties}, then those bundled with the
 * application (the class path). So a file beside the jar sets what it names and leaves the rest to the bundled
 * defaults. System properties and environment variables ({@link EnvironmentSettings}) win over every file.
 */
final class SettingsFiles {

    static final String PROFILE_KEY = "camel.main.profile";
    private static final String BASE = "application";

    private SettingsFiles() {
    }

    /** The files as camel-main's property locations, the first winning. */
    static String locations(String profile) {
        List<String> locations = new ArrayList<>();
        for (String prefix : List.of("file:", "classpath:")) {
            if (!profile.isEmpty()) {
                locations.add(prefix + fileName(profile) + ";optional=true");
            }
            locations.add(prefix + fileName("") + ";optional=true");
        }
        return String.join(",", locations);
    }

    /** The profile: -Dcamel.main.profile, CAMEL_MAIN_PROFILE, or camel.main.profile in application.properties. */
    static String profile(Map<String, String> environment) {
        String fromFiles = load("").getProperty(PROFILE_KEY, "");
        return System.getProperty(PROFILE_KEY,
                environment.getOrDefault(EnvironmentSettings.variableName(PROFILE_KEY), fromFiles)).strip();
    }

    /** Every key of the files, with the value that wins. */
    static Properties load(String profile) {
        Properties merged = new Properties();
        for (boolean bundled : new boolean[] {true, false}) {
            merged.putAll(load("", bundled));
            if (!profile.isEmpty()) {
                merged.putAll(load(profile, bundled));
            }
        }
        return merged;
    }

    private static Properties load(String profileOrEmpty, boolean bundled) {
        String name = fileName(profileOrEmpty);
        Properties properties = new Properties();
        try (InputStream in = bundled ? SettingsFiles.class.getClassLoader().getResourceAsStream(name)
                : Files.isRegularFile(Path.of(name)) ? Files.newInputStream(Path.of(name)) : null) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + name, e);
        }
        return properties;
    }

    private static String fileName(String profileOrEmpty) {
        return profileOrEmpty.isEmpty() ? BASE + ".properties" : BASE + "-" + profileOrEmpty + ".properties";
    }
}
