package io.github.segmentld.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The name and version of the running release, as the build wrote them into a resource beside this class: the same
 * from the jar and from {@code exec:java} (where no jar manifest exists).
 */
public record Release(String name, String version) {

    private static final String RESOURCE = "release.properties";

    public static Release current() {
        Properties properties = new Properties();
        try (InputStream in = Release.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing beside " + Release.class.getName());
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        return new Release(properties.getProperty("name"), properties.getProperty("version"));
    }

    @Override
    public String toString() {
        return name + " " + version;
    }
}
