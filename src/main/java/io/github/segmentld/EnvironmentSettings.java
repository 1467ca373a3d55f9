package io.github.segmentld;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every key of the configuration files (application.properties and the profile's) set by an environment variable
 * named like the key in upper case, with every character other than a letter or a digit turned into '_'
 * ({@code INBOX_DIR} for {@code inbox.dir}, {@code CAMEL_SERVER_PORT} for {@code camel.server.port}).
 * <p>
 * Camel already resolves such variables for placeholders, but its auto-configuration of the {@code camel.*} groups
 * reads the environment apart, and skips names ending in {@code _PORT} (taken for Kubernetes service links): without
 * this, {@code CAMEL_SERVER_PORT} moved the stand-in's URL ({@code {{camel.server.port}}}) and not the server. Given to
 * camel-main as override properties, the variables reach both alike.
 */
public final class EnvironmentSettings {

    private static final String FILE = "application.properties";
    private static final String PROFILE_KEY = "camel.main.profile";

    private EnvironmentSettings() {
    }

    /** The environment variable that sets {@code key}. */
    public static String variableName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The keys of the configuration files on the class path that {@code environment} sets, with its values. */
    public static Properties from(Map<String, String> environment) {
        Properties configured = load(FILE);
        String profile = System.getProperty(PROFILE_KEY,
                environment.getOrDefault(variableName(PROFILE_KEY), configured.getProperty(PROFILE_KEY, ""))).strip();
        if (!profile.isEmpty()) {
            configured.putAll(load("application-" + profile + ".properties"));
        }
        return from(configured.stringPropertyNames(), environment);
    }

    /** The {@code keys} that {@code environment} sets, with its values. */
    static Properties from(Set<String> keys, Map<String, String> environment) {
        Properties settings = new Properties();
        for (String key : new TreeSet<>(keys)) {
            String value = environment.get(variableName(key));
            if (value != null) {
                settings.setProperty(key, value);
            }
        }
        return settings;
    }

    private static Properties load(String resource) {
        Properties properties = new Properties();
        try (InputStream in = EnvironmentSettings.class.getClassLoader().getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from the class path", e);
        }
        return properties;
    }
}
