package io.github.segmentld;

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

    private EnvironmentSettings() {
    }

    /** The environment variable that sets {@code key}. */
    public static String variableName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The keys of the configuration files ({@link SettingsFiles}) that {@code environment} sets, with its values. */
    public static Properties from(Map<String, String> environment) {
        return from(SettingsFiles.load(SettingsFiles.profile(environment)).stringPropertyNames(), environment);
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
}
