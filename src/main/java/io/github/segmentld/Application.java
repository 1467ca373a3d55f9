package io.github.segmentld;

import org.apache.camel.main.Main;

/**
 * Starts the integration: camel-main loads {@code application.properties}, the beans of {@link AppConfiguration} and
 * the YAML routes of {@code routes/}.
 */
public final class Application {

    private Application() {
    }

    public static void main(String... args) throws Exception {
        new Main(Application.class).run(args);
    }
}
