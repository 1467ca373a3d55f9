package io.github.segmentld;

import java.util.Arrays;
import java.util.Properties;

import org.apache.camel.main.Main;

/**
 * Starts the integration: camel-main loads {@code application.properties}, the beans of {@link AppConfiguration} and
 * the YAML routes of {@code routes/}. With {@code --preview event.json}, prints what the event becomes instead
 * ({@link PreviewCommand}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("--preview")) {
            System.exit(PreviewCommand.run(Arrays.asList(args).subList(1, args.length), new Properties(),
                    System.out, System.err));
        }
        new Main(Application.class).run(args);
    }
}
