package io.github.segmentld;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The YAML routes of a team's own, in the folder of {@code routes.extra-dir} (the routes insert functions name), loaded
 * beside the bundled ones as camel-main loads those of {@code camel.main.routes-include-pattern}: the files of the
 * pattern {@code file:<folder>/*.yaml}. Loaded while the application is configured, before the bundled routes, so that
 * both are there when the insert functions' routes are checked.
 */
final class ExtraRoutes {

    static final String SETTING = "routes.extra-dir";

    private static final Logger LOG = LoggerFactory.getLogger(ExtraRoutes.class);

    private ExtraRoutes() {
    }

    /** The folder of the setting; empty when it is not set. */
    static String folder(CamelContext context) {
        return context.getPropertiesComponent().resolveProperty(SETTING).orElse("").strip();
    }

    /** @throws IllegalStateException when the folder of the setting is not one */
    static void load(CamelContext context) throws Exception {
        String folder = folder(context);
        if (folder.isEmpty()) {
            return;
        }
        Path path = Path.of(folder).toAbsolutePath().normalize();
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException(SETTING + " names no folder: nothing at " + path + " is one (working"
                    + " directory " + Path.of("").toAbsolutePath() + ")");
        }
        List<Resource> files = new ArrayList<>(PluginHelper.getPackageScanResourceResolver(context)
                .findResources("file:" + path + "/*.yaml"));
        files.sort(Comparator.comparing(Resource::getLocation));
        if (files.isEmpty()) {
            LOG.warn("{} {} holds no *.yaml file: no routes of its own", SETTING, path);
            return;
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(files);
        LOG.info("Routes of {}: {}", SETTING, String.join(", ", names(files)));
    }

    private static List<String> names(Collection<Resource> files) {
        return files.stream().map(file -> Path.of(file.getLocation().replaceFirst("^file:", "")).getFileName()
                .toString()).toList();
    }
}
