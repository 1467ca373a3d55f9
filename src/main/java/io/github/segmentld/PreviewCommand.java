package io.github.segmentld;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.ingest.RefusedRequestException;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.InsertFunctions;
import io.github.segmentld.preview.MappingPreview;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * {@code --preview event.json}: prints what a Segment event (or each event of a JSON array) becomes under the
 * configured destination instances and mappings, without starting the routes or sending anything. It reads the same
 * configuration as the application ({@link SettingsFiles}, system properties, environment). Insert functions that are
 * Groovy expressions run; those that are routes are reported as not run, the routes not being loaded.
 */
public final class PreviewCommand {

    private PreviewCommand() {
    }

    /** @return the exit status: 0 when the preview was printed, 1 when the event or the configuration is wrong, 2 on misuse */
    public static int run(List<String> arguments, Properties overrides, PrintStream out, PrintStream err) {
        if (arguments.size() != 1) {
            err.println("Usage: --preview <file with a Segment event, or a JSON array of events>");
            return 2;
        }
        // The context only resolves properties: it is never started, so it has nothing to stop (and nothing to log).
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            PropertiesComponent properties = context.getPropertiesComponent();
            properties.setOverrideProperties(overrides);
            properties.setLocation(SettingsFiles.locations(SettingsFiles.profile(System.getenv())));
            // Nothing is sent, so an instance without a client-side ID or access token is shown with the stand-in's URL.
            String standIn = "http://127.0.0.1:" + properties.resolveProperty("camel.server.port").orElse("8080").strip();
            List<DestinationInstance> instances = MappingsConfiguration.destinationInstances(context, StandInEndpoints.at(
                    standIn, properties.resolveProperty("launchdarkly.stand-in.access-token").orElse("").strip()));
            // The routes are not loaded: route functions are reported as not run, expressions run.
            InsertFunctions expressions = InsertFunctions.compile(context, instances.stream()
                    .map(DestinationInstance::insertFunction)
                    .filter(function -> function != null && function.language().equals(InsertFunction.GROOVY))
                    .toList(), 1);
            MappingPreview preview = new MappingPreview(instances, expressions, new ObjectMapper(), Clock.systemUTC());
            out.println(preview.previewJson(Files.readAllBytes(Path.of(arguments.get(0)))));
            return 0;
        } catch (IOException e) {
            err.println("Cannot read " + arguments.get(0) + ": " + e);
        } catch (RefusedRequestException | IllegalStateException e) {
            err.println(e.getMessage());
        }
        return 1;
    }
}
