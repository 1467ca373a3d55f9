package io.github.segmentld;

import java.util.Arrays;
import java.util.Properties;

import io.github.segmentld.observe.Release;
import io.github.segmentld.server.ServerPorts;
import io.github.segmentld.store.NewerStateException;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the integration: camel-main loads the settings files ({@link SettingsFiles}; each key also settable by an
 * environment variable, {@link EnvironmentSettings}), the beans of {@link AppConfiguration} and the YAML routes of
 * {@code routes/}. With {@code --preview event.json}, prints what the event becomes instead ({@link PreviewCommand});
 * with {@code --version}, the release.
 */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println(Release.current());
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("--preview")) {
            System.exit(PreviewCommand.run(Arrays.asList(args).subList(1, args.length), new Properties(),
                    System.out, System.err));
        }
        TracingDefaults.apply(System.getenv());
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations(SettingsFiles.locations(SettingsFiles.profile(System.getenv())));
        Properties fromEnvironment = EnvironmentSettings.from(System.getenv());
        if (!fromEnvironment.isEmpty()) {
            // the names only: values may be secrets
            LOG.info("Set by environment variables: {}", String.join(", ", fromEnvironment.stringPropertyNames().stream()
                    .sorted().toList()));
            main.setOverrideProperties(fromEnvironment);
        }
        main.addMainListener(new WorkFolderVersion());
        main.addMainListener(new ServerPorts());
        try {
            main.run(args);
        } catch (ServerPorts.Unavailable e) {
            LOG.error(e.getMessage());
            System.exit(ServerPorts.EXIT_CODE);
        } catch (NewerStateException e) {
            LOG.error(e.getMessage());
            System.exit(WorkFolderVersion.EXIT_CODE);
        }
    }
}
