package io.github.segmentld;

import java.util.Arrays;
import java.util.Properties;

import io.github.segmentld.server.ServerPorts;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the integration: camel-main loads {@code application.properties} (each key also settable by an environment
 * variable, {@link EnvironmentSettings}), the beans of {@link AppConfiguration} and the YAML routes of {@code routes/}.
 * With {@code --preview event.json}, prints what the event becomes instead ({@link PreviewCommand}).
 */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("--preview")) {
            System.exit(PreviewCommand.run(Arrays.asList(args).subList(1, args.length), new Properties(),
                    System.out, System.err));
        }
        TracingDefaults.apply(System.getenv());
        Main main = new Main(Application.class);
        Properties fromEnvironment = EnvironmentSettings.from(System.getenv());
        if (!fromEnvironment.isEmpty()) {
            // the names only: values may be secrets
            LOG.info("Set by environment variables: {}", String.join(", ", fromEnvironment.stringPropertyNames().stream()
                    .sorted().toList()));
            main.setOverrideProperties(fromEnvironment);
        }
        main.addMainListener(new ServerPorts());
        try {
            main.run(args);
        } catch (ServerPorts.Unavailable e) {
            LOG.error(e.getMessage());
            System.exit(ServerPorts.EXIT_CODE);
        }
    }
}
